import { createHash } from 'node:crypto';
import type { Ed25519Sign } from '../util/ed25519';
import { u16, u32 } from '../util/bigEndian';

/**
 * One entry of a person's device list (docs/protocol.md §13.3): the
 * hash-chained, signed record of which devices speak for an identity key.
 * Binary, big-endian, following issue 14's conventions:
 *
 *   u8 version (1) | u8 op (1 add, 2 remove) | u32 seq | prev[32] | identity_key[32] | u64 at (ms)
 *   | u16 len, subject_peer_id (UTF-8, 1–128 B)
 *   | add only:    u16 len, certificate (kind 1 for seq 0, kind 2 after; ≤ 512 B)
 *   |              mls_signature_key[32] | u8 platform | possession[64] | mls_possession[64]
 *   | remove only: u8 reason
 *   | u16 len, signer_peer_id (UTF-8; empty only for seq 0, meaning the identity key)
 *   | signature[64]
 *
 *   prev      = SHA-256(encoding of entry seq-1); 32 zero bytes for seq 0
 *   signature = Ed25519-Sign(signer, "parley/v1/device-list-entry\0" | every byte before it)
 *
 * This file only encodes, decodes and hashes; whether a list is valid is
 * identity/deviceListVerify.ts's question. Decoding is strict (one encoding
 * per entry: exact lengths, canonical UTF-8, known op, platform and reason,
 * no trailing bytes), so the hash of an entry names exactly one entry.
 */

export const DEVICE_LIST_VERSION = 1;
/** An entry is at most ~630 bytes; anything over 1 KiB is refused unread (§13.4 frame limits). */
export const MAX_DEVICE_LIST_ENTRY_BYTES = 1024;
const MAX_PEER_ID_BYTES = 128;
const MAX_CERTIFICATE_BYTES = 512;
const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const OP_ADD = 1;
const OP_REMOVE = 2;

const ENTRY_CONTEXT = Buffer.from('parley/v1/device-list-entry\0');
const JOIN_CONTEXT = Buffer.from('parley/v1/device-list-join\0');

/** The platform byte (§13.3); `other` is 0. */
export const DEVICE_PLATFORMS = ['other', 'linux', 'macos', 'windows', 'cli'] as const;
export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number];

/** Why a device was removed (§13.3): 1 by the user, 2 replaced by a restore, 3 it unlinked itself. */
export const REMOVE_REASONS = ['removed', 'replaced', 'unlinked'] as const;
export type RemoveReason = (typeof REMOVE_REASONS)[number];

interface EntryFields {
  seq: number;
  /** SHA-256 of the previous entry's encoding; 32 zero bytes for seq 0. */
  prev: Uint8Array;
  identityKey: Uint8Array;
  /** When the signer made it, ms since the epoch. */
  at: number;
  subjectPeerId: string;
  /** The device that signed it; null for entry 0, which the identity key signs. */
  signerPeerId: string | null;
}

export interface UnsignedDeviceListAdd extends EntryFields {
  op: 'add';
  certificate: Uint8Array;
  mlsSignatureKey: Uint8Array;
  platform: DevicePlatform;
  /** The subject device key's consent (possessionMessage). */
  possession: Uint8Array;
  /** The subject MLS signature key's consent (mlsPossessionMessage). */
  mlsPossession: Uint8Array;
}

export interface UnsignedDeviceListRemove extends EntryFields {
  op: 'remove';
  reason: RemoveReason;
}

export type UnsignedDeviceListEntry = UnsignedDeviceListAdd | UnsignedDeviceListRemove;

interface Signed {
  signature: Uint8Array;
  /** The exact encoding (what `entryHash` and `prev` are computed over). */
  bytes: Uint8Array;
}
export type DeviceListAdd = UnsignedDeviceListAdd & Signed;
export type DeviceListRemove = UnsignedDeviceListRemove & Signed;
export type DeviceListEntry = DeviceListAdd | DeviceListRemove;

/** A list's head (§13.3): the last entry's seq and the SHA-256 of its encoding. */
export interface DeviceListHead {
  seq: number;
  hash: Uint8Array;
}

