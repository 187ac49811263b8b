import { isLoopback, isPrivate } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';

/**
 * How a connection reaches its peer (issue 19 item 4), read from the
 * connection's remote address:
 * - `relay`: a `/p2p-circuit` address (circuit relay v2, libp2p spec
 *   relay/circuit-v2.md): `<relay address>/p2p/<relay>/p2p-circuit/...`, so
 *   the relay is the PeerId right before `/p2p-circuit`;
 * - `lan`: a private (RFC 1918, RFC 4193, link-local) or loopback address:
 *   the peer is on a network we are on;
 * - `internet`: any other address: a direct connection across networks; also
 *   a WebRTC connection (`…/p2p-circuit/webrtc/…`, net/directUpgrade.ts): it
 *   was signalled through the relay but its packets take the path ICE found
 *   (RFC 8445), not the relay.
 */
export type ConnectionPath = { kind: 'lan' } | { kind: 'internet' } | { kind: 'relay'; relay: string };

const CIRCUIT = /\/p2p\/([^/]+)\/p2p-circuit(\/|$)/;

export function connectionPath(remoteAddress: string): ConnectionPath {
  if (remoteAddress.includes('/p2p-circuit/webrtc')) return { kind: 'internet' };
  const circuit = CIRCUIT.exec(remoteAddress);
  if (circuit?.[1] !== undefined) return { kind: 'relay', relay: circuit[1] };
  try {
    const ma = multiaddr(remoteAddress);
    return isPrivate(ma) || isLoopback(ma) ? { kind: 'lan' } : { kind: 'internet' };
  } catch {
    return { kind: 'internet' };
  }
}

const RANK = { lan: 0, internet: 1, relay: 2 } as const;

/** The best of a peer's open connections (LAN, then internet, then relayed), or null without one. */
export function bestPath(remoteAddresses: readonly string[]): ConnectionPath | null {
  let best: ConnectionPath | null = null;
  for (const address of remoteAddresses) {
    const path = connectionPath(address);
    if (best === null || RANK[path.kind] < RANK[best.kind]) best = path;
  }
  return best;
}
