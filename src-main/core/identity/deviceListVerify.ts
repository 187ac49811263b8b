import { verifyEd25519 } from '../util/ed25519';
import {
  certificateSignatureValid,
  decodeListedDeviceCertificate,
  KIND_DEVICE_SIGNED,
  KIND_IDENTITY_SIGNED,
} from './deviceCertificate';
import {
  decodeDeviceListEntry,
  type DeviceListAdd,
  type DeviceListEntry,
  type DeviceListHead,
  type DevicePlatform,
  entryHash,
  entrySignedMessage,
  mlsPossessionMessage,
  possessionMessage,
  type RemoveReason,
  ZERO_HASH,
} from './deviceListEntry';
import { ed25519KeyOfPeerId } from './peerIdKey';

/**
 * Verification of a device list (docs/protocol.md §13.3, rules 1–6), pure:
 * from entry 0, or from a state already verified (a stored head) onwards.
 * Every rule must hold for every entry, or the whole extension is refused:
 * a verifier never takes part of a batch.
 */

/** At most 5 active devices per person (§13.3 rule 3; the seed plans' limit). */
export const MAX_ACTIVE_DEVICES = 5;
/** At most 1,024 entries per list (§13.3 rule 6). */
export const MAX_DEVICE_LIST_ENTRIES = 1024;
/**
 * Adds stop this many positions before the end, so that a full list can
 * still remove every device but one (rule 6: "cannot take more adds, the
 * person can still remove").
 */
const REMOVE_RESERVE = MAX_ACTIVE_DEVICES - 1;
/** An entry may be dated at most this much before the previous one (rule 2, clock skew). */
export const DEVICE_LIST_CLOCK_SKEW_MS = 10 * 60 * 1000;

/** A device as a list knows it. */
export interface ListedDevice {
  peerId: string;
  mlsSignatureKey: Uint8Array;
  platform: DevicePlatform;
  /** The kind 1 (seq 0) or kind 2 certificate its add carried. */
  certificate: Uint8Array;
  addedSeq: number;
  addedAt: number;
  /** The device that added it; null for entry 0 (the identity key). */
  addedBy: string | null;
  removedSeq?: number;
  removedAt?: number;
  removeReason?: RemoveReason;
}

/** What a verified list says; a value (verification copies it before extending). */
export interface DeviceListState {
  identityKey: Uint8Array;
  head: DeviceListHead;
  /** `at` of the head entry (rule 2 compares the next entry's with it). */
  headAt: number;
  /** Every device the list ever added, in seq order, removed ones included. */
  devices: ListedDevice[];
}

export type DeviceListRule = 1 | 2 | 3 | 4 | 5 | 6;

export type DeviceListVerdict =
  | { ok: true; state: DeviceListState; entries: DeviceListEntry[] }
  | {
      ok: false;
      /** The rule of §13.3 broken, or `malformed` when the bytes do not decode. */
      rule: DeviceListRule | 'malformed';
      /** Position in the entries passed in. */
      index: number;
      /** For logs and tests; not shown to users. */
      reason: string;
    };

export interface VerifyOptions {
  /** A state verified before: the entries extend it (the first has seq = from.head.seq + 1). */
  from?: DeviceListState;
  /**
   * Rule 5: the identity key of another person whose list (as this verifier
   * holds it) already has this PeerId or MLS signature key, if any.
   */
  claimedBy?: (device: { peerId: string; mlsSignatureKey: Uint8Array }) => Uint8Array | undefined;
}

export function activeDevices(state: DeviceListState): ListedDevice[] {
  return state.devices.filter((d) => d.removedSeq === undefined);
}

