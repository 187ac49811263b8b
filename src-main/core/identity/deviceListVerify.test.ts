import { describe, expect, it } from 'vitest';
import { ed25519SignerFromPkcs8 } from '../util/ed25519';
import { issueDeviceCertificate, issueListedDeviceCertificate } from './deviceCertificate';
import { buildFirstEntry, signPossession } from './deviceListBuild';
import { type DeviceListEntry, signDeviceListEntry, type UnsignedDeviceListEntry } from './deviceListEntry';
import {
  activeDevices,
  DEVICE_LIST_CLOCK_SKEW_MS,
  type DeviceListVerdict,
  MAX_ACTIVE_DEVICES,
  MAX_DEVICE_LIST_ENTRIES,
  verifyDeviceList,
} from './deviceListVerify';
import { generateIdentityKey } from './identityKey';
import { makeTestDevice, type TestDevice, TestDeviceList } from './testing/deviceListFixture';

function refused(v: DeviceListVerdict): { rule: unknown; index: number } {
  if (v.ok) throw new Error('verified what it must refuse');
  return { rule: v.rule, index: v.index };
}

/** Re-signs an entry after changing fields (a validly signed entry that breaks one rule). */
function resign(
  e: DeviceListEntry,
  change: Partial<UnsignedDeviceListEntry>,
  by: TestDevice,
): DeviceListEntry {
  return signDeviceListEntry({ ...e, ...change } as UnsignedDeviceListEntry, by.sign);
}

describe('verifyDeviceList: a valid list', () => {
  it('verifies adds and removes from entry 0 and reports the devices', () => {
    const list = new TestDeviceList();
    const b = list.add();
    const c = list.add(b);
    list.remove(c, b);
    list.remove(c, c, 'unlinked'); // a device unlinks itself (rule 4)
    const v = verifyDeviceList(list.bytes());
    if (!v.ok) throw new Error(v.reason);
    expect(v.entries.map((e) => e.op)).toEqual(['add', 'add', 'add', 'remove', 'remove']);
    expect(v.state.head).toEqual(list.head);
    expect(activeDevices(v.state).map((d) => d.peerId)).toEqual([list.first.peerId]);
    expect(v.state.devices.find((d) => d.peerId === c.peerId)).toMatchObject({
      addedSeq: 2,
      addedBy: b.peerId,
      removedSeq: 4,
      removeReason: 'unlinked',
    });
  });

  it('extends a stored state without changing it, and refuses an extension that does not follow it', () => {
    const list = new TestDeviceList();
    list.add();
    const base = verifyDeviceList(list.bytes());
    if (!base.ok) throw new Error(base.reason);
    const c = list.add();
    const more = verifyDeviceList(list.bytes().slice(2), { from: base.state });
    if (!more.ok) throw new Error(more.reason);
    expect(activeDevices(more.state)).toHaveLength(3);
    expect(activeDevices(base.state)).toHaveLength(2); // the stored state is a value
    expect(more.state.devices.at(-1)?.peerId).toBe(c.peerId);
    // Nothing new: the same state back.
    const none = verifyDeviceList([], { from: base.state });
    expect(none.ok && none.state.head).toEqual(base.state.head);
    // Entry 2 offered again as if it followed entry 2.
    const repeated = verifyDeviceList(list.bytes().slice(2), { from: more.state });
    expect(refused(repeated).rule).toBe(2);
  });

  it('refuses an empty list', () => {
    expect(refused(verifyDeviceList([])).rule).toBe(1);
  });
});

