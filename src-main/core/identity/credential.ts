import { createPrivateKey, sign } from 'node:crypto';
import { verifyEd25519 } from '../util/ed25519';
import { u16 } from '../util/bigEndian';

/**
 * What an MLS leaf says about who is behind it (RFC 9420 §5.3 leaves the
 * identity in a BasicCredential to the application): the user's identity key,
 * the device (its libp2p PeerId), and the identity key's signature over the
 * leaf's MLS signature key. A member that cannot show such a certificate is
 * not accepted into any group.
 *
 * Binary layout, version 1:
 *   u8 version | identityKey[32] | certificate[64] | u16 len, peerId (UTF-8) | u16 len, signatureKey
 */
export interface DeviceCredential {
  /** The user's Ed25519 identity public key (32 bytes). */
  identityKey: Uint8Array;
  /** The device's libp2p PeerId, base58. */
  peerId: string;
  /** The MLS signature public key of this leaf. */
  signatureKey: Uint8Array;
  /** Ed25519 signature by the identity key over certifiedBytes(peerId, signatureKey). */
  certificate: Uint8Array;
}

const VERSION = 1;
const CONTEXT = Buffer.from('parley/v1/device-credential\0');

function certifiedBytes(peerId: string, signatureKey: Uint8Array): Buffer {
  const id = Buffer.from(peerId, 'utf8');
  return Buffer.concat([CONTEXT, u16(id.length), id, u16(signatureKey.length), signatureKey]);
}

/** Signs a leaf's MLS signature key with the identity key (PKCS#8 DER), for this device. */
export function certifyDevice(
  identityPrivateKey: Uint8Array,
  identityKey: Uint8Array,
  peerId: string,
  signatureKey: Uint8Array,
): DeviceCredential {
  const key = createPrivateKey({ key: Buffer.from(identityPrivateKey), format: 'der', type: 'pkcs8' });
  const certificate = sign(null, certifiedBytes(peerId, signatureKey), key);
  return { identityKey, peerId, signatureKey, certificate };
}

/** True when the identity key really certified this device and signature key. */
export function verifyDeviceCredential(c: DeviceCredential): boolean {
  return verifyEd25519(c.identityKey, certifiedBytes(c.peerId, c.signatureKey), c.certificate);
}

export function encodeDeviceCredential(c: DeviceCredential): Uint8Array {
  const id = Buffer.from(c.peerId, 'utf8');
  return Buffer.concat([
    Buffer.from([VERSION]),
    c.identityKey,
    c.certificate,
    u16(id.length),
    id,
    u16(c.signatureKey.length),
    c.signatureKey,
  ]);
}

/** Parses the credential bytes; null for anything malformed (never throws on hostile input). */
export function decodeDeviceCredential(bytes: Uint8Array): DeviceCredential | null {
  const b = Buffer.from(bytes);
  if (b.length < 1 + 32 + 64 + 2 || b[0] !== VERSION) return null;
  let o = 1;
  const identityKey = b.subarray(o, (o += 32));
  const certificate = b.subarray(o, (o += 64));
  const idLen = b.readUInt16BE(o);
  o += 2;
  if (o + idLen + 2 > b.length) return null;
  const peerId = b.subarray(o, (o += idLen)).toString('utf8');
  const keyLen = b.readUInt16BE(o);
  o += 2;
  if (o + keyLen !== b.length) return null;
  const signatureKey = b.subarray(o, o + keyLen);
  return {
    identityKey: new Uint8Array(identityKey),
    peerId,
    signatureKey: new Uint8Array(signatureKey),
    certificate: new Uint8Array(certificate),
  };
}

/**
 * Version 2, for a device that is not device 0 (docs/protocol.md §13.6):
 *   u8 version (2) | identityKey[32] | u16 len, peerId (UTF-8) | u16 len, signatureKey | u32 addedSeq
 * It carries no signature of its own: both the device key and the MLS
 * signature key signed the `add` entry at `addedSeq` of the person's device
 * list (possession signatures, §13.3), so the list is the certificate. A
 * verifier accepts it only against that entry (mls/credentials.ts).
 */
export interface ListedDeviceCredential {
  identityKey: Uint8Array;
  peerId: string;
  signatureKey: Uint8Array;
  /** seq of the device list entry that added this device. */
  addedSeq: number;
}

const LISTED_VERSION = 2;
/** PeerIds in the device list are 1–128 bytes (§13.3); the same bound here. */
const MAX_PEER_ID_BYTES = 128;

export function encodeListedDeviceCredential(c: ListedDeviceCredential): Uint8Array {
  const id = Buffer.from(c.peerId, 'utf8');
  if (c.identityKey.length !== 32) throw new RangeError('identity key must be 32 bytes');
  if (id.length < 1 || id.length > MAX_PEER_ID_BYTES) throw new RangeError('PeerId must be 1–128 bytes');
  if (!Number.isInteger(c.addedSeq) || c.addedSeq < 0 || c.addedSeq > 0xffffffff)
    throw new RangeError('addedSeq must be a u32');
  const seq = Buffer.alloc(4);
  seq.writeUInt32BE(c.addedSeq);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([LISTED_VERSION]),
      c.identityKey,
      u16(id.length),
      id,
      u16(c.signatureKey.length),
      c.signatureKey,
      seq,
    ]),
  );
}

/** Parses a version 2 credential; null for anything malformed or non-canonical (never throws). */
export function decodeListedDeviceCredential(bytes: Uint8Array): ListedDeviceCredential | null {
  const b = Buffer.from(bytes);
  if (b.length < 1 + 32 + 2 + 2 + 4 || b[0] !== LISTED_VERSION) return null;
  let o = 1;
  const identityKey = new Uint8Array(b.subarray(o, (o += 32)));
  const idLen = b.readUInt16BE(o);
  o += 2;
  if (idLen < 1 || idLen > MAX_PEER_ID_BYTES || o + idLen + 2 > b.length) return null;
  let peerId: string;
  try {
    peerId = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(o, (o += idLen)));
  } catch {
    return null;
  }
  const keyLen = b.readUInt16BE(o);
  o += 2;
  if (keyLen !== 32 || o + keyLen + 4 !== b.length) return null;
  const signatureKey = new Uint8Array(b.subarray(o, (o += keyLen)));
  return { identityKey, peerId, signatureKey, addedSeq: b.readUInt32BE(o) };
}

/** Either version, tagged: what an MLS leaf's BasicCredential identity may hold. */
export type AnyDeviceCredential =
  ({ version: 1 } & DeviceCredential) | ({ version: 2 } & ListedDeviceCredential);

export function decodeAnyDeviceCredential(bytes: Uint8Array): AnyDeviceCredential | null {
  if (bytes[0] === LISTED_VERSION) {
    const c = decodeListedDeviceCredential(bytes);
    return c ? { version: 2, ...c } : null;
  }
  const c = decodeDeviceCredential(bytes);
  return c ? { version: 1, ...c } : null;
}
