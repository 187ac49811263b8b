import { z } from 'zod';
import { PASSPHRASE_MAX_LENGTH } from '../passphrase';
import type { EventTable, RequestTable } from './table';

/**
 * Several devices per person (issue 18, docs/protocol.md §13.10): the
 * `devices.` namespace. Three parts of issue 18 add to it; each keeps its
 * own block below (device list, linking, history) so they merge apart.
 */

// ---- The device list (§13.3–13.4, §13.10; devices/) -----------------------------
//
// The devices a person's device list names, this profile's own (Settings →
// Devices) and a contact's (their profile), and the forks found in them
// (§13.4: two validly signed versions of one position, so a device key was
// used by someone else). The core gives facts; the renderer writes the words.

export const DevicePlatformView = z.enum(['other', 'linux', 'macos', 'windows', 'cli']);
export type DevicePlatformView = z.infer<typeof DevicePlatformView>;

export const DeviceView = z
  .object({
    peerId: z.string(),
    /** The PeerId's last 8 characters: what people compare. */
    shortId: z.string(),
    /** The name the person gave this device (own devices only); null: none. */
    name: z.string().nullable(),
    platform: DevicePlatformView,
    /** When its list added it (ms). */
    linkedAt: z.number(),
    /** When this device last heard from it (ms); null: never directly. */
    lastSeenAt: z.number().nullable(),
    /** This is the device the user is on. */
    thisDevice: z.boolean(),
  })
  .strict();
export type DeviceView = z.infer<typeof DeviceView>;

/** One entry of the version of a list that forked away from the one held here. */
export const ForkEntryView = z
  .object({
    op: z.enum(['add', 'remove']),
    /** The device it adds or removes. */
    shortId: z.string(),
    platform: DevicePlatformView.nullable(),
    at: z.number(),
  })
  .strict();
export type ForkEntryView = z.infer<typeof ForkEntryView>;

export const DeviceForkView = z
  .object({
    /** Where the versions part (the position both have an entry for). */
    seq: z.number().int(),
    seenAt: z.number(),
    /** Who showed the other version: a contact's name, or null (unknown / oneself). */
    toldBy: z.string().nullable(),
    /** The device whose key signed the other version's first entry (its short id and name), null: the identity key. */
    signedBy: z.object({ shortId: z.string(), name: z.string().nullable() }).nullable(),
    /** What the other version says from there on. */
    otherVersion: z.array(ForkEntryView),
  })
  .strict();
export type DeviceForkView = z.infer<typeof DeviceForkView>;

export const DevicesView = z
  .object({
    /** Active devices, this one first, then in the order they were linked; empty when no list is known. */
    devices: z.array(DeviceView),
    /** Open forks of this list (at most a few). */
    forks: z.array(DeviceForkView),
  })
  .strict();
export type DevicesView = z.infer<typeof DevicesView>;

// ---- History on a new device (§13.7; history/) -------------------------------

export const HistoryPhase = z.enum(['snapshot', 'database', 'import', 'files', 'done', 'failed']);
export type HistoryPhase = z.infer<typeof HistoryPhase>;

/**
 * Progress of a history transfer to this new device, at most every 100 ms:
 * `snapshot` while the other device prepares it, `database` while the sealed
 * stream comes (bytes), `import` while messages go in (messages), `files`
 * while attachments come, then `done`, or `failed` with what the user reads.
 */
export const HistoryProgressEvent = z.object({
  transferId: z.string().regex(/^[0-9a-f]{32}$/),
  phase: HistoryPhase,
  bytesDone: z.number().int().min(0),
  bytesTotal: z.number().int().min(0),
  messagesDone: z.number().int().min(0),
  messagesTotal: z.number().int().min(0),
  error: z.string().max(500).optional(),
});
export type HistoryProgressEvent = z.infer<typeof HistoryProgressEvent>;

// ---- Linking a new device (§13.5; linking/) -----------------------------------

/** Where "Link a new device" is on this device (the device in use). */
export const LinkStatusView = z
  .object({
    state: z.enum(['idle', 'code', 'sas', 'confirmed', 'granted', 'done', 'failed', 'closed']),
    /** The code while it is shown (`code` and later, until done or failed). */
    code: z.string().nullable(),
    /** ms since the epoch. */
    expiresAt: z.number().int().nullable(),
    /** "482 019", once the new device connected. */
    sas: z.string().nullable(),
    /** The new device's PeerId, once it connected. */
    peer: z.string().nullable(),
    /** Why it failed (`failed`): a LinkFailure name, and the words to show. */
    reason: z.string().nullable(),
    message: z.string().nullable(),
  })
  .strict();
export type LinkStatusView = z.infer<typeof LinkStatusView>;

/** "I already use Parley" on this new install (N's side): where linking is. */
export const JoinStatusView = z
  .object({
    state: z.enum(['idle', 'connecting', 'sas', 'waiting', 'done', 'failed']),
    /** "482 019", once connected to the other device. */
    sas: z.string().nullable(),
    /** The other device's PeerId, once connected. */
    peer: z.string().nullable(),
    /** The other device's user said the codes match. */
    otherConfirmed: z.boolean(),
    /** This user answered that the codes match. */
    answered: z.boolean(),
    /** Why it failed: a LinkFailure name, or 'cancelled'; and the words to show. */
    reason: z.string().nullable(),
    message: z.string().nullable(),
  })
  .strict();
export type JoinStatusView = z.infer<typeof JoinStatusView>;