describe('verifyDeviceList: one violating vector per rule (§13.3)', () => {
  it('rule 1: entry 0 must be an identity-signed add of a kind 1 certificate for that device', () => {
    const list = new TestDeviceList();
    const e0 = list.entries[0];
    if (!e0 || e0.op !== 'add') throw new Error('fixture');
    const eve = generateIdentityKey();
    const eveSign = ed25519SignerFromPkcs8(eve.privateKey);
    // Signed by another identity key than the one it names.
    expect(refused(verifyDeviceList([signDeviceListEntry({ ...e0 }, eveSign).bytes])).rule).toBe(1);
    // A non-zero prev.
    const ikSign = ed25519SignerFromPkcs8(list.identity.privateKey);
    expect(
      refused(
        verifyDeviceList([signDeviceListEntry({ ...e0, prev: new Uint8Array(32).fill(1) }, ikSign).bytes]),
      ).rule,
    ).toBe(1);
    // A kind 1 certificate for another device.
    const other = makeTestDevice();
    const wrongCert = issueDeviceCertificate(list.identity.privateKey, list.identityKey, other.peerId, 1);
    expect(
      refused(verifyDeviceList([signDeviceListEntry({ ...e0, certificate: wrongCert }, ikSign).bytes])).rule,
    ).toBe(1);
    // A kind 2 certificate at entry 0.
    const kind2 = issueListedDeviceCertificate(
      list.first.sign,
      list.first.peerId,
      list.identityKey,
      list.first.peerId,
      e0.at,
    );
    expect(
      refused(verifyDeviceList([signDeviceListEntry({ ...e0, certificate: kind2 }, ikSign).bytes])).rule,
    ).toBe(1);
    // A remove at entry 0.
    const remove = signDeviceListEntry(
      {
        op: 'remove',
        seq: 0,
        prev: new Uint8Array(32),
        identityKey: list.identityKey,
        at: 1,
        subjectPeerId: list.first.peerId,
        signerPeerId: null,
        reason: 'removed',
      },
      ikSign,
    );
    expect(refused(verifyDeviceList([remove.bytes])).rule).toBe(1);
    // The list does not start at 0.
    list.add();
    expect(refused(verifyDeviceList(list.bytes().slice(1))).rule).toBe(1);
  });

  it('rule 2: seq, prev, identity key, clock skew, and a signer active before the entry', () => {
    const list = new TestDeviceList();
    const b = list.add();
    const good = list.bytes();
    const next = list.makeAdd(b);
    // Wrong seq (signed validly by an active device).
    expect(refused(verifyDeviceList([...good, resign(next, { seq: 3 }, b).bytes])).rule).toBe(2);
    // Wrong prev.
    expect(
      refused(verifyDeviceList([...good, resign(next, { prev: new Uint8Array(32).fill(2) }, b).bytes])).rule,
    ).toBe(2);
    // Another identity key.
    expect(
      refused(verifyDeviceList([...good, resign(next, { identityKey: new Uint8Array(32).fill(3) }, b).bytes]))
        .rule,
    ).toBe(2);
    // Dated more than 10 minutes before the entry it follows; exactly 10 minutes is allowed.
    const early = list.makeAdd(b, makeTestDevice(), { at: list.at - DEVICE_LIST_CLOCK_SKEW_MS - 1 });
    expect(refused(verifyDeviceList([...good, early.bytes])).rule).toBe(2);
    const edge = list.makeAdd(b, makeTestDevice(), { at: list.at - DEVICE_LIST_CLOCK_SKEW_MS });
    expect(verifyDeviceList([...good, edge.bytes]).ok).toBe(true);
    // Signed by a device that is not in the list.
    const stranger = makeTestDevice();
    expect(refused(verifyDeviceList([...good, list.makeAdd(stranger).bytes])).rule).toBe(2);
    // Signed by a removed device.
    list.remove(list.first, b);
    const afterRemove = list.bytes();
    expect(refused(verifyDeviceList([...afterRemove, list.makeAdd(b).bytes])).rule).toBe(2);
    // A signature that does not verify (right signer named, wrong key used).
    const forged = signDeviceListEntry({ ...list.makeAdd(list.first) }, stranger.sign);
    expect(refused(verifyDeviceList([...afterRemove, forged.bytes])).rule).toBe(2);
  });

  it('rule 3: an add needs a new device, a kind 2 certificate by its signer at its time, both consents, ≤ 5 active', () => {
    const list = new TestDeviceList();
    const b = list.add();
    const good = list.bytes();
    // The device is already active.
    expect(refused(verifyDeviceList([...good, list.makeAdd(list.first, b).bytes])).rule).toBe(3);
    // A removed device never returns.
    list.remove(list.first, b);
    expect(refused(verifyDeviceList([...list.bytes(), list.makeAdd(list.first, b).bytes])).rule).toBe(3);
    const base = list.bytes();
    const n = makeTestDevice();
    const add = list.makeAdd(list.first, n);
    if (add.op !== 'add') throw new Error('fixture');
    // A kind 1 certificate after entry 0 (even a genuine one).
    const kind1 = issueDeviceCertificate(list.identity.privateKey, list.identityKey, n.peerId, add.at);
    expect(
      refused(verifyDeviceList([...base, resign(add, { certificate: kind1 }, list.first).bytes])).rule,
    ).toBe(3);
    // A kind 2 certificate issued by another device than the entry's signer.
    const byOther = issueListedDeviceCertificate(n.sign, n.peerId, list.identityKey, n.peerId, add.at);
    expect(
      refused(verifyDeviceList([...base, resign(add, { certificate: byOther }, list.first).bytes])).rule,
    ).toBe(3);
    // issued_at other than the entry's at.
    const late = issueListedDeviceCertificate(
      list.first.sign,
      list.first.peerId,
      list.identityKey,
      n.peerId,
      add.at + 1,
    );
    expect(
      refused(verifyDeviceList([...base, resign(add, { certificate: late }, list.first).bytes])).rule,
    ).toBe(3);
    // The device did not consent (its possession signed by someone else).
    expect(
      refused(verifyDeviceList([...base, resign(add, { possession: add.mlsPossession }, list.first).bytes]))
        .rule,
    ).toBe(3);
    // The MLS key did not consent.
    expect(
      refused(verifyDeviceList([...base, resign(add, { mlsPossession: add.possession }, list.first).bytes]))
        .rule,
    ).toBe(3);
    // A consent given for another position (replayed from an earlier transcript) does not transfer.
    const old = list.makeAdd(list.first, n, {
      head: { seq: 1, hash: list.entries[1]?.prev ?? new Uint8Array(32) },
    });
    if (old.op !== 'add') throw new Error('fixture');
    const replayed = resign(
      add,
      { possession: old.possession, mlsPossession: old.mlsPossession },
      list.first,
    );
    expect(refused(verifyDeviceList([...base, replayed.bytes])).rule).toBe(3);
    // An MLS key already in this list, under a new PeerId.
    const reuse = {
      ...makeTestDevice(),
      mlsSignatureKey: list.first.mlsSignatureKey,
      mlsSign: list.first.mlsSign,
    };
    expect(refused(verifyDeviceList([...base, list.makeAdd(list.first, reuse).bytes])).rule).toBe(3);
    expect(verifyDeviceList([...base, add.bytes]).ok).toBe(true);
  });

  it(`rule 3: at most ${MAX_ACTIVE_DEVICES} active devices; a 6th add is refused, and fine again after a remove`, () => {
    const list = new TestDeviceList();
    const added = [list.add(), list.add(), list.add(), list.add()];
    expect(verifyDeviceList(list.bytes()).ok).toBe(true);
    const sixth = list.makeAdd(list.first);
    expect(refused(verifyDeviceList([...list.bytes(), sixth.bytes]))).toEqual({ rule: 3, index: 5 });
    list.remove(list.first, added[0] as TestDevice);
    list.add();
    expect(verifyDeviceList(list.bytes()).ok).toBe(true);
  });

  it('rule 4: a remove names an active device, and the last device stays', () => {
    const list = new TestDeviceList();
    const b = list.add();
    const good = list.bytes();
    expect(refused(verifyDeviceList([...good, list.makeRemove(b, makeTestDevice()).bytes])).rule).toBe(4);
    list.remove(list.first, b);
    expect(refused(verifyDeviceList([...list.bytes(), list.makeRemove(list.first, b).bytes])).rule).toBe(4);
    expect(
      refused(
        verifyDeviceList([
          ...list.bytes(),
          list.makeRemove(list.first, list.first, { reason: 'unlinked' }).bytes,
        ]),
      ).rule,
    ).toBe(4);
  });

  it("rule 5: a device in someone else's list is refused, whoever's consent it carries", () => {
    const ann = new TestDeviceList();
    const mallory = new TestDeviceList();
    // The verifier holds Ann's list: her devices belong to her identity key.
    const owners = new Map<string, Uint8Array>([[ann.first.peerId, ann.identityKey]]);
    const claimedBy = (d: { peerId: string }): Uint8Array | undefined => owners.get(d.peerId);
    // Mallory gets Ann's device to consent (a stolen device), so only rule 5 stops it.
    mallory.add(mallory.first, ann.first);
    expect(refused(verifyDeviceList(mallory.bytes(), { claimedBy }))).toEqual({ rule: 5, index: 1 });
    // Ann's own list is fine under the same view.
    expect(verifyDeviceList(ann.bytes(), { claimedBy }).ok).toBe(true);
    // Without the device's consent (Mallory lacks Ann's device key), rule 3 refuses it for any verifier.
    const fake = { ...makeTestDevice(), peerId: ann.first.peerId };
    const m2 = new TestDeviceList();
    expect(refused(verifyDeviceList([...m2.bytes(), m2.makeAdd(m2.first, fake).bytes])).rule).toBe(3);
  });

  it(`rule 6: at most ${MAX_DEVICE_LIST_ENTRIES} entries; adds stop first so that removes stay possible`, () => {
    const list = new TestDeviceList({ at: 1_000_000 });
    // Adds and removes alternate up to seq 1019, the last position an add may take.
    let last = list.first;
    while (list.entries.length < MAX_DEVICE_LIST_ENTRIES - 4) {
      last = list.add();
      if (list.entries.length < MAX_DEVICE_LIST_ENTRIES - 4) list.remove(list.first, last);
    }
    expect(list.head.seq).toBe(1019);
    const full = verifyDeviceList(list.bytes());
    if (!full.ok) throw new Error(full.reason);
    // No more adds (seq 1020)…
    expect(refused(verifyDeviceList([list.makeAdd(list.first).bytes], { from: full.state })).rule).toBe(6);
    // …but removes still go in.
    expect(activeDevices(full.state)).toHaveLength(2);
    list.remove(list.first, last);
    const v = verifyDeviceList(list.bytes().slice(1020), { from: full.state });
    expect(v.ok && v.state.head.seq).toBe(1020);
  });

  it('rule 6: an entry at seq 1,024 is refused whatever it is', () => {
    const list = new TestDeviceList();
    const b = list.add();
    const base = verifyDeviceList(list.bytes());
    if (!base.ok) throw new Error(base.reason);
    // A state claiming 1,023 as its head (as if verified up to there).
    const state = { ...base.state, head: { seq: MAX_DEVICE_LIST_ENTRIES - 1, hash: base.state.head.hash } };
    const remove = list.makeRemove(list.first, b, { head: state.head });
    expect(refused(verifyDeviceList([remove.bytes], { from: state })).rule).toBe(6);
  });
});

