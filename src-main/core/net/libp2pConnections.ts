import type { Libp2p, Libp2pEvents, PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { NetError } from './netError';
import type { ConnectionInfo } from './nodeOptions';
import { relayedDialAddresses } from './reachAddresses';

/**
 * What ParleyNode asks of the libp2p node's connections and peer store:
 * whether a peer is connected, over what, at which relayed addresses it
 * can be dialled, and a listener on a few of libp2p's events at once.
 */

/** A PeerId from its string, or NetError('refused') for anything else. */
export function parsePeer(peer: string): PeerId {
  try {
    return peerIdFromString(peer);
  } catch (err) {
    throw new NetError('refused', 'not a PeerId', { cause: err });
  }
}

export function isConnectedOn(libp2p: Libp2p, peer: string): boolean {
  return libp2p.getConnections().some((c) => c.remotePeer.toString() === peer && c.status === 'open');
}

/** The IP address of a direct (not relayed) open connection to `peer`, or null. */
export function directHostOf(node: Libp2p, peer: string): string | null {
  const conn = node
    .getConnections(parsePeer(peer))
    .find(
      (c) =>
        c.status === 'open' && c.limits === undefined && !c.remoteAddr.toString().includes('/p2p-circuit'),
    );
  return conn?.remoteAddr.getComponents()[0]?.value ?? null;
}

/** Open connections, for diagnostics (and to check who dialled whom). */
export function connectionInfos(libp2p: Libp2p): ConnectionInfo[] {
  return libp2p.getConnections().map((c) => ({
    peerId: c.remotePeer.toString(),
    direction: c.direction,
    remoteAddress: c.remoteAddr.toString(),
    streams: countBy(c.streams.map((st) => st.protocol || '(negotiating)')),
  }));
}

/** The relayed addresses the peer store knows for `peer` (none when it knows the peer not). */
export async function relayedAddressesOf(
  libp2p: Libp2p,
  peer: string,
): Promise<ReturnType<typeof relayedDialAddresses>> {
  try {
    const known = await libp2p.peerStore.get(peerIdFromString(peer));
    return relayedDialAddresses(
      peer,
      known.addresses.map((a) => a.multiaddr),
    );
  } catch {
    return [];
  }
}

/** Calls `listener` on any of `events`; returns the function that stops it. */
export function onLibp2pEvents(
  libp2p: Libp2p,
  events: (keyof Libp2pEvents)[],
  listener: () => void,
): () => void {
  const handler = (): void => listener();
  for (const event of events) libp2p.addEventListener(event, handler);
  return () => {
    for (const event of events) libp2p.removeEventListener(event, handler);
  };
}

function countBy(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}
