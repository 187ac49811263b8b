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

/** A contact's device this device holds a reservation on (it relays for us), by the contact's name. */
export const RelayUseView = z
  .object({
    name: z.string(),
    /** Reserved: reachable through it now. Connecting: (re)connecting to it to reserve again. */
    state: z.enum(['reserved', 'connecting']),
  })
  .strict();
export type RelayUseView = z.infer<typeof RelayUseView>;

/** Settings → Network (issue 19): how this device is reached from other networks. */
export const NetworkReachView = z
  .object({
    /** Networking runs (the profile is unlocked and the node started). */
    running: z.boolean(),
    /** Addresses other networks can dial this device at (`parley node --public`, `net.publicAddresses`). */
    publicAddresses: z.array(z.string()),
    /** Relays this device reserves on (when it has no public address). */
    relays: z.array(RelayUseView),
    /** "Relay for my contacts": while this device is reachable, contacts behind NAT are reached through it. */
    relayForContacts: z.boolean(),
    /** What a relayed connection through this device may use. */
    relayLimits: z
      .object({
        durationMinutes: z.number(),
        dataMiB: z.number(),
        reservations: z.number().int(),
        connections: z.number().int(),
      })
      .strict(),
    /** Connections relayed through this device since it started; null when it relays for nobody. */
    relayedConnections: z.number().int().nullable(),
    /** Ask the router for a port mapping (UPnP IGD / NAT-PMP); off by default. */
    upnp: z.boolean(),
  })
  .strict();
export type NetworkReachView = z.infer<typeof NetworkReachView>;

export const networkRequests = {
  /** Settings → Network: reachability, relays in use, the relay and UPnP switches. */
  'network.reach': { params: Empty, result: NetworkReachView },
  /** Changes the relay or UPnP switch (stored; the relay switch applies at once). */
  'network.setReach': {
    params: z.object({ relayForContacts: z.boolean().optional(), upnp: z.boolean().optional() }).strict(),
    result: NetworkReachView,
  },
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
  /** Reachability or the relays in use changed (refetch network.reach). */
  'network.changed': z.object({}),
  /** A contact's presence changed (refetch presence.list). */
  'presence.changed': z.object({}),
  /** The own profile card changed. */
  'profile.updated': OwnProfileView,
} as const satisfies EventTable;
