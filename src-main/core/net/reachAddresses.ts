import { isLoopback, isPrivate } from '@libp2p/utils';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';

/**
 * The addresses a node tells others (address records, invites): relayed ones
 * only through `relays` (the keeper's choice among contacts; libp2p also
 * reserves on any peer that relays a connection to us, and that address is
 * never told), ordered direct first (up to three, what an invite has room
 * for), then relayed, then the other direct ones.
 */
export function announcedAddresses(all: string[], relays: string[]): string[] {
  // WebRTC addresses are not told: the dialler of a relayed connection derives them (directUpgrade.ts).
  all = all.filter((a) => !a.includes('/webrtc'));
  const relayed = all.filter(
    (a) => a.includes('/p2p-circuit') && relays.some((r) => a.includes(`/p2p/${r}/p2p-circuit`)),
  );
  const direct = all.filter((a) => !a.includes('/p2p-circuit'));
  return [...direct.slice(0, 3), ...relayed, ...direct.slice(3)];
}

/**
 * Whether any of these addresses is on the internet (neither private nor
 * loopback, RFC 1918 / RFC 4193 and friends). A relayed address counts by its
 * relay's address: a peer reached through a public relay is on another
 * network. Unparsable addresses count as not public.
 */
export function hasPublicAddress(addresses: readonly string[]): boolean {
  return addresses.some((a) => {
    if (!/^\/(ip4|ip6|dns|dns4|dns6)\//.test(a)) return false;
    try {
      const ma = multiaddr(a);
      return !isPrivate(ma) && !isLoopback(ma);
    } catch {
      return false;
    }
  });
}

/** The relayed (`/p2p-circuit`) ones among a peer's addresses, each ending in `/p2p/<peer>`, to dial. */
export function relayedDialAddresses(peer: string, addresses: readonly Multiaddr[]): Multiaddr[] {
  return addresses
    .filter((a) => a.toString().includes('/p2p-circuit'))
    .map((a) => (a.toString().endsWith(`/p2p-circuit/p2p/${peer}`) ? a : a.encapsulate(`/p2p/${peer}`)));
}
