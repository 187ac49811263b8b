import { z } from 'zod';
import type { EventTable, RequestTable } from './table';

/**
 * Settings → Network (issue 19): how this device is reached from other
 * networks: public addresses, relays in use, the relay and UPnP switches.
 * The peer network's live state is the `net.` area.
 */

const Empty = z.object({}).strict();

/** A contact's device this device holds a reservation on (it relays for us), by the contact's name. */
export const RelayUseView = z
  .object({
    name: z.string(),
    /** Reserved: reachable through it now. Connecting: (re)connecting to it to reserve again. */
    state: z.enum(['reserved', 'connecting']),
  })
  .strict();
export type RelayUseView = z.infer<typeof RelayUseView>;

/** What the user may choose for the relay (Settings → Network): a minute to a day, 1 MiB to 64 GiB, 1 to 256 devices. */
export const RELAY_LIMIT_BOUNDS = {
  durationMinutes: { min: 1, max: 24 * 60 },
  dataMiB: { min: 1, max: 64 * 1024 },
  reservations: { min: 1, max: 256 },
} as const;

const bounded = (key: keyof typeof RELAY_LIMIT_BOUNDS) =>
  z.number().int().min(RELAY_LIMIT_BOUNDS[key].min).max(RELAY_LIMIT_BOUNDS[key].max);

/** The relay's limits the user chose (stored; the relay takes them when networking starts). */
export const RelayLimitSettingsView = z
  .object({
    /** How long one relayed connection may stay open. */
    durationMinutes: bounded('durationMinutes'),
    /** What one relayed connection may carry, both directions together. */
    dataMiB: bounded('dataMiB'),
    /** Contacts' devices that may hold a reservation at once. */
    reservations: bounded('reservations'),
  })
  .strict();
export type RelayLimitSettingsView = z.infer<typeof RelayLimitSettingsView>;

/** At most this many public addresses; each as typed (`host:port` or a multiaddr), checked by the core. */
export const MAX_PUBLIC_ADDRESSES = 8;

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
    /** The relay's limits as stored (what `relayLimits` becomes when networking next starts). */
    relayLimitSettings: RelayLimitSettingsView,
    /** The public addresses the user gave (multiaddrs; `parley node --public` overrides them). */
    publicAddressSettings: z.array(z.string()),
    /** UPnP, the relay's limits or the public addresses changed since networking started: they apply at its next start. */
    appliesAtNextStart: z.boolean(),
  })
  .strict();
export type NetworkReachView = z.infer<typeof NetworkReachView>;

export const networkRequests = {
  /** Settings → Network: reachability, relays in use, the relay and UPnP switches. */
  'network.reach': { params: Empty, result: NetworkReachView },
  /**
   * Changes the reach settings (stored). The relay switch applies at once;
   * UPnP, the relay's limits and the public addresses when networking next
   * starts. A public address that is not one (or that other networks cannot
   * reach) is INVALID_PARAMS, with the reason; nothing is stored then.
   */
  'network.setReach': {
    params: z
      .object({
        relayForContacts: z.boolean().optional(),
        upnp: z.boolean().optional(),
        relayLimits: RelayLimitSettingsView.optional(),
        publicAddresses: z.array(z.string().max(200)).max(MAX_PUBLIC_ADDRESSES).optional(),
      })
      .strict(),
    result: NetworkReachView,
  },
} as const satisfies RequestTable;

export const networkEvents = {
  /** Reachability or the relays in use changed (refetch network.reach). */
  'network.changed': z.object({}),
} as const satisfies EventTable;