class Refusal extends Error {
  constructor(
    readonly rule: DeviceListRule,
    reason: string,
  ) {
    super(reason);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function signedBy(key: Uint8Array | null, message: Uint8Array, signature: Uint8Array): boolean {
  return key !== null && verifyEd25519(key, message, signature);
}

function checkAdd(e: DeviceListAdd, devices: ListedDevice[], options: VerifyOptions): void {
  const rule = e.seq === 0 ? 1 : 3;
  const cert = decodeListedDeviceCertificate(e.certificate);
  if (cert === null) throw new Refusal(rule, 'certificate malformed');
  if (cert.peerId !== e.subjectPeerId || !equal(cert.identityKey, e.identityKey))
    throw new Refusal(rule, 'certificate names another device or person');
  if (e.seq === 0) {
    if (cert.kind !== KIND_IDENTITY_SIGNED) throw new Refusal(1, 'entry 0 needs a kind 1 certificate');
  } else if (
    cert.kind !== KIND_DEVICE_SIGNED ||
    cert.issuerPeerId !== e.signerPeerId ||
    cert.issuedAt !== e.at
  ) {
    throw new Refusal(3, 'certificate is not kind 2 by the signer at the entry time');
  }
  if (!certificateSignatureValid(e.certificate, cert)) throw new Refusal(rule, 'certificate signature');
  const subjectKey = ed25519KeyOfPeerId(e.subjectPeerId);
  if (subjectKey === null) throw new Refusal(rule, 'subject is not an Ed25519 PeerId');
  // Both of the new device's keys consent to being this person's at this place (§13.3):
  // nobody can list another person's device, and an old consent cannot be replayed elsewhere.
  if (!signedBy(subjectKey, possessionMessage(e.identityKey, e.seq, e.prev, e.mlsSignatureKey), e.possession))
    throw new Refusal(3, 'device possession signature');
  if (
    !signedBy(
      e.mlsSignatureKey,
      mlsPossessionMessage(e.identityKey, e.seq, e.prev, e.subjectPeerId),
      e.mlsPossession,
    )
  )
    throw new Refusal(3, 'MLS key possession signature');
  // Rule 3: a device is added once; a removed device never returns; each MLS key is new.
  if (devices.some((d) => d.peerId === e.subjectPeerId)) throw new Refusal(3, 'device already in this list');
  if (devices.some((d) => equal(d.mlsSignatureKey, e.mlsSignatureKey)))
    throw new Refusal(3, 'MLS signature key already in this list');
  if (devices.filter((d) => d.removedSeq === undefined).length >= MAX_ACTIVE_DEVICES)
    throw new Refusal(3, `more than ${MAX_ACTIVE_DEVICES} active devices`);
  if (e.seq >= MAX_DEVICE_LIST_ENTRIES - REMOVE_RESERVE) throw new Refusal(6, 'list full: no more adds');
  const other = options.claimedBy?.({ peerId: e.subjectPeerId, mlsSignatureKey: e.mlsSignatureKey });
  if (other !== undefined && !equal(other, e.identityKey))
    throw new Refusal(5, "a device claimed by someone else's chain");
}

function checkEntry(
  e: DeviceListEntry,
  expectSeq: number,
  prev: { hash: Uint8Array; at: number; identityKey: Uint8Array } | null,
  devices: ListedDevice[],
  options: VerifyOptions,
): void {
  if (expectSeq >= MAX_DEVICE_LIST_ENTRIES)
    throw new Refusal(6, `more than ${MAX_DEVICE_LIST_ENTRIES} entries`);
  if (prev === null) {
    // Rule 1: entry 0 is the identity key's add of its first device.
    if (e.seq !== 0 || e.op !== 'add' || !equal(e.prev, ZERO_HASH) || e.signerPeerId !== null)
      throw new Refusal(1, 'entry 0 must be an identity-signed add with a zero prev');
    if (!signedBy(e.identityKey, entrySignedMessage(e.bytes), e.signature))
      throw new Refusal(1, 'entry 0 not signed by its identity key');
    checkAdd(e, devices, options);
    return;
  }
  // Rule 2: the chain, the person, the clock, and a signer active before this entry.
  if (e.seq !== expectSeq) throw new Refusal(2, `seq ${e.seq} where ${expectSeq} was due`);
  if (!equal(e.prev, prev.hash)) throw new Refusal(2, 'prev is not the hash of the entry before');
  if (!equal(e.identityKey, prev.identityKey)) throw new Refusal(2, 'another identity key');
  if (e.at < prev.at - DEVICE_LIST_CLOCK_SKEW_MS) throw new Refusal(2, 'dated before the previous entry');
  const signer = devices.find((d) => d.peerId === e.signerPeerId && d.removedSeq === undefined);
  if (signer === undefined || e.signerPeerId === null)
    throw new Refusal(2, 'signer is not an active device of this person');
  if (!signedBy(ed25519KeyOfPeerId(e.signerPeerId), entrySignedMessage(e.bytes), e.signature))
    throw new Refusal(2, 'entry signature');
  if (e.op === 'add') {
    checkAdd(e, devices, options);
    return;
  }
  // Rule 4: remove an active device; a person always keeps one.
  const subject = devices.find((d) => d.peerId === e.subjectPeerId && d.removedSeq === undefined);
  if (subject === undefined) throw new Refusal(4, 'subject is not an active device');
  if (devices.filter((d) => d.removedSeq === undefined).length <= 1)
    throw new Refusal(4, 'the last active device cannot be removed');
}

/**
 * Verifies `entries` (encodings, in seq order) from entry 0, or as an
 * extension of `options.from`. On success returns the new state and the
 * decoded entries; on failure, the first broken rule and where.
 */
export function verifyDeviceList(
  entries: readonly Uint8Array[],
  options: VerifyOptions = {},
): DeviceListVerdict {
  const from = options.from;
  const devices: ListedDevice[] = (from?.devices ?? []).map((d) => ({ ...d }));
  let prev = from ? { hash: from.head.hash, at: from.headAt, identityKey: from.identityKey } : null;
  let seq = from ? from.head.seq + 1 : 0;
  const decoded: DeviceListEntry[] = [];
  for (const [index, bytes] of entries.entries()) {
    const e = decodeDeviceListEntry(bytes);
    if (e === null) return { ok: false, rule: 'malformed', index, reason: 'entry does not decode' };
    try {
      checkEntry(e, seq, prev, devices, options);
    } catch (err) {
      if (err instanceof Refusal) return { ok: false, rule: err.rule, index, reason: err.message };
      throw err;
    }
    if (e.op === 'add') {
      devices.push({
        peerId: e.subjectPeerId,
        mlsSignatureKey: e.mlsSignatureKey,
        platform: e.platform,
        certificate: e.certificate,
        addedSeq: e.seq,
        addedAt: e.at,
        addedBy: e.signerPeerId,
      });
    } else {
      const d = devices.find((x) => x.peerId === e.subjectPeerId && x.removedSeq === undefined);
      if (d) Object.assign(d, { removedSeq: e.seq, removedAt: e.at, removeReason: e.reason });
    }
    decoded.push(e);
    prev = { hash: entryHash(e.bytes), at: e.at, identityKey: e.identityKey };
    seq += 1;
  }
  if (prev === null) return { ok: false, rule: 1, index: 0, reason: 'an empty list' };
  const last = decoded[decoded.length - 1];
  const head = last ? { seq: last.seq, hash: prev.hash } : (from as DeviceListState).head;
  return {
    ok: true,
    state: { identityKey: prev.identityKey, head, headAt: prev.at, devices },
    entries: decoded,
  };
}
