import { z } from 'zod';

/** Shapes of the peer network, contacts and invites as they cross the bridge. Keys travel as hex. */

export const NetStateName = z.enum(['offline', 'looking', 'connected']);

/** What the `net.status` event carries: enough for the status chip. */
export const NetState = z.object({
  state: NetStateName,
  /** Distinct peers with an open connection. */
  peers: z.number().int().nonnegative(),
});
export type NetState = z.infer<typeof NetState>;

export const NetStatus = NetState.extend({
  /** This device's PeerId; null while networking is off. */
  peerId: z.string().nullable(),
  /** Listening multiaddrs (each ending in /p2p/<peerId>). */
  addresses: z.array(z.string()),
  /** Why networking is off although this shell wants it (a port in use, a damaged database), in words. */
  problem: z.string().nullable(),
});
export type NetStatus = z.infer<typeof NetStatus>;

export const ContactView = z.object({
  id: z.number().int(),
  name: z.string(),
  identityKey: z.string(),
  verified: z.boolean(),
  blocked: z.boolean(),
  /** One of their devices presented another identity key: "safety number changed" until the user decides. */
  keyChanged: z.boolean(),
});
export type ContactView = z.infer<typeof ContactView>;

export const InviteView = z.object({
  /** `parley://invite/…`, what the other person pastes. */
  link: z.string(),
  /** A friendly sentence around the link, for sharing by other means. */
  text: z.string(),
  /** What the QR code encodes (the link). */
  qrData: z.string(),
});
export type InviteView = z.infer<typeof InviteView>;

/** Where one of this user's invites stands (the Add contact dialog takes a used one off the screen). */
export const InviteStatusView = z.object({
  /** 'unknown': not an invite of this device (or not an invite at all). */
  state: z.enum(['open', 'used', 'expired', 'unknown']),
  /** Who used it, when that is a contact. */
  usedBy: z.object({ contactId: z.number().int(), name: z.string() }).nullable(),
});
export type InviteStatusView = z.infer<typeof InviteStatusView>;

export const ContactRequestView = z.object({
  id: z.number().int(),
  /**
   * Who it is from, in words: the contact's own name for a proven new device
   * of a contact, otherwise the name the request claims (untrusted text).
   */
  name: z.string(),
  message: z.string(),
  receivedAt: z.number(),
  /** The device proved, with a certificate by its identity key, that it belongs to that person. */
  proven: z.boolean(),
  /** A proven new device of this contact (then `name` is the contact's name). */
  contactId: z.number().int().nullable(),
  /** Not a contact, but uses the name of one: the contact's name, so the UI can warn. */
  sameNameAs: z.string().nullable(),
});
export type ContactRequestView = z.infer<typeof ContactRequestView>;

/**
 * Longest text message, in UTF-16 code units. Equal to the wire format's
 * MAX_TEXT_CHARS (core/content/content.ts): a longer text would be refused
 * by every receiver, so the contract refuses it first.
 */
export const MESSAGE_MAX_LENGTH = 16_000;
/** Longest invite a user can paste (a real one is well under 2 KB). */
export const INVITE_MAX_LENGTH = 8_192;
export const GROUP_NAME_MAX_LENGTH = 100;
