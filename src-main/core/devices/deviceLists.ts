import { ParleyError } from '../errors';
import { issueDeviceCertificate } from '../identity/deviceCertificate';
import {
  buildAddEntry,
  buildFirstEntry,
  buildRemoveEntry,
  type Possession,
  signPossession,
} from '../identity/deviceListBuild';
import {
  decodeDeviceListEntry,
  type DeviceListEntry,
  type DeviceListHead,
  type DevicePlatform,
  entryHash,
  type RemoveReason,
  ZERO_HASH,
} from '../identity/deviceListEntry';
import {
  activeDevices,
  type DeviceListRule,
  type DeviceListState,
  type ListedDevice,
  MAX_ACTIVE_DEVICES,
  verifyDeviceList,
  type VerifyOptions,
} from '../identity/deviceListVerify';
import type { DeviceDirectory, DirectoryDevice } from '../mls';
import type { DeviceListRepository } from '../store/repositories/deviceListRepository';
import type { Transactor } from '../store/transactor';
import type { Ed25519Sign } from '../util/ed25519';
import { errorFields, type Logger } from '../util/logger';
import { type AcceptResult, otherVersion } from './deviceListFork';

export type { AcceptResult } from './deviceListFork';

/**
 * Every person's device list as this profile holds it (docs/protocol.md
 * §13.3–13.4, §13.11): one's own list (entry 0 signed on first start, adds
 * and removes signed by this device), contacts' lists (accepted only when
 * they extend the head last seen; the first on first use, and only for an
 * identity key already known), and forks (two validly signed versions of one
 * position), kept as evidence and reported.
 *
 * Verification is identity/deviceListVerify.ts; this adds what needs state:
 * the stored head, rule 5's view of everyone's lists, and the transaction
 * that writes entries and the devices they name together.
 */

/** This device, as the list needs it. */
export interface OwnDevice {
  identityKey: Uint8Array;
  /** The identity key's signer; only the device that holds it (device 0) signs entry 0. */
  identitySign: Ed25519Sign | null;
  /** The identity private key (PKCS#8), for entry 0's kind 1 certificate; null where it is not held. */
  identityPrivateKey: Uint8Array | null;
  peerId: string;
  deviceSign: Ed25519Sign;
  mlsSignatureKey: Uint8Array;
  mlsSign: Ed25519Sign;
  platform: DevicePlatform;
}

export type DeviceListNews =
  | { kind: 'changed'; identityKey: Uint8Array; added: DeviceListEntry[] }
  /** This device's own list removed it (§13.8 step 4): its keys must go and its node stop. */
  | { kind: 'thisDeviceRemoved'; identityKey: Uint8Array; entry: DeviceListEntry }
  | { kind: 'fork'; identityKey: Uint8Array; seq: number; toldBy: string | null };

export interface DeviceListsDeps {
  repo: DeviceListRepository;
  tx: Transactor;
  own: OwnDevice;
  /** The identity key is one this profile already knows for a person (a contact). */
  knows: (identityKey: Uint8Array) => boolean;
  logger: Logger;
  now: () => number;
  /**
   * Runs inside the transaction that stores a `remove` entry (§13.8): the
   * runtime forgets the removed device (outbox, mailbox, `devices` row), or,
   * when it is this very device, marks it removed.
   */
  onRemove?: (entry: DeviceListEntry, thisDevice: boolean) => void;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

export class DeviceLists implements DeviceDirectory {
  private readonly states = new Map<string, DeviceListState | null>();
  private readonly listeners = new Set<(news: DeviceListNews) => void>();
  /** PeerIds some held list removed (loaded on first use; a removed device never returns, rule 3). */
  private removed: Set<string> | null = null;

  constructor(private readonly deps: DeviceListsDeps) {}