export const ZERO_HASH: Uint8Array = new Uint8Array(32);

function peerIdField(peerId: string, allowEmpty: boolean): Buffer {
  const b = Buffer.from(peerId, 'utf8');
  if ((b.length === 0 && !allowEmpty) || b.length > MAX_PEER_ID_BYTES) throw new RangeError('peer id length');
  return Buffer.concat([u16(b.length), b]);
}

function fixed(name: string, b: Uint8Array, n: number): Uint8Array {
  if (b.length !== n) throw new RangeError(`${name} must be ${n} bytes`);
  return b;
}

/** Every byte before the signature. Throws RangeError on fields that cannot be encoded. */
function signedPart(e: UnsignedDeviceListEntry): Buffer {
  if (!Number.isInteger(e.seq) || e.seq < 0 || e.seq > 0xffffffff) throw new RangeError('seq');
  if (!Number.isSafeInteger(e.at) || e.at < 0) throw new RangeError('at');
  if ((e.signerPeerId === null) !== (e.seq === 0))
    throw new RangeError('only entry 0 is signed by the identity key');
  const at = Buffer.alloc(8);
  at.writeBigUInt64BE(BigInt(e.at));
  const parts: Uint8Array[] = [
    Buffer.from([DEVICE_LIST_VERSION, e.op === 'add' ? OP_ADD : OP_REMOVE]),
    u32(e.seq),
    fixed('prev', e.prev, 32),
    fixed('identity key', e.identityKey, KEY_BYTES),
    at,
    peerIdField(e.subjectPeerId, false),
  ];
  if (e.op === 'add') {
    if (e.certificate.length === 0 || e.certificate.length > MAX_CERTIFICATE_BYTES)
      throw new RangeError('certificate length');
    parts.push(
      u16(e.certificate.length),
      e.certificate,
      fixed('MLS signature key', e.mlsSignatureKey, KEY_BYTES),
      Buffer.from([DEVICE_PLATFORMS.indexOf(e.platform)]),
      fixed('possession', e.possession, SIGNATURE_BYTES),
      fixed('MLS possession', e.mlsPossession, SIGNATURE_BYTES),
    );
  } else {
    parts.push(Buffer.from([REMOVE_REASONS.indexOf(e.reason) + 1]));
  }
  parts.push(peerIdField(e.signerPeerId ?? '', true));
  return Buffer.concat(parts);
}

/** The message an entry's signature covers: the context, then every byte before the signature. */
export function entrySignedMessage(bytes: Uint8Array): Uint8Array {
  return Buffer.concat([ENTRY_CONTEXT, bytes.subarray(0, bytes.length - SIGNATURE_BYTES)]);
}

/**
 * Encodes and signs an entry with `sign` (the identity key for seq 0, the
 * signer device's key after). Throws RangeError on a field out of range.
 */
export function signDeviceListEntry<E extends UnsignedDeviceListEntry>(
  entry: E,
  sign: Ed25519Sign,
): E & Signed {
  const body = signedPart(entry);
  const signature = sign(Buffer.concat([ENTRY_CONTEXT, body]));
  const bytes = new Uint8Array(Buffer.concat([body, signature]));
  if (bytes.length > MAX_DEVICE_LIST_ENTRY_BYTES) throw new RangeError('entry too long');
  return { ...entry, signature: new Uint8Array(signature), bytes };
}

/** What the subject's device key signs to consent to joining this list at `seq` (§13.3 `possession`). */
export function possessionMessage(
  identityKey: Uint8Array,
  seq: number,
  prev: Uint8Array,
  mlsSignatureKey: Uint8Array,
): Uint8Array {
  return Buffer.concat([JOIN_CONTEXT, identityKey, u32(seq), prev, mlsSignatureKey]);
}

/** What the subject's MLS signature key signs (§13.3 `mls_possession`). */
export function mlsPossessionMessage(
  identityKey: Uint8Array,
  seq: number,
  prev: Uint8Array,
  subjectPeerId: string,
): Uint8Array {
  return Buffer.concat([JOIN_CONTEXT, identityKey, u32(seq), prev, Buffer.from(subjectPeerId, 'utf8')]);
}

