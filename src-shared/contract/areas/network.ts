import { z } from 'zod';
import type { EventTable, RequestTable } from './table';

/** Presence, nearby peers, network and privacy settings, own profile (issues #5, #6 item 5). */

const Empty = z.object({}).strict();

/** Privacy & network settings; every key is on/off and has a default (discoverable, relay on). */
export const PrivacySettingsView = z.object({
  /** Announce and answer mDNS, and show our name to people nearby. */
  discoverable: z.boolean(),
  /** Contacts see us offline (we still send, receive and relay). */
  invisible: z.boolean(),
  /** This device holds messages for contacts who are offline. */
  relayForContacts: z.boolean(),
});
export type PrivacySettingsView = z.infer<typeof PrivacySettingsView>;

export const SettingsView = z.object({ privacy: PrivacySettingsView });
export type SettingsView = z.infer<typeof SettingsView>;

/** Someone mDNS found on this network who is discoverable and not yet a contact. */
export const NearbyPeerView = z.object({
  peerId: z.string(),
  displayName: z.string(),
  /** Hex. */
  identityKey: z.string(),
  requested: z.boolean(),
});
export type NearbyPeerView = z.infer<typeof NearbyPeerView>;

export const LastSeenView = z.enum(['just-now', 'today', 'this-week', 'long-ago']);
export type LastSeenView = z.infer<typeof LastSeenView>;

/**
 * How a contact is reached right now (issue 13): connected directly; not, but
 * a connected contact (named) is connected to them, so messages are handed
 * over through that contact at once; or offline since a time this device saw
 * (null: never seen online here, e.g. they appear offline).
 */
export const ContactConnectionView = z.discriminatedUnion('state', [
  z.object({ state: z.literal('direct') }).strict(),
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

export const PROFILE_NAME_MAX_LENGTH = 64;
export const PROFILE_STATUS_MAX_LENGTH = 140;
/** 64 KB of picture as base64. */
export const PROFILE_AVATAR_MAX_BASE64 = Math.ceil((64 * 1024 * 4) / 3) + 4;

export const OwnProfileView = z.object({
  displayName: z.string(),
  statusText: z.string(),
  /** A data: URL, or null. */
  avatar: z.string().nullable(),
  version: z.number().int(),
});
export type OwnProfileView = z.infer<typeof OwnProfileView>;

export const networkRequests = {
  /** Privacy & network settings. */
  'settings.get': { params: Empty, result: SettingsView },
  /** Changes some settings; applied at once (mDNS on/off, presence pushed to contacts). */
  'settings.set': {
    params: z.object({ privacy: PrivacySettingsView.partial().strict() }).strict(),
    result: SettingsView,
  },
  /** People nearby who are discoverable, by name (empty while we are not discoverable ourselves). */
  'nearby.list': { params: Empty, result: z.array(NearbyPeerView) },
  /** Sends a contact request to a nearby person; they must accept it. */
  'nearby.requestContact': {
    params: z.object({ peerId: z.string().min(1).max(128), message: z.string().max(500) }).strict(),
    result: z.object({}),
  },
  /** Presence, status and picture of every contact. */
  'presence.list': { params: Empty, result: z.array(ContactPresenceView) },
  /** The user's own profile card. */
  'profile.get': { params: Empty, result: OwnProfileView },
  /** Changes name, status and/or picture (base64 PNG/JPEG/WebP ≤ 64 KB; null removes it) and tells contacts. */
  'profile.update': {
    params: z
      .object({
        displayName: z.string().min(1).max(PROFILE_NAME_MAX_LENGTH).optional(),
        statusText: z.string().max(PROFILE_STATUS_MAX_LENGTH).optional(),
        avatar: z.string().max(PROFILE_AVATAR_MAX_BASE64).nullable().optional(),
      })
      .strict(),
    result: OwnProfileView,
  },
} as const satisfies RequestTable;

export const networkEvents = {
  /** Privacy & network settings changed (from any window). */
  'settings.changed': SettingsView,
  /** The nearby list changed (refetch nearby.list). */
  'nearby.changed': z.object({}),
  /** A contact's presence changed (refetch presence.list). */
  'presence.changed': z.object({}),
  /** The own profile card changed. */
  'profile.updated': OwnProfileView,
} as const satisfies EventTable;
