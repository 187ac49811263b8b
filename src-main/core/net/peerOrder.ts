import { peerIdFromString } from '@libp2p/peer-id';

/**
 * "Only the lower PeerId dials" (DESIGN.md §2 net): when two peers discover
 * each other at once, both dialing would race two connections and each side
 * might keep a different one. Both sides compare the PeerIds' multihash bytes
 * the same way, so exactly one of them dials first.
 */
export function comparePeerIds(a: string, b: string): number {
  const x = peerIdFromString(a).toMultihash().bytes;
  const y = peerIdFromString(b).toMultihash().bytes;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** True when `self` should dial `other` without waiting. */
export function dialsFirst(self: string, other: string): boolean {
  return comparePeerIds(self, other) < 0;
}