/** Reads an entry; null for anything malformed (never throws on hostile input). Does not verify. */
export function decodeDeviceListEntry(bytes: Uint8Array): DeviceListEntry | null {
  try {
    return decode(bytes);
  } catch {
    return null;
  }
}

class Reader {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  take(n: number): Buffer {
    if (this.at + n > this.b.length) throw new RangeError('truncated');
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(): number {
    return this.take(1).readUInt8(0);
  }
  u16(): number {
    return this.take(2).readUInt16BE(0);
  }
  peerId(allowEmpty: boolean): string {
    const len = this.u16();
    if ((len === 0 && !allowEmpty) || len > MAX_PEER_ID_BYTES) throw new RangeError('peer id length');
    const raw = this.take(len);
    const s = raw.toString('utf8');
    // Canonical UTF-8 only: the signed bytes must be the bytes the string encodes to.
    if (!Buffer.from(s, 'utf8').equals(raw)) throw new RangeError('peer id encoding');
    return s;
  }
  get done(): boolean {
    return this.at === this.b.length;
  }
}

function copy(b: Buffer): Uint8Array {
  return new Uint8Array(b);
}

function decode(bytes: Uint8Array): DeviceListEntry | null {
  if (bytes.length > MAX_DEVICE_LIST_ENTRY_BYTES) return null;
  const r = new Reader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (r.u8() !== DEVICE_LIST_VERSION) return null;
  const op = r.u8();
  if (op !== OP_ADD && op !== OP_REMOVE) return null;
  const seq = r.take(4).readUInt32BE(0);
  const prev = copy(r.take(32));
  const identityKey = copy(r.take(KEY_BYTES));
  const atBig = r.take(8).readBigUInt64BE(0);
  if (atBig > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  const at = Number(atBig);
  const subjectPeerId = r.peerId(false);
  let variant:
    | Pick<
        UnsignedDeviceListAdd,
        'op' | 'certificate' | 'mlsSignatureKey' | 'platform' | 'possession' | 'mlsPossession'
      >
    | Pick<UnsignedDeviceListRemove, 'op' | 'reason'>;
  if (op === OP_ADD) {
    const certLen = r.u16();
    if (certLen === 0 || certLen > MAX_CERTIFICATE_BYTES) return null;
    const certificate = copy(r.take(certLen));
    const mlsSignatureKey = copy(r.take(KEY_BYTES));
    const platform = DEVICE_PLATFORMS[r.u8()];
    if (platform === undefined) return null;
    const possession = copy(r.take(SIGNATURE_BYTES));
    const mlsPossession = copy(r.take(SIGNATURE_BYTES));
    variant = { op: 'add', certificate, mlsSignatureKey, platform, possession, mlsPossession };
  } else {
    const reason = REMOVE_REASONS[r.u8() - 1];
    if (reason === undefined) return null;
    variant = { op: 'remove', reason };
  }
  const signer = r.peerId(true);
  // Only entry 0 is the identity key's (empty signer); every other entry names its device.
  if ((signer === '') !== (seq === 0)) return null;
  const signature = copy(r.take(SIGNATURE_BYTES));
  if (!r.done) return null;
  return {
    seq,
    prev,
    identityKey,
    at,
    subjectPeerId,
    signerPeerId: signer === '' ? null : signer,
    ...variant,
    signature,
    bytes: new Uint8Array(bytes),
  } as DeviceListEntry;
}

/** SHA-256 of an entry's encoding: the next entry's `prev`, and the hash of a head. */
export function entryHash(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** The head of a non-empty list: its last entry's seq and hash. */
export function deviceListHead(entries: readonly Pick<DeviceListEntry, 'seq' | 'bytes'>[]): DeviceListHead {
  const last = entries[entries.length - 1];
  if (last === undefined) throw new RangeError('an empty list has no head');
  return { seq: last.seq, hash: entryHash(last.bytes) };
}

/** Two heads name the same list position. */
export function sameHead(a: DeviceListHead, b: DeviceListHead): boolean {
  return a.seq === b.seq && Buffer.from(a.hash).equals(Buffer.from(b.hash));
}
