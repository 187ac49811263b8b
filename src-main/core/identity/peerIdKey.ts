import { peerIdFromString } from '@libp2p/peer-id';

/**
 * The raw 32-byte Ed25519 public key embedded in a PeerId (an identity
 * multihash carries the key itself, libp2p peer-ids spec), or null when the
 * string is not an Ed25519 PeerId. Device-list signatures check against this
 * key without a lookup (docs/protocol.md §13.2).
 */
export function ed25519KeyOfPeerId(peerId: string): Uint8Array | null {
  if (peerId.length === 0 || peerId.length > 128) return null;
  try {
    const id = peerIdFromString(peerId);
    if (id.type !== 'Ed25519') return null;
    // Canonical form only: the string must be the one the key encodes to.
    if (id.toString() !== peerId) return null;
    return new Uint8Array(id.publicKey.raw);
  } catch {
    return null;
  }
}
