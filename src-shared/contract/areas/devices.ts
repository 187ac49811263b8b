import { z } from 'zod';
import type { EventTable, RequestTable } from './table';

/**
 * Several devices per person (issue 18, docs/protocol.md §13.10): the
 * `devices.` namespace. Three parts of issue 18 add to it; each keeps its
 * own block below (device list, linking, history) so they merge apart.
 */

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
} as const satisfies RequestTable;

// ---- The namespace's events: one line per part ---------------------------------

export const devicesEvents = {
  /** History on a new device (§13.7). */
  'devices.historyProgress': HistoryProgressEvent,
  /** Linking moved on (a new device connected, a user answered, it finished or failed). */
  'devices.linkProgress': LinkStatusView,
} as const satisfies EventTable;
