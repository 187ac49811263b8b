import { z } from 'zod';
import type { EventTable, RequestTable } from './table';

/** People on this network (found by mDNS) who chose to be discoverable (issue #5). */

/** Someone mDNS found on this network who is discoverable and not yet a contact. */
export const NearbyPeerView = z.object({
  peerId: z.string(),
  displayName: z.string(),
  /** Hex. */
  identityKey: z.string(),
  requested: z.boolean(),
});
export type NearbyPeerView = z.infer<typeof NearbyPeerView>;

export const nearbyRequests = {
  /** People nearby who are discoverable, by name (empty while we are not discoverable ourselves). */
  'nearby.list': { params: z.object({}).strict(), result: z.array(NearbyPeerView) },
  /** Sends a contact request to a nearby person; they must accept it. */
  'nearby.requestContact': {
    params: z.object({ peerId: z.string().min(1).max(128), message: z.string().max(500) }).strict(),
    result: z.object({}),
  },
} as const satisfies RequestTable;

export const nearbyEvents = {
  /** The nearby list changed (refetch nearby.list). */
  'nearby.changed': z.object({}),
} as const satisfies EventTable;
