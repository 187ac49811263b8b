import { createHash, createPrivateKey, sign } from 'node:crypto';
import { verifyEd25519 } from '../util/ed25519';

/**
 * A device certificate: the user's identity key says "this libp2p device key
 * (PeerId) is one of mine" (DESIGN.md §2: devices are certified by the
 * identity key). A PeerId is authenticated by Noise on every connection, but
 * nothing in Noise ties it to an identity key: without a certificate anyone
 * could claim to be a new device of someone we know (issue #14 item 2).
 *
 * Carried in contact requests, contact responses and hello answers; the MLS
 * device credential (credential.ts) does the same job inside groups and also
 * certifies the MLS signature key. Binary layout, version 1 (docs/protocol.md
 * §3, "Device certificates"):
 *
 *   u8 version (1) | u8 kind (1: signed by the identity key itself)
 *   | identity_key[32] | u16 len, peer_id (UTF-8) | u64 issued_at (ms, big-endian)
 *   | signature[64]
 *   signature = Ed25519-Sign(identity_private_key,
 *                 "parley/v1/device-certificate\0" | every byte before the signature)
 *
 * `kind` leaves room for a later issue (several devices per person) to chain
 * certificates, e.g. a per-person device list signed by the identity key that
 * names certificates by `deviceCertificateId` (SHA-256 of the encoding).
 */

export const DEVICE_CERTIFICATE_VERSION = 1;
/** Signed by the identity key directly. */
export const KIND_IDENTITY_SIGNED = 1;
/** Generous: a v1 certificate with an Ed25519 PeerId (52 characters) is 160 bytes. */
export const MAX_DEVICE_CERTIFICATE_BYTES = 512;
const MAX_PEER_ID_BYTES = 128;
const SIGNATURE_BYTES = 64;
const CONTEXT = Buffer.from('parley/v1/device-certificate\0');

export interface DeviceCertificate {
  version: number;
  kind: number;
  /** The user's Ed25519 identity public key (32 bytes). */
  identityKey: Uint8Array;
  /** The certified device's libp2p PeerId (base58btc). */
  peerId: string;
  /** When the identity key signed it, ms since the epoch. */
  issuedAt: number;
  signature: Uint8Array;
}

function body(identityKey: Uint8Array, peerId: string, issuedAt: number): Buffer {
  const id = Buffer.from(peerId, 'utf8');
  if (identityKey.length !== 32) throw new RangeError('identity key must be 32 bytes');
  if (id.length === 0 || id.length > MAX_PEER_ID_BYTES) throw new RangeError('peer id length');
  if (!Number.isSafeInteger(issuedAt) || issuedAt < 0) throw new RangeError('issued_at');
  const head = Buffer.from([DEVICE_CERTIFICATE_VERSION, KIND_IDENTITY_SIGNED]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(id.length);
  const at = Buffer.alloc(8);
  at.writeBigUInt64BE(BigInt(issuedAt));
  return Buffer.concat([head, identityKey, len, id, at]);
}

/** Signs a certificate for `peerId` with the identity key (PKCS#8 DER private key). */
export function issueDeviceCertificate(
  identityPrivateKey: Uint8Array,
  identityKey: Uint8Array,
  peerId: string,
  issuedAt: number,
): Uint8Array {
  const signed = body(identityKey, peerId, issuedAt);
  const key = createPrivateKey({ key: Buffer.from(identityPrivateKey), format: 'der', type: 'pkcs8' });
  const signature = sign(null, Buffer.concat([CONTEXT, signed]), key);
  return new Uint8Array(Buffer.concat([signed, signature]));
}

/** Parses the bytes; null for anything malformed (never throws on hostile input). Does not verify. */
export function decodeDeviceCertificate(bytes: Uint8Array): DeviceCertificate | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fixed = 2 + 32 + 2 + 8 + SIGNATURE_BYTES;
  if (b.length < fixed || b.length > MAX_DEVICE_CERTIFICATE_BYTES) return null;
  if (b[0] !== DEVICE_CERTIFICATE_VERSION || b[1] !== KIND_IDENTITY_SIGNED) return null;
  const idLen = b.readUInt16BE(34);
  if (idLen === 0 || idLen > MAX_PEER_ID_BYTES || b.length !== fixed + idLen) return null;
  const peerIdBytes = b.subarray(36, 36 + idLen);
  const peerId = peerIdBytes.toString('utf8');
  // Canonical UTF-8 only: the signed bytes must be the bytes the PeerId string encodes to.
  if (!Buffer.from(peerId, 'utf8').equals(peerIdBytes)) return null;
  const issuedAt = b.readBigUInt64BE(36 + idLen);
  if (issuedAt > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return {
    version: b[0],
    kind: b[1],
    identityKey: new Uint8Array(b.subarray(2, 34)),
    peerId,
    issuedAt: Number(issuedAt),
    signature: new Uint8Array(b.subarray(b.length - SIGNATURE_BYTES)),
  };
}

/**
 * The certificate, if it decodes, its signature verifies under the identity
 * key it names, and it certifies exactly `expect.peerId` (and, when given,
 * `expect.identityKey`); otherwise null.
 */
export function verifyDeviceCertificate(
  bytes: Uint8Array | undefined,
  expect: { peerId: string; identityKey?: Uint8Array },
): DeviceCertificate | null {
  if (bytes === undefined) return null;
  const cert = decodeDeviceCertificate(bytes);
  if (cert === null || cert.peerId !== expect.peerId) return null;
  if (expect.identityKey && !Buffer.from(expect.identityKey).equals(Buffer.from(cert.identityKey)))
    return null;
  try {
    const signed = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength - SIGNATURE_BYTES);
    return verifyEd25519(cert.identityKey, Buffer.concat([CONTEXT, signed]), cert.signature) ? cert : null;
  } catch {
    return null;
  }
}

/** How a later device list names a certificate: SHA-256 of its encoding. */
export function deviceCertificateId(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}
