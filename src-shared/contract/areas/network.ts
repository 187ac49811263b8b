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
} as const satisfies RequestTable;

export const networkEvents = {
  /** Reachability or the relays in use changed (refetch network.reach). */
  'network.changed': z.object({}),
} as const satisfies EventTable;