describe('verifyDeviceList: hostile input', () => {
  it('refuses garbage, oversize entries and a list built on a forged entry 0, without throwing', () => {
    expect(refused(verifyDeviceList([new Uint8Array(0)])).rule).toBe('malformed');
    expect(refused(verifyDeviceList([new Uint8Array(2000)])).rule).toBe('malformed');
    const list = new TestDeviceList();
    list.add();
    const bytes = list.bytes();
    expect(refused(verifyDeviceList([...bytes, new Uint8Array(10)]))).toEqual({
      rule: 'malformed',
      index: 2,
    });
  });

  it('a first entry by the right identity key for a device that did not consent is refused', () => {
    const ik = generateIdentityKey();
    const ikBytes = new Uint8Array(ik.publicKey);
    const victim = makeTestDevice();
    const thief = makeTestDevice();
    const e0 = buildFirstEntry({
      identityKey: ikBytes,
      identitySign: ed25519SignerFromPkcs8(ik.privateKey),
      at: 5,
      peerId: victim.peerId,
      certificate: issueDeviceCertificate(ik.privateKey, ikBytes, victim.peerId, 5),
      mlsSignatureKey: thief.mlsSignatureKey,
      platform: 'other',
      possession: signPossession({
        identityKey: ikBytes,
        seq: 0,
        prev: new Uint8Array(32),
        subjectPeerId: victim.peerId,
        mlsSignatureKey: thief.mlsSignatureKey,
        deviceSign: thief.sign,
        mlsSign: thief.mlsSign,
      }),
    });
    expect(refused(verifyDeviceList([e0.bytes])).rule).toBe(3);
  });
});
