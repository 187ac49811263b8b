import { z } from 'zod';
import type { EventTable, RequestTable } from './table';

/**
 * Contacts' presence (online, last seen, how each is reached) and the profile
 * card they shared with us: status and picture (issues #6 item 5, #13, #19).
 */

export const LastSeenView = z.enum(['just-now', 'today', 'this-week', 'long-ago']);
export type LastSeenView = z.infer<typeof LastSeenView>;

/**
 * The path of a live connection to a contact (issue 19): on a network this
 * device is on (LAN), directly over the internet, or through a relay (the
 * contact's device whose node relays for them: its name here, or null when
 * that relay is not one of our contacts).
 */
export const ConnectionPathView = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('lan') }).strict(),
  z.object({ kind: z.literal('internet') }).strict(),
  z.object({ kind: z.literal('relay'), via: z.string().nullable() }).strict(),
]);
export type ConnectionPathView = z.infer<typeof ConnectionPathView>;

/**
 * How a contact is reached right now (issue 13): connected, by a path (issue
 * 19); not, but a connected contact (named) is connected to them, so messages
 * are handed over through that contact at once; or offline since a time this
 * device saw (null: never seen online here, e.g. they appear offline).
 */
export const ContactConnectionView = z.discriminatedUnion('state', [
  z.object({ state: z.literal('direct'), path: ConnectionPathView }).strict(),
  z.object({ state: z.literal('relayed'), via: z.string() }).strict(),
  z.object({ state: z.literal('offline'), since: z.number().int().nullable() }).strict(),
]);
export type ContactConnectionView = z.infer<typeof ContactConnectionView>;

/** A contact's presence and profile card (status, picture), as they shared it with us. */
export const ContactPresenceView = z.object({
  contactId: z.number().int(),
  /** The DM with this contact, so the conversation list and chat header can show the dot. */
  dmConversationId: z.number().int().nullable(),
  online: z.boolean(),
  /** null while online or when never seen. */
  lastSeen: LastSeenView.nullable(),
  connection: ContactConnectionView,
  statusText: z.string(),
  /** A data: URL (PNG, JPEG or WebP checked by magic bytes), or null. */
  avatar: z.string().nullable(),
});
export type ContactPresenceView = z.infer<typeof ContactPresenceView>;

export const presenceRequests = {
  /** Presence, status and picture of every contact. */
  'presence.list': { params: z.object({}).strict(), result: z.array(ContactPresenceView) },
} as const satisfies RequestTable;

export const presenceEvents = {
  /** A contact's presence changed (refetch presence.list). */
  'presence.changed': z.object({}),
} as const satisfies EventTable;