  /** News for the sync and the runtime's bus (a list changed, a fork was found); returns the unsubscribe. */
  on(listener: (news: DeviceListNews) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell(news: DeviceListNews): void {
    for (const l of this.listeners) {
      try {
        l(news);
      } catch (err) {
        this.deps.logger.log('error', 'devices.listener_failed', errorFields(err));
      }
    }
  }

  get ownIdentityKey(): Uint8Array {
    return this.deps.own.identityKey;
  }

  /** We may take a first list for this person: a contact's identity key, or our own. */
  knowsPerson(identityKey: Uint8Array): boolean {
    return same(identityKey, this.deps.own.identityKey) || this.deps.knows(identityKey);
  }

  /** The person whose list (as held here) names this PeerId, active or removed. */
  personOf(peerId: string): Uint8Array | null {
    const ik = this.deps.repo.ownerOfPeer(peerId);
    return ik === null ? null : new Uint8Array(ik);
  }

  /**
   * The device was removed from its person's list as held here (§13.8 step
   * 3): nothing is queued for it and its application messages are refused.
   * A memory lookup: the outbox asks it for every recipient of every send.
   */
  isRemovedDevice(peerId: string): boolean {
    this.removed ??= new Set(this.deps.repo.removedPeers());
    return this.removed.has(peerId);
  }

  /** Every person we hold a list for. */
  persons(): Uint8Array[] {
    return this.deps.repo.persons().map((b) => new Uint8Array(b));
  }

  /**
   * §13.11: a profile without a list signs entry 0 for this device with its
   * identity key (the kind 1 certificate, this device's MLS key, both
   * possession signatures). Profiles made before issue 18 get it on their
   * first start after the upgrade, new ones on their first start. Returns
   * the own head; null when there is no list and this device cannot make one
   * (it does not hold the identity key).
   */
  ensureOwnList(): DeviceListHead | null {
    const { own } = this.deps;
    const head = this.headOf(own.identityKey);
    if (head !== null) {
      if (!activeDevices(this.state(own.identityKey) as DeviceListState).some((d) => d.peerId === own.peerId))
        this.deps.logger.log('warn', 'devices.own_not_listed', { seq: head.seq });
      return head;
    }
    if (own.identitySign === null || own.identityPrivateKey === null) return null;
    const at = this.deps.now();
    const entry = buildFirstEntry({
      identityKey: own.identityKey,
      identitySign: own.identitySign,
      at,
      peerId: own.peerId,
      certificate: issueDeviceCertificate(own.identityPrivateKey, own.identityKey, own.peerId, at),
      mlsSignatureKey: own.mlsSignatureKey,
      platform: own.platform,
      possession: this.ownPossession(0, ZERO_HASH),
    });
    const verdict = verifyDeviceList([entry.bytes], { claimedBy: this.claimedBy() });
    if (!verdict.ok) {
      // Rule 5: this device's keys are already in someone else's list as we hold it.
      this.deps.logger.log('error', 'devices.entry0_refused', { rule: verdict.rule });
      return null;
    }
    this.store(own.identityKey, [entry], verdict.state, null);
    this.deps.logger.log('info', 'devices.entry0_signed', {});
    return verdict.state.head;
  }

  /** The own list's entries in seq order. */
  ownList(): DeviceListEntry[] {
    return this.entriesOf(this.deps.own.identityKey);
  }

  /** A person's stored entries in seq order (empty when we hold no list). */
  entriesOf(identityKey: Uint8Array): DeviceListEntry[] {
    return this.deps.repo
      .entries(identityKey)
      .map((b) => decodeDeviceListEntry(b))
      .filter((e): e is DeviceListEntry => e !== null);
  }

  /** Encodings after `afterSeq` (all with -1), for serving the list. */
  encodingsAfter(identityKey: Uint8Array, afterSeq: number): Uint8Array[] {
    return this.deps.repo.entries(identityKey).slice(afterSeq + 1);
  }

  headOf(identityKey: Uint8Array): DeviceListHead | null {
    const h = this.deps.repo.head(identityKey);
    return h === null ? null : { seq: h.seq, hash: new Uint8Array(h.hash) };
  }

  /** The devices a person's list has active now (empty when we hold none). */
  activeDevices(identityKey: Uint8Array): ListedDevice[] {
    const s = this.state(identityKey);
    return s === null ? [] : activeDevices(s);
  }

  /** Every device a person's list ever named, removed ones included. */
  allDevices(identityKey: Uint8Array): ListedDevice[] {
    return this.state(identityKey)?.devices ?? [];
  }

  /**
   * The MLS layer's view (mls/deviceDirectory.ts, docs/protocol.md §13.6):
   * the device the entry at `seq` of this person's list adds; 'missing' when
   * the list held here ends before it (or none is held); null when the entry
   * there is a `remove`.
   */
  addedAt(identityKey: Uint8Array, seq: number): DirectoryDevice | 'missing' | null {
    const s = this.state(identityKey);
    if (s === null || seq > s.head.seq) return 'missing';
    const d = s.devices.find((x) => x.addedSeq === seq);
    return d ? { peerId: d.peerId, mlsSignatureKey: d.mlsSignatureKey } : null;
  }

  /** The devices active at an older or equal head (a group's pinned one, §13.6); see DeviceDirectory. */
  activeAt(identityKey: Uint8Array, head: DeviceListHead): DirectoryDevice[] | 'missing' | 'other' {
    const s = this.state(identityKey);
    if (s === null || head.seq > s.head.seq) return 'missing';
    const at = this.encodingsAfter(identityKey, head.seq - 1)[0];
    if (at === undefined || !same(entryHash(at), head.hash)) return 'other';
    return s.devices
      .filter((d) => d.addedSeq <= head.seq && (d.removedSeq === undefined || d.removedSeq > head.seq))
      .map((d) => ({ peerId: d.peerId, mlsSignatureKey: d.mlsSignatureKey }));
  }

  /** The verified state of a person's list, or null. A value: do not change it. */
  state(identityKey: Uint8Array): DeviceListState | null {
    const key = hex(identityKey);
    if (this.states.has(key)) return this.states.get(key) ?? null;
    const stored = this.deps.repo.entries(identityKey);
    let state: DeviceListState | null = null;
    if (stored.length > 0) {
      // Stored entries were verified when taken; verifying again costs little and catches a damaged row.
      const v = verifyDeviceList(stored);
      if (v.ok) state = v.state;
      else this.deps.logger.log('error', 'devices.stored_list_invalid', { rule: v.rule, index: v.index });
    }
    this.states.set(key, state);
    return state;
  }

  /**
   * An add of a new device to the own list, signed by this device (linking,
   * §13.5): the new device's consent is made there, for seq = head + 1 after
   * `expectHead` (the head it was shown). Throws INVALID_STATE at 5 active
   * devices or when the list moved meanwhile; FORBIDDEN when this device is
   * not active in its own list.
   */
  appendAdd(input: {
    subjectPeerId: string;
    mlsSignatureKey: Uint8Array;
    platform: DevicePlatform;
    possession: Possession;
    expectHead?: DeviceListHead;
    /** Another active own device signs (§13.9: the device a restored backup came from); default: this one. */
    signer?: { peerId: string; sign: Ed25519Sign };
  }): DeviceListEntry {
    const signer = input.signer ?? { peerId: this.deps.own.peerId, sign: this.deps.own.deviceSign };
    const state = this.ownStateForSigning(input.expectHead, signer.peerId);
    if (activeDevices(state).length >= MAX_ACTIVE_DEVICES)
      throw new ParleyError(
        'INVALID_STATE',
        `You already have ${MAX_ACTIVE_DEVICES} devices. Remove one on another device first.`,
      );
    const entry = buildAddEntry({
      identityKey: this.deps.own.identityKey,
      head: state.head,
      at: Math.max(this.deps.now(), state.headAt),
      signerPeerId: signer.peerId,
      signerSign: signer.sign,
      subjectPeerId: input.subjectPeerId,
      mlsSignatureKey: input.mlsSignatureKey,
      platform: input.platform,
      possession: input.possession,
    });
    return this.appendOwn(entry, state);
  }

  /** A remove from the own list, signed by this device (the subject itself for `unlinked`). */
  appendRemove(subjectPeerId: string, reason: RemoveReason = 'removed'): DeviceListEntry {
    const state = this.ownStateForSigning();
    const active = activeDevices(state);
    if (!active.some((d) => d.peerId === subjectPeerId))
      throw new ParleyError('INVALID_STATE', 'That device is not one of your active devices.');
    if (active.length <= 1)
      throw new ParleyError(
        'INVALID_STATE',
        'Your last device cannot be removed: delete the profile instead.',
      );
    const entry = buildRemoveEntry({
      identityKey: this.deps.own.identityKey,
      head: state.head,
      at: Math.max(this.deps.now(), state.headAt),
      signerPeerId: this.deps.own.peerId,
      signerSign: this.deps.own.deviceSign,
      subjectPeerId,
      reason,
    });
    return this.appendOwn(entry, state);
  }

  /** This device's consent to be listed at `seq` after `prev` (entry 0, or when it is linked). */
  ownPossession(seq: number, prev: Uint8Array): Possession {
    const { own } = this.deps;
    return signPossession({
      identityKey: own.identityKey,
      seq,
      prev,
      subjectPeerId: own.peerId,
      mlsSignatureKey: own.mlsSignatureKey,
      deviceSign: own.deviceSign,
      mlsSign: own.mlsSign,
    });
  }

  /**
   * Entries someone showed us for a person (`toldBy`: the PeerId that did,
   * for the evidence). Accepted only when they extend the stored head; the
   * first list of a person only from entry 0 and only for an identity key we
   * already know; a validly signed other version of a stored position is a
   * fork (§13.4). Nothing is stored unless every entry passes.
   */
  accept(identityKey: Uint8Array, encodings: readonly Uint8Array[], toldBy: string | null): AcceptResult {
    const decoded: DeviceListEntry[] = [];
    for (const bytes of encodings) {
      const e = decodeDeviceListEntry(bytes);
      if (e === null) return { status: 'refused', rule: 'malformed', reason: 'entry does not decode' };
      decoded.push(e);
    }
    const first = decoded[0];
    if (first === undefined) {
      const head = this.headOf(identityKey);
      return head === null ? { status: 'incomplete' } : { status: 'unchanged', head };
    }
    if (decoded.some((e, i) => !same(e.identityKey, identityKey) || e.seq !== first.seq + i))
      return { status: 'refused', rule: 2, reason: 'entries of another person, or not in seq order' };
    const stored = this.deps.repo.entries(identityKey);
    if (stored.length === 0) return this.acceptFirst(identityKey, encodings, first.seq);
    if (first.seq > stored.length) return { status: 'incomplete' };
    // Where what we were shown stops matching what we hold.
    let k = 0;
    while (k < decoded.length && first.seq + k < stored.length) {
      const ours = stored[first.seq + k] as Uint8Array;
      if (!same(ours, encodings[k] as Uint8Array))
        return otherVersion(
          {
            repo: this.deps.repo,
            claimedBy: this.claimedBy(),
            logger: this.deps.logger,
            now: this.deps.now,
            refused: (rule, reason) => this.refused(identityKey, rule, reason, toldBy),
            tell: (news) => this.tell(news),
          },
          { identityKey, stored, decoded, k, toldBy },
        );
      k += 1;
    }
    const head = this.headOf(identityKey) as DeviceListHead;
    const fresh = encodings.slice(k);
    if (fresh.length === 0) return { status: 'unchanged', head };
    if (this.deps.repo.openForks(identityKey).length > 0) return { status: 'frozen', head };
    const state = this.state(identityKey);
    if (state === null) return { status: 'refused', rule: 'malformed', reason: 'stored list unreadable' };
    const v = verifyDeviceList(fresh, { from: state, claimedBy: this.claimedBy() });
    if (!v.ok) return this.refused(identityKey, v.rule, v.reason, toldBy);
    this.store(identityKey, v.entries, v.state, toldBy);
    return { status: 'extended', added: v.entries, head: v.state.head };
  }

  /** Open forks of a person (or of everyone): the evidence as stored. */
  forks(identityKey?: Uint8Array): ReturnType<DeviceListRepository['openForks']> {
    return this.deps.repo.openForks(identityKey);
  }

  private acceptFirst(
    identityKey: Uint8Array,
    encodings: readonly Uint8Array[],
    firstSeq: number,
  ): AcceptResult {
    if (!this.deps.knows(identityKey) && !same(identityKey, this.deps.own.identityKey))
      return { status: 'unknown' };
    if (firstSeq !== 0) return { status: 'incomplete' };
    const v = verifyDeviceList(encodings, { claimedBy: this.claimedBy() });
    if (!v.ok) return this.refused(identityKey, v.rule, v.reason, null);
    this.store(identityKey, v.entries, v.state, null);
    return { status: 'extended', added: v.entries, head: v.state.head };
  }

  private refused(
    identityKey: Uint8Array,
    rule: DeviceListRule | 'malformed',
    reason: string,
    toldBy: string | null,
  ): AcceptResult {
    // Rule 5 is logged by name (§13.3): "a device claimed by someone else's chain".
    this.deps.logger.log('warn', 'devices.list_refused', {
      rule,
      reason,
      own: same(identityKey, this.deps.own.identityKey),
      toldBy,
    });
    return { status: 'refused', rule, reason };
  }

  /**
   * Rule 5's view: whose list (as held here) has this PeerId or MLS key. The
   * verifier compares it with the list's own identity key, so another version
   * of one person's list may name that person's devices.
   */
  private claimedBy(): NonNullable<VerifyOptions['claimedBy']> {
    return (d) => this.deps.repo.ownerOf(d.peerId, d.mlsSignatureKey) ?? undefined;
  }

  private ownStateForSigning(expectHead?: DeviceListHead, signer = this.deps.own.peerId): DeviceListState {
    const { own } = this.deps;
    const state = this.state(own.identityKey);
    if (state === null) throw new ParleyError('INVALID_STATE', 'This profile has no device list yet.');
    if (!activeDevices(state).some((d) => d.peerId === signer))
      throw new ParleyError('FORBIDDEN', 'This device is no longer one of your devices.');
    if (
      expectHead !== undefined &&
      (expectHead.seq !== state.head.seq || !same(expectHead.hash, state.head.hash))
    )
      throw new ParleyError('INVALID_STATE', 'Your devices changed meanwhile. Start again with a new code.');
    if (this.deps.repo.openForks(own.identityKey).length > 0)
      throw new ParleyError(
        'INVALID_STATE',
        'Your device list has another version that you did not make. Deal with that warning first.',
      );
    return state;
  }

  private appendOwn(entry: DeviceListEntry, state: DeviceListState): DeviceListEntry {
    const v = verifyDeviceList([entry.bytes], { from: state, claimedBy: this.claimedBy() });
    if (!v.ok) {
      this.deps.logger.log('warn', 'devices.own_entry_refused', { rule: v.rule, reason: v.reason });
      throw new ParleyError(
        'INVALID_STATE',
        `That change is not allowed in your device list (rule ${v.rule}).`,
      );
    }
    this.store(this.deps.own.identityKey, v.entries, v.state, null);
    return entry;
  }

  private store(
    identityKey: Uint8Array,
    entries: DeviceListEntry[],
    state: DeviceListState,
    toldBy: string | null,
  ): void {
    const { repo, tx, own, onRemove } = this.deps;
    const removes = entries.filter((e) => e.op === 'remove');
    const ownList = same(identityKey, own.identityKey);
    const thisDevice = removes.find((e) => ownList && e.subjectPeerId === own.peerId) ?? null;
    try {
      tx.run(() => {
        repo.insertEntries(
          identityKey,
          entries.map((e) => ({ seq: e.seq, entry: e.bytes, hash: entryHash(e.bytes) })),
        );
        repo.saveDevices(identityKey, state.devices);
        for (const e of removes) onRemove?.(e, e === thisDevice);
      });
    } catch (err) {
      this.states.delete(hex(identityKey));
      this.deps.logger.log('error', 'devices.store_failed', errorFields(err));
      throw err;
    }
    this.states.set(hex(identityKey), state);
    for (const e of removes) this.removed?.add(e.subjectPeerId);
    this.deps.logger.log('info', 'devices.list_extended', {
      count: entries.length,
      seq: state.head.seq,
      removed: removes.length,
      toldBy: toldBy !== null,
    });
    this.tell({ kind: 'changed', identityKey, added: entries });
    if (thisDevice !== null) {
      this.deps.logger.log('warn', 'devices.this_device_removed', { seq: thisDevice.seq });
      this.tell({ kind: 'thisDeviceRemoved', identityKey, entry: thisDevice });
    }
  }
}
