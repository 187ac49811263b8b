import { createHash, createPrivateKey, sign } from 'node:crypto';
import { type Ed25519Sign, verifyEd25519 } from '../util/ed25519';
import { ed25519KeyOfPeerId } from './peerIdKey';

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
 * Kind 2 (docs/protocol.md §13.2, several devices per person) is signed by
 * another device of the same person, named after the issue date:
 *
 *   u8 version (1) | u8 kind (2) | identity_key[32] | u16 len, peer_id
 *   | u64 issued_at | u16 len, issuer_peer_id (UTF-8, 1–128 B) | signature[64]
 *   signature = Ed25519-Sign(issuer device key, same context | every byte before it)
 *
 * A kind 2 certificate proves nothing alone: it counts only inside a device
 * list whose `add` entry carries it (identity/deviceListVerify.ts). So
 * `decodeDeviceCertificate`/`verifyDeviceCertificate`, used where a lone
 * certificate must prove a device (contact requests, hello), keep refusing
 * kind 2; the list verifier reads both kinds with `decodeListedDeviceCertificate`.
 */

export const DEVICE_CERTIFICATE_VERSION = 1;
/** Signed by the identity key directly. */
export const KIND_IDENTITY_SIGNED = 1;
/** Signed by another device of the same person; valid only with its device list (§13.2). */
export const KIND_DEVICE_SIGNED = 2;
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
  /** Kind 2 only: the PeerId of the device that signed it. */
  issuerPeerId?: string;
  signature: Uint8Array;
}

function lengthPrefixed(s: string): Buffer {
  const id = Buffer.from(s, 'utf8');
  if (id.length === 0 || id.length > MAX_PEER_ID_BYTES) throw new RangeError('peer id length');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(id.length);
  return Buffer.concat([len, id]);
}

function body(identityKey: Uint8Array, peerId: string, issuedAt: number, issuerPeerId?: string): Buffer {
  if (identityKey.length !== 32) throw new RangeError('identity key must be 32 bytes');
  if (!Number.isSafeInteger(issuedAt) || issuedAt < 0) throw new RangeError('issued_at');
  const kind = issuerPeerId === undefined ? KIND_IDENTITY_SIGNED : KIND_DEVICE_SIGNED;
  const head = Buffer.from([DEVICE_CERTIFICATE_VERSION, kind]);
  const at = Buffer.alloc(8);
  at.writeBigUInt64BE(BigInt(issuedAt));
  const issuer = issuerPeerId === undefined ? [] : [lengthPrefixed(issuerPeerId)];
  return Buffer.concat([head, identityKey, lengthPrefixed(peerId), at, ...issuer]);
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

/**
 * Kind 2: signed by the issuing device's key (its seed, or libp2p's 64-byte
 * private key), for a device added to the list by `issuerPeerId`.
 */
export function issueListedDeviceCertificate(
  issuerSign: Ed25519Sign,
  issuerPeerId: string,
  identityKey: Uint8Array,
  peerId: string,
  issuedAt: number,
): Uint8Array {
  const signed = body(identityKey, peerId, issuedAt, issuerPeerId);
  const signature = issuerSign(Buffer.concat([CONTEXT, signed]));
  return new Uint8Array(Buffer.concat([signed, signature]));
}

/** A length-prefixed canonical UTF-8 PeerId at `at`, or null; `end` is the offset after it. */
function readPeerId(b: Buffer, at: number): { value: string; end: number } | null {
  if (at + 2 > b.length) return null;
  const len = b.readUInt16BE(at);
  if (len === 0 || len > MAX_PEER_ID_BYTES || at + 2 + len > b.length) return null;
  const raw = b.subarray(at + 2, at + 2 + len);
  const value = raw.toString('utf8');
  // Canonical UTF-8 only: the signed bytes must be the bytes the PeerId string encodes to.
  if (!Buffer.from(value, 'utf8').equals(raw)) return null;
  return { value, end: at + 2 + len };
}

function parse(bytes: Uint8Array, kinds: readonly number[]): DeviceCertificate | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 2 + 32 + 2 + 8 + SIGNATURE_BYTES || b.length > MAX_DEVICE_CERTIFICATE_BYTES) return null;
  const kind = b[1] ?? 0;
  if (b[0] !== DEVICE_CERTIFICATE_VERSION || !kinds.includes(kind)) return null;
  const peer = readPeerId(b, 34);
  if (peer === null || peer.end + 8 > b.length) return null;
  const issuedAt = b.readBigUInt64BE(peer.end);
  if (issuedAt > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  let end = peer.end + 8;
  let issuerPeerId: string | undefined;
  if (kind === KIND_DEVICE_SIGNED) {
    const issuer = readPeerId(b, end);
    if (issuer === null) return null;
    issuerPeerId = issuer.value;
    end = issuer.end;
  }
  if (b.length !== end + SIGNATURE_BYTES) return null;
  return {
    version: DEVICE_CERTIFICATE_VERSION,
    kind,
    identityKey: new Uint8Array(b.subarray(2, 34)),
    peerId: peer.value,
    issuedAt: Number(issuedAt),
    ...(issuerPeerId === undefined ? {} : { issuerPeerId }),
    signature: new Uint8Array(b.subarray(end)),
  };
}

/**
 * Parses a kind 1 certificate; null for anything malformed or of another kind
 * (never throws on hostile input). Does not verify. Kind 2 is refused here:
 * alone it proves nothing (see the file comment).
 */
export function decodeDeviceCertificate(bytes: Uint8Array): DeviceCertificate | null {
  return parse(bytes, [KIND_IDENTITY_SIGNED]);
}

/** Parses a certificate of kind 1 or 2, as a device-list entry may carry; null if malformed. */
export function decodeListedDeviceCertificate(bytes: Uint8Array): DeviceCertificate | null {
  return parse(bytes, [KIND_IDENTITY_SIGNED, KIND_DEVICE_SIGNED]);
}

/**
 * Whether a decoded certificate's signature verifies: kind 1 under the
 * identity key it names, kind 2 under the key embedded in its issuer's PeerId.
 * Whether that issuer may issue is the device list's question, not this one.
 */
export function certificateSignatureValid(bytes: Uint8Array, cert: DeviceCertificate): boolean {
  const signer =
    cert.kind === KIND_DEVICE_SIGNED
      ? cert.issuerPeerId === undefined
        ? null
        : ed25519KeyOfPeerId(cert.issuerPeerId)
      : cert.identityKey;
  if (signer === null) return false;
  const signed = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength - SIGNATURE_BYTES);
  return verifyEd25519(signer, Buffer.concat([CONTEXT, signed]), cert.signature);
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
  return certificateSignatureValid(bytes, cert) ? cert : null;
}

/** A certificate's name: SHA-256 of its encoding. */
export function deviceCertificateId(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}