/** A link code as pasted: generous (spaces and line breaks are dropped), never huge. */
export const LINK_CODE_MAX_LENGTH = 2000;

// ---- Revocation and names (§13.8, §13.10; issue 18 part c) ---------------------

/** What a device may be called: one line, trimmed; empty clears the name (the platform shows). */
export const DEVICE_NAME_MAX = 40;
export const DeviceName = z
  .string()
  .max(200)
  .transform((s) => s.trim())
  .refine((s) => s.length <= DEVICE_NAME_MAX, `At most ${DEVICE_NAME_MAX} characters.`)
  .refine((s) => !/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(s), 'A device name is one line of plain text.');

/** This device's own standing: null while it is one of its person's devices. */
export const ThisDeviceView = z
  .object({
    removed: z
      .object({
        /** When the `remove` entry was made (ms). */
        at: z.number(),
        /** 'removed' by another device, 'unlinked' by this one, 'replaced' by a restore elsewhere. */
        reason: z.enum(['removed', 'replaced', 'unlinked']),
        /** The device that removed it (short id and name), null when unknown. */
        by: z.object({ shortId: z.string(), name: z.string().nullable() }).nullable(),
        /** The person's display name, for "removed from Ann's devices". */
        personName: z.string(),
      })
      .strict()
      .nullable(),
  })
  .strict();
export type ThisDeviceView = z.infer<typeof ThisDeviceView>;

// ---- The namespace's requests: one block per part -------------------------------

export const devicesRequests = {
  // Linking (§13.5).
  /** Shows a new link code (ending any other); INVALID_STATE at 5 devices. */
  'devices.linkCode': { params: z.object({}).strict(), result: LinkStatusView },
  /** Where linking is (for a shell that missed the events). */
  'devices.linkStatus': { params: z.object({}).strict(), result: LinkStatusView },
  /** The user compared the codes: `match` true grants, false burns the code. */
  'devices.confirmSas': { params: z.object({ match: z.boolean() }).strict(), result: LinkStatusView },
  /** The user closed the screen: the code ends. */
  'devices.cancelLink': { params: z.object({}).strict(), result: LinkStatusView },
  /**
   * "I already use Parley" (a new install, no profile yet): links with the
   * pasted code and makes this profile, under `passphrase`, once both users
   * confirmed the short code. INVALID_STATE when a profile exists.
   */
  'devices.joinStart': {
    params: z
      .object({
        code: z.string().trim().min(1, 'Paste the code your other device shows.').max(LINK_CODE_MAX_LENGTH),
        passphrase: z.string().min(1).max(PASSPHRASE_MAX_LENGTH),
        deviceName: z.string().trim().max(64).optional(),
        /** The files choice's default (true); the user answers it with the short code. */
        withFiles: z.boolean().optional(),
      })
      .strict(),
    result: JoinStatusView,
  },
  'devices.joinStatus': { params: z.object({}).strict(), result: JoinStatusView },
  /**
   * This user compared the codes: false ends the attempt on both devices; true sends this device's
   * request, with "Copy history with files" (`withFiles`, default: what joinStart said).
   */
  'devices.joinConfirmSas': {
    params: z.object({ match: z.boolean(), withFiles: z.boolean().optional() }).strict(),
    result: JoinStatusView,
  },
  /** The user left the screen: nothing is saved (once both confirmed, it completes). */
  'devices.joinCancel': { params: z.object({}).strict(), result: JoinStatusView },
  // The device list (§13.10).
  /** Settings → Devices: this person's devices as this device's list says. */
  'devices.list': { params: z.object({}).strict(), result: DevicesView },
  /** A contact's devices (their profile), and any fork of their list. */
  'devices.ofContact': { params: z.object({ contactId: z.number().int() }).strict(), result: DevicesView },
  // Revocation and names (§13.8, §13.10).
  /** Names one of the own devices (this one too), locally; empty clears it. */
  'devices.rename': {
    params: z.object({ peerId: z.string().min(1).max(128), name: DeviceName }).strict(),
    result: DevicesView,
  },
  /** Removes another own device: it gets nothing new, contacts refuse it (works while it is offline). */
  'devices.remove': {
    params: z.object({ peerId: z.string().min(1).max(128) }).strict(),
    result: DevicesView,
  },
  /** "Unlink this device": removes this device from the own list; it then goes offline and wipes its keys. */
  'devices.unlink': { params: z.object({}).strict(), result: ThisDeviceView },
  /** Whether this device is still one of its person's devices (the removed screen). */
  'devices.thisDevice': { params: z.object({}).strict(), result: ThisDeviceView },
} as const satisfies RequestTable;

// ---- The namespace's events: one line per part ---------------------------------

export const devicesEvents = {
  /** The device list: someone's list changed (contactId null: our own); refetch. */
  'devices.changed': z.object({ contactId: z.number().int().nullable() }),
  /** The device list: a fork was found in someone's list (contactId null: our own). */
  'devices.fork': z.object({ contactId: z.number().int().nullable() }),
  /** History on a new device (§13.7). */
  'devices.historyProgress': HistoryProgressEvent,
  /** Revocation: this device was removed from its person's devices (or unlinked itself); it is offline now. */
  'devices.removed': z.object({}),
  /** Linking moved on (a new device connected, a user answered, it finished or failed). */
  'devices.linkProgress': LinkStatusView,
  /** "I already use Parley" moved on (connected, the other user answered, done, failed). */
  'devices.joinProgress': JoinStatusView,
} as const satisfies EventTable;
