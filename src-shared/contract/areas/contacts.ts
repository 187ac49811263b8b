import { z } from 'zod';
import { ContactRequestView, ContactView, INVITE_MAX_LENGTH, InviteStatusView, InviteView } from '../net';
import type { EventTable, RequestTable } from './table';

/**
 * Contacts: profile, verify (safety number), rename, remove, block,
 * import/export and key-change alerts (issues #4, #6).
 *
 * Trust on first use (docs/threat-model.md "Key changes"): a contact is keyed
 * by identity key. When one of their devices presents another key, nothing
 * from it is trusted; the contact shows a pending key change until the user
 * verifies or accepts the new key (or keeps the old one).
 */

/** Longest local name. */
export const CONTACT_NAME_MAX_LENGTH = 100;
/** Longest contacts export accepted by contacts.import (characters of JSON). */
export const CONTACTS_IMPORT_MAX_LENGTH = 5_000_000;
/** Longest scanned or pasted safety-number QR text. */
export const SAFETY_QR_MAX_LENGTH = 512;

const ContactId = z.object({ contactId: z.number().int() });
const Hex32 = z.string().regex(/^[0-9a-f]{64}$/);

export const ContactProfile = z.object({
  id: z.number().int(),
  /** What the UI shows: the local name, else the contact's own display name. */
  name: z.string(),
  /** The name the contact gave themselves. */
  displayName: z.string(),
  /** The name this user gave them (null: none). */
  localName: z.string().nullable(),
  /** Identity key, hex (64 characters). */
  identityKey: Hex32,
  verified: z.boolean(),
  verifiedAt: z.number().nullable(),
  blocked: z.boolean(),
  /** A device of this contact presented another identity key: waiting for the user. */
  keyChanged: z.boolean(),
  pendingKeyChange: z.object({ identityKey: Hex32, at: z.number() }).nullable(),
  /** The last accepted key change: the key before it and when. */
  previousIdentityKey: Hex32.nullable(),
  keyChangedAt: z.number().nullable(),
  /** Known devices (PeerIds) and where they were last reachable. */
  devices: z.array(z.object({ peerId: z.string(), addresses: z.array(z.string()) })),
  /**
   * The DM with this contact, if any. Read-only while the contact is blocked
   * (history kept; sending refused; unblocking restores it).
   */
  dm: z.object({ conversationId: z.number().int(), readOnly: z.boolean() }).nullable(),
});
export type ContactProfile = z.infer<typeof ContactProfile>;

export const SafetyNumberView = z.object({
  /** 60 digits. */
  digits: z.string(),
  /** The digits in 12 groups of 5, for display and reading aloud. */
  groups: z.array(z.string()),
  /** What the QR code encodes. */
  qrData: z.string(),
  /** True when this number is for the new key of a pending key change (verify it before accepting). */
  forNewKey: z.boolean(),
});
export type SafetyNumberView = z.infer<typeof SafetyNumberView>;

export const ImportCounts = z.object({
  added: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
});
export type ImportCounts = z.infer<typeof ImportCounts>;

export const contactsRequests = {
  /** Everyone this user has added (by invite or accepted request). */
  'contacts.list': { params: z.object({}).strict(), result: z.array(ContactView) },
  /** A one-time invite (valid 7 days) for someone to add this user. */
  'contacts.createInvite': { params: z.object({}).strict(), result: InviteView },
  /** Whether one of this user's invites is still open, expired, or used (and by whom). */
  'contacts.inviteStatus': {
    params: z.object({ link: z.string().min(1).max(INVITE_MAX_LENGTH) }).strict(),
    result: InviteStatusView,
  },
  /** Accepts someone's invite: they become a contact and the DM with them starts. */
  'contacts.acceptInvite': {
    params: z
      .object({ invite: z.string().trim().min(1, 'Paste an invite.').max(INVITE_MAX_LENGTH) })
      .strict(),
    result: z.object({ contactId: z.number().int(), conversationId: z.number().int() }),
  },
  /** Contact requests from people without an invite, waiting for an answer. */
  'contacts.requests': { params: z.object({}).strict(), result: z.array(ContactRequestView) },
  /** Accepts (they become a contact) or declines a pending contact request. */
  'contacts.respond': {
    params: z.object({ requestId: z.number().int(), accept: z.boolean() }).strict(),
    result: z.object({ contactId: z.number().int().optional() }),
  },
  /** One contact's profile view. */
  'contacts.get': { params: ContactId.strict(), result: ContactProfile },
  /** The contact of a DM (null for a group, or a DM whose contact was removed). */
  'contacts.forConversation': {
    params: z.object({ conversationId: z.number().int() }).strict(),
    result: ContactProfile.nullable(),
  },
  /** The safety number to compare with the contact (for the pending new key, if any). */
  'contacts.safetyNumber': { params: ContactId.strict(), result: SafetyNumberView },
  /**
   * Marks a contact verified (the user compared the digits, or scanned or
   * pasted their QR code: `qrData` must then match, else INVALID_PARAMS) or
   * not verified. Verifying a contact with a pending key change accepts the
   * new key.
   */
  'contacts.verify': {
    params: ContactId.extend({
      verified: z.boolean(),
      qrData: z.string().trim().min(1, 'Paste or scan a code.').max(SAFETY_QR_MAX_LENGTH).optional(),
    }).strict(),
    result: ContactProfile,
  },
  /** Accepts the new key of a pending key change, or keeps the old one. */
  'contacts.keyChange': {
    params: ContactId.extend({ accept: z.boolean() }).strict(),
    result: ContactProfile,
  },
  /** Sets this user's name for a contact; null (or blank) goes back to their own name. */
  'contacts.rename': {
    params: ContactId.extend({
      name: z.string().trim().max(CONTACT_NAME_MAX_LENGTH, 'A name is at most 100 characters.').nullable(),
    }).strict(),
    result: ContactProfile,
  },
  /**
   * Removes a contact from the list. History is kept; the DM stays, read-only;
   * they stop being a relay. Adding them again (invite, request) restores them.
   */
  'contacts.remove': { params: ContactId.strict(), result: z.object({}) },
  /** Blocks or unblocks: a blocked contact's devices are refused at the node, never relayed for, and their DM is read-only. */
  'contacts.block': {
    params: ContactId.extend({ blocked: z.boolean() }).strict(),
    result: ContactProfile,
  },
  /** The contacts as versioned JSON (names, identity keys, devices, verified flags; no secrets). */
  'contacts.export': { params: z.object({}).strict(), result: z.object({ json: z.string() }) },
  /** Imports a contacts export: nothing is sent; bad input is refused whole with a clear message. */
  'contacts.import': {
    params: z
      .object({
        json: z
          .string()
          .min(1, 'The file is empty.')
          .max(CONTACTS_IMPORT_MAX_LENGTH, 'That file is too large for a contacts export.'),
      })
      .strict(),
    result: ImportCounts,
  },
} as const satisfies RequestTable;

export const contactsEvents = {
  /** Contacts or pending contact requests changed. */
  'contacts.changed': z.object({}),
} as const satisfies EventTable;
