import type { Directory } from '../contacts/directory';
import type { ParleyNodeOptions } from '../net/parleyNode';
import type { NetworkFeatures } from '../presence/networkFeatures';

/**
 * Issue 19 (docs/protocol.md §14): a node with public addresses announces them
 * and relays for its contacts' devices (while "Relay for my contacts",
 * `net.relay.forContacts`, is on);
 * any other node holds reservations on its contacts' relays, and relays too
 * while its contacts confirm it reachable (a UPnP mapping when `upnp` is on,
 * a public address on its own interface).
 */
export function reachOptions(
  publicAddresses: string[],
  upnp: boolean,
  directory: Directory,
  network: NetworkFeatures,
): Pick<ParleyNodeOptions, 'announce' | 'relay' | 'reservations' | 'upnp'> {
  const mayReserve = (peer: string) => network.relaysForContacts() && directory.holdsFor(peer);
  // Settings → Network's relay limits (net.relay.limits), read once: libp2p's relay takes them at start.
  const limits = network.relayLimits();
  if (publicAddresses.length === 0)
    return {
      reservations: { isCandidate: (peer) => directory.isHolder(peer) },
      relay: { mayReserve, limits, whenReachable: true },
      upnp,
    };
  return { announce: publicAddresses, relay: { mayReserve, limits } };
}
