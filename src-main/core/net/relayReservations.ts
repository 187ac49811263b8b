import type { CircuitRelayService } from '@libp2p/circuit-relay-v2';
import type { PeerId } from '@libp2p/interface';

/**
 * The reservations our relay for contacts holds (issue 19, docs/protocol.md
 * §14.2), and ending one (issue 18, §13.8). Types only from libp2p: the node
 * imports this, and libp2p loads only when the first node is built
 * (lazyNetworkModules.test.ts).
 */

/** What lists and ends reservations: js-libp2p's relay service. */
export type RelayReservations = Pick<CircuitRelayService, 'reservations'>;

/** The relay as the node holds it: the service itself, or the switch around it (contactRelay.ts), null while off. */
export type RelayHolder = RelayReservations | { readonly current: RelayReservations | null };

export function relayOf(holder: RelayHolder | undefined): RelayReservations | null {
  if (holder === undefined) return null;
  return 'current' in holder ? holder.current : holder;
}

/**
 * Ends the reservation this relay holds for `peer`, as its expiry would
 * (docs/protocol.md §13.8 step 3: a removed device is relayed no more): it is
 * dropped at once, so a CONNECT to the peer gets NO_RESERVATION (circuit
 * relay v2 status 204), and its expiry signal fires on the next turn, which
 * resets every circuit relayed to the peer under it (js-libp2p's
 * `createLimitedRelay` listens to that signal, as it does for the duration
 * limit). Returns whether there was one. The peer cannot reserve again as
 * long as the gate's `mayReserve` refuses it (contactRelay.ts RelayGate).
 */
export function endReservation(relay: RelayReservations | null, peer: PeerId): boolean {
  const reservation = relay?.reservations.get(peer);
  if (!relay || !reservation) return false;
  relay.reservations.delete(peer);
  reservation.signal.reset(0);
  return true;
}
