import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { loadDeviceKey } from './deviceKey';

/**
 * A device's signed address record (issue 13): libp2p's peer record
 * (libp2p RFC 0003, "Peer Routing Records") in a signed envelope (RFC 0002,
 * domain "libp2p-peer-record"), signed by the device key, so any contact can
 * pass it on and whoever gets it can check that the device itself said where
 * it listens. `seq` orders a device's records: a newer one replaces an older
 * one, never the other way round. The addresses are plain multiaddrs, so a
 * relayed address (`/p2p/<relay>/p2p-circuit`, issue 19) fits as it is.
 */

/** A record on the wire is at most this long; more addresses than this are cut. */
export const MAX_RECORD_BYTES = 2_048;
export const MAX_RECORD_ADDRESSES = 16;
export const MAX_ADDRESS_LENGTH = 256;

export interface AddressRecord {
  /** The device the record is about (and that signed it). */
  peerId: string;
  /** Orders a device's records; we keep sequence numbers within 2^53. */
  seq: number;
  /** Multiaddrs without the trailing /p2p/<peerId>. */
  addresses: string[];
  /** The signed envelope, as sealed: what is stored and passed on. */
  envelope: Uint8Array;
}

/** The address without a trailing /p2p/<peer> (records name the peer once, in the envelope). */
function withoutOwnPeer(address: Multiaddr, peer: string): Multiaddr {
  const components = address.getComponents();
  const last = components.at(-1);
  if (last?.name === 'p2p' && last.value === peer) {
    return multiaddr(
      components
        .slice(0, -1)
        .map((c) => (c.value === undefined ? `/${c.name}` : `/${c.name}/${c.value}`))
        .join(''),
    );
  }
  return address;
}

/** Signs a record of `addresses` (at most MAX_RECORD_ADDRESSES are kept) with the device key. */
export async function sealAddressRecord(
  deviceKey: Uint8Array,
  addresses: readonly string[],
  seq: number,
): Promise<AddressRecord> {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError('seq must be a safe non-negative integer');
  const privateKey = loadDeviceKey(deviceKey);
  const peerId = peerIdFromPrivateKey(privateKey);
  const self = peerId.toString();
  const multiaddrs: Multiaddr[] = [];
  for (const a of addresses) {
    if (a.length > MAX_ADDRESS_LENGTH || multiaddrs.length >= MAX_RECORD_ADDRESSES) continue;
    try {
      multiaddrs.push(withoutOwnPeer(multiaddr(a), self));
    } catch {
      // Not a multiaddr: nothing anyone could dial.
    }
  }
  const record = new PeerRecord({ peerId, multiaddrs, seqNumber: BigInt(seq) });
  let envelope = (await RecordEnvelope.seal(record, privateKey)).marshal();
  // Long addresses could push the record over the wire limit: drop from the end until it fits.
  while (envelope.length > MAX_RECORD_BYTES && multiaddrs.length > 0) {
    multiaddrs.pop();
    const smaller = new PeerRecord({ peerId, multiaddrs, seqNumber: BigInt(seq) });
    envelope = (await RecordEnvelope.seal(smaller, privateKey)).marshal();
  }
  return { peerId: self, seq, addresses: multiaddrs.map((m) => m.toString()), envelope };
}

/**
 * Checks a record from the wire: a well-formed envelope of the peer-record
 * type, a valid signature for its domain, by the key of the very peer the
 * record is about, within the size and count limits. Returns null otherwise
 * (whoever passed it on gets no say in what it claims), or an encoding other
 * than the canonical one.
 */
export async function openAddressRecord(bytes: Uint8Array): Promise<AddressRecord | null> {
  if (bytes.length === 0 || bytes.length > MAX_RECORD_BYTES) return null;
  try {
    const envelope = await RecordEnvelope.openAndCertify(bytes, PeerRecord.DOMAIN);
    // Only the canonical encoding: protobuf decoding forgives odd field tags
    // outside what the signature covers, and a record is stored and passed on
    // byte for byte, so each record has exactly one accepted form.
    if (!equalBytes(envelope.marshal(), bytes)) return null;
    if (!equalBytes(envelope.payloadType, PeerRecord.CODEC)) return null;
    const record = PeerRecord.createFromProtobuf(envelope.payload);
    // The signer must be the peer the record is about (RFC 0003: "signed by the peer").
    if (record.peerId.publicKey === undefined || !record.peerId.publicKey.equals(envelope.publicKey))
      return null;
    if (record.seqNumber > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    if (record.multiaddrs.length > MAX_RECORD_ADDRESSES) return null;
    const addresses = record.multiaddrs.map((m) => m.toString());
    if (addresses.some((a) => a.length > MAX_ADDRESS_LENGTH)) return null;
    return { peerId: record.peerId.toString(), seq: Number(record.seqNumber), addresses, envelope: bytes };
  } catch {
    return null;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
