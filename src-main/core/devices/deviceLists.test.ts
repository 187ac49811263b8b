import { afterEach, describe, expect, it } from 'vitest';
import { isParleyError } from '../errors';
import { deviceListHead, entryHash } from '../identity/deviceListEntry';
import { verifyDeviceList } from '../identity/deviceListVerify';
import { makeTestDevice, type TestDevice, TestDeviceList } from '../identity/testing/deviceListFixture';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { DeviceListRepository } from '../store/repositories/deviceListRepository';
import { insertIdentity, tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { Transactor } from '../store/transactor';
import { ed25519SignerFromPkcs8 } from '../util/ed25519';
import { silentLogger } from '../util/logger';
import { type DeviceListNews, DeviceLists, type DeviceListsDeps, type OwnDevice } from './deviceLists';
import { unpackEntries } from './entryChain';

const dbs: TempDatabase[] = [];
afterEach(() => {
  for (const t of dbs.splice(0)) t.dispose();
});

interface Profile {
  t: TempDatabase;
  lists: DeviceLists;
  news: DeviceListNews[];
  list: TestDeviceList;
  device: TestDevice;
}

/** A profile on a real encrypted database: its identity (as a TestDeviceList's) and this device. */
function profile(
  options: {
    known?: Uint8Array[];
    list?: TestDeviceList;
    device?: TestDevice;
    t?: TempDatabase;
    clock?: () => number;
    onRemove?: DeviceListsDeps['onRemove'];
  } = {},
): Profile {
  const list = options.list ?? new TestDeviceList();
  const device = options.device ?? list.first;
  const t = options.t ?? tempDatabase();
  if (!options.t) dbs.push(t);
  const news: DeviceListNews[] = [];
  const own: OwnDevice = {
    identityKey: list.identityKey,
    identitySign: device === list.first ? ed25519SignerFromPkcs8(list.identity.privateKey) : null,
    identityPrivateKey: device === list.first ? list.identity.privateKey : null,
    peerId: device.peerId,
    deviceSign: device.sign,
    mlsSignatureKey: device.mlsSignatureKey,
    mlsSign: device.mlsSign,
    platform: 'linux',
  };
  const known = options.known ?? [];
  const lists = new DeviceLists({
    repo: new DeviceListRepository(t.db),
    tx: new Transactor(t.db),
    own,
    knows: (ik) => known.some((k) => Buffer.from(k).equals(Buffer.from(ik))),
    logger: silentLogger,
    now: options.clock ?? (() => list.at + 1000),
    ...(options.onRemove ? { onRemove: options.onRemove } : {}),
  });
  lists.on((n) => news.push(n));
  return { t, lists, news, list, device };
}

describe('own list (§13.11, §13.3)', () => {
  it('signs entry 0 on first start, once, and keeps it across a restart of the encrypted store', () => {
    const me = profile();
    const head = me.lists.ensureOwnList();
    expect(head?.seq).toBe(0);
    const [entry0] = me.lists.ownList();
    expect(entry0).toMatchObject({
      op: 'add',
      seq: 0,
      signerPeerId: null,
      subjectPeerId: me.device.peerId,
      platform: 'linux',
    });
    expect(verifyDeviceList(me.lists.ownList().map((e) => e.bytes)).ok).toBe(true);
    expect(me.lists.ensureOwnList()).toEqual(head);
    expect(me.lists.ownList()).toHaveLength(1);
    // Reopen the database with its key: the list is at rest, encrypted, and read back the same.
    me.t.db.close();
    const db = openEncryptedDatabase(me.t.path, me.t.key, { create: false });
    const again = profile({ list: me.list, t: { ...me.t, db } });
    expect(again.lists.headOf(me.list.identityKey)).toEqual(head);
    expect(again.lists.ensureOwnList()).toEqual(head);
    expect(again.lists.activeDevices(me.list.identityKey).map((d) => d.peerId)).toEqual([me.device.peerId]);
    db.close();
  });

  it('gives a profile made before issue 18 its entry 0 on the first start after the upgrade', () => {
    const t = tempDatabase(migrations.filter((m) => m.version < 19));
    dbs.push(t);
    insertIdentity(t.db);
    migrate(t.db, migrations);
    const me = profile({ t });
    expect(me.lists.headOf(me.list.identityKey)).toBeNull();
    expect(me.lists.ensureOwnList()?.seq).toBe(0);
  });

  it('a device without the identity key cannot start a list', () => {
    const list = new TestDeviceList();
    const me = profile({ list, device: makeTestDevice() });
    expect(me.lists.ensureOwnList()).toBeNull();
    expect(me.lists.ownList()).toEqual([]);
  });

  it('appends adds signed by this device, up to 5 active devices, and removes', () => {
    const me = profile();
    me.lists.ensureOwnList();
    const added: TestDevice[] = [];
    for (let i = 0; i < 4; i++) {
      const n = makeTestDevice();
      const head = me.lists.headOf(me.list.identityKey);
      if (!head) throw new Error('no head');
      // The new device's consent, made on it for the position it is shown.
      const possession = me.list.makeAdd(me.device, n, { head });
      if (possession.op !== 'add') throw new Error('fixture');
      const entry = me.lists.appendAdd({
        subjectPeerId: n.peerId,
        mlsSignatureKey: n.mlsSignatureKey,
        platform: 'windows',
        possession: { possession: possession.possession, mlsPossession: possession.mlsPossession },
        expectHead: head,
      });
      expect(entry).toMatchObject({ op: 'add', seq: i + 1, signerPeerId: me.device.peerId });
      added.push(n);
    }
    expect(me.lists.activeDevices(me.list.identityKey)).toHaveLength(5);
    // The 6th is refused clearly, and nothing is stored.
    const sixth = makeTestDevice();
    const head = me.lists.headOf(me.list.identityKey);
    if (!head) throw new Error('no head');
    const p = me.list.makeAdd(me.device, sixth, { head });
    if (p.op !== 'add') throw new Error('fixture');
    const tryAdd = () =>
      me.lists.appendAdd({
        subjectPeerId: sixth.peerId,
        mlsSignatureKey: sixth.mlsSignatureKey,
        platform: 'other',
        possession: { possession: p.possession, mlsPossession: p.mlsPossession },
      });
    expect(tryAdd).toThrow(/already have 5 devices/);
    expect(me.lists.headOf(me.list.identityKey)).toEqual(head);
    // A remove, then the add fits; its consent named the old head, so it is refused until re-signed.
    me.lists.appendRemove((added[0] as TestDevice).peerId);
    expect(tryAdd).toThrow(/not allowed/);
    expect(me.lists.activeDevices(me.list.identityKey)).toHaveLength(4);
    expect(me.lists.allDevices(me.list.identityKey).find((d) => d.peerId === added[0]?.peerId)).toMatchObject(
      {
        removeReason: 'removed',
      },
    );
    expect(verifyDeviceList(me.lists.ownList().map((e) => e.bytes)).ok).toBe(true);
  });

  it('refuses an add when the list moved after the new device was shown the head', () => {
    const me = profile();
    const shown = me.lists.ensureOwnList();
    if (!shown) throw new Error('no head');
    const other = makeTestDevice();
    const p = me.list.makeAdd(me.device, other, { head: shown });
    if (p.op !== 'add') throw new Error('fixture');
    me.lists.appendAdd({
      subjectPeerId: other.peerId,
      mlsSignatureKey: other.mlsSignatureKey,
      platform: 'linux',
      possession: { possession: p.possession, mlsPossession: p.mlsPossession },
    });
    const late = makeTestDevice();
    const q = me.list.makeAdd(me.device, late, { head: shown });
    if (q.op !== 'add') throw new Error('fixture');
    let err: unknown;
    try {
      me.lists.appendAdd({
        subjectPeerId: late.peerId,
        mlsSignatureKey: late.mlsSignatureKey,
        platform: 'linux',
        possession: { possession: q.possession, mlsPossession: q.mlsPossession },
        expectHead: shown,
      });
    } catch (e) {
      err = e;
    }
    expect(isParleyError(err, 'INVALID_STATE')).toBe(true);
    expect((err as Error).message).toMatch(/changed meanwhile/);
  });

  it('refuses to remove the last device or a device that is not active', () => {
    const me = profile();
    me.lists.ensureOwnList();
    expect(() => me.lists.appendRemove(me.device.peerId, 'unlinked')).toThrow(/last device/);
    expect(() => me.lists.appendRemove(makeTestDevice().peerId)).toThrow(/not one of your active devices/);
  });

  it('a device removed from its own list can no longer sign for it', () => {
    const ann = new TestDeviceList();
    const laptop = ann.add();
    const me = profile({ list: ann, device: laptop, known: [] });
    expect(me.lists.accept(ann.identityKey, ann.bytes(), null).status).toBe('extended');
    ann.remove(ann.first, laptop);
    expect(me.lists.accept(ann.identityKey, ann.bytes().slice(2), null).status).toBe('extended');
    expect(() => me.lists.appendRemove(ann.first.peerId)).toThrow(/no longer one of your devices/);
  });
});

describe("contacts' lists (§13.3 acceptance, §13.4 forks)", () => {
  it('takes the first list only for a known identity key and only from entry 0', () => {
    const ann = new TestDeviceList();
    ann.add();
    const stranger = profile();
    expect(stranger.lists.accept(ann.identityKey, ann.bytes(), 'peer').status).toBe('unknown');
    expect(stranger.lists.headOf(ann.identityKey)).toBeNull();
    const bob = profile({ known: [ann.identityKey] });
    expect(bob.lists.accept(ann.identityKey, ann.bytes().slice(1), 'peer').status).toBe('incomplete');
    const r = bob.lists.accept(ann.identityKey, ann.bytes(), 'peer');
    expect(r.status).toBe('extended');
    expect(bob.lists.headOf(ann.identityKey)).toEqual(ann.head);
    expect(bob.news).toEqual([expect.objectContaining({ kind: 'changed' })]);
  });

  it('accepts only entries that extend the stored head, and each only once', () => {
    const ann = new TestDeviceList();
    const bob = profile({ known: [ann.identityKey] });
    bob.lists.accept(ann.identityKey, ann.bytes(), null);
    const b = ann.add();
    ann.add(b);
    // A gap: seq 2 without seq 1.
    expect(bob.lists.accept(ann.identityKey, ann.bytes().slice(2), null).status).toBe('incomplete');
    // Everything again from 0: only the new part is taken.
    const r = bob.lists.accept(ann.identityKey, ann.bytes(), null);
    expect(r.status === 'extended' && r.added.map((e) => e.seq)).toEqual([1, 2]);
    expect(bob.lists.accept(ann.identityKey, ann.bytes(), null).status).toBe('unchanged');
    expect(bob.lists.accept(ann.identityKey, [], null).status).toBe('unchanged');
    expect(bob.lists.activeDevices(ann.identityKey)).toHaveLength(3);
  });

  it('drops a bad extension whole (nothing stored) and reports which rule', () => {
    const ann = new TestDeviceList();
    const bob = profile({ known: [ann.identityKey] });
    bob.lists.accept(ann.identityKey, ann.bytes(), null);
    const good = ann.makeAdd(ann.first);
    const stranger = makeTestDevice();
    const bad = new TestDeviceList({ identity: ann.identity, first: ann.first, at: ann.at }).makeAdd(
      stranger,
      makeTestDevice(),
      {
        head: { seq: 1, hash: entryHash(good.bytes) },
      },
    );
    const r = bob.lists.accept(ann.identityKey, [good.bytes, bad.bytes], null);
    expect(r).toMatchObject({ status: 'refused', rule: 2 });
    expect(bob.lists.headOf(ann.identityKey)?.seq).toBe(0);
    expect(bob.lists.accept(ann.identityKey, [new Uint8Array([1, 2, 3])], null)).toMatchObject({
      status: 'refused',
      rule: 'malformed',
    });
    // Entries of another person under Ann's key.
    const eve = new TestDeviceList();
    expect(bob.lists.accept(ann.identityKey, eve.bytes(), null)).toMatchObject({
      status: 'refused',
      rule: 2,
    });
  });

  it('a forked list (two validly signed entries at one seq) is kept as evidence, reported once, and freezes the list', () => {
    const ann = new TestDeviceList();
    const laptop = ann.add();
    const bob = profile({ known: [ann.identityKey] });
    bob.lists.accept(ann.identityKey, ann.bytes(), 'ann-1');
    // Ann's laptop key signs two different adds at seq 2 (a stolen or copied device).
    const base = ann.head;
    const real = ann.makeAdd(laptop, makeTestDevice(), { head: base });
    const other = ann.makeAdd(laptop, makeTestDevice(), { head: base, platform: 'windows' });
    expect(bob.lists.accept(ann.identityKey, [real.bytes], 'ann-1').status).toBe('extended');
    const r = bob.lists.accept(ann.identityKey, [...ann.bytes(), other.bytes], 'carl-1');
    expect(r).toEqual({ status: 'fork', seq: 2, recorded: true });
    const [fork] = bob.lists.forks(ann.identityKey);
    expect(fork).toMatchObject({ seq: 2, toldBy: 'carl-1' });
    expect(Buffer.from(fork?.ours ?? []).equals(Buffer.from(real.bytes))).toBe(true);
    expect(unpackEntries(fork?.theirs ?? new Uint8Array())).toEqual([other.bytes]);
    expect(bob.news.filter((n) => n.kind === 'fork')).toEqual([
      { kind: 'fork', identityKey: ann.identityKey, seq: 2, toldBy: 'carl-1' },
    ]);
    // Shown again: evidence kept, no second alert.
    expect(bob.lists.accept(ann.identityKey, [other.bytes], 'carl-1')).toMatchObject({
      status: 'fork',
      recorded: false,
    });
    // Frozen: the version Bob holds takes no further entry until the user chooses.
    ann.push(real);
    ann.add(laptop);
    expect(bob.lists.accept(ann.identityKey, ann.bytes(), 'ann-1').status).toBe('frozen');
    expect(bob.lists.headOf(ann.identityKey)?.seq).toBe(2);
  });

  it('a different entry 0 for the same identity key is a fork too', () => {
    const ann = new TestDeviceList();
    const bob = profile({ known: [ann.identityKey] });
    bob.lists.accept(ann.identityKey, ann.bytes(), null);
    const second = new TestDeviceList({ identity: ann.identity });
    expect(bob.lists.accept(ann.identityKey, second.bytes(), 'x')).toMatchObject({ status: 'fork', seq: 0 });
  });

  it('a different version that does not verify is only a claim: dropped, no alert', () => {
    const ann = new TestDeviceList();
    const laptop = ann.add();
    const bob = profile({ known: [ann.identityKey] });
    bob.lists.accept(ann.identityKey, ann.bytes(), null);
    ann.add(laptop);
    bob.lists.accept(ann.identityKey, ann.bytes(), null);
    // A seq-2 entry "signed" by a device Ann never listed.
    const forged = ann.makeAdd(makeTestDevice(), makeTestDevice(), {
      head: deviceListHead(ann.entries.slice(0, 2)),
    });
    expect(bob.lists.accept(ann.identityKey, [...ann.bytes().slice(0, 2), forged.bytes], 'm')).toMatchObject({
      status: 'refused',
      rule: 2,
    });
    expect(bob.lists.forks()).toEqual([]);
    expect(bob.news.some((n) => n.kind === 'fork')).toBe(false);
  });

  it("refuses a list that claims a device of someone else's list (rule 5), through the stored lists", () => {
    const ann = new TestDeviceList();
    const mallory = new TestDeviceList();
    const bob = profile({ known: [ann.identityKey, mallory.identityKey] });
    bob.lists.accept(ann.identityKey, ann.bytes(), null);
    // Mallory holds Ann's stolen device and has it consent to her list.
    mallory.add(mallory.first, ann.first);
    expect(bob.lists.accept(mallory.identityKey, mallory.bytes(), null)).toMatchObject({
      status: 'refused',
      rule: 5,
    });
    expect(bob.lists.headOf(mallory.identityKey)).toBeNull();
    // Bob's own device cannot be claimed either.
    const bobsOwn = profile({ known: [mallory.identityKey] });
    bobsOwn.lists.ensureOwnList();
    const m2 = new TestDeviceList();
    m2.add(m2.first, bobsOwn.device);
    const viaBob = profile({ known: [m2.identityKey], list: bobsOwn.list, t: bobsOwn.t });
    expect(viaBob.lists.accept(m2.identityKey, m2.bytes(), null)).toMatchObject({
      status: 'refused',
      rule: 5,
    });
  });

  it('takes its own list from its other devices (a device linked elsewhere)', () => {
    const ann = new TestDeviceList();
    const me = profile({ list: ann });
    me.lists.ensureOwnList();
    // Ann's own entry 0 as this device signed it is what the other devices extend.
    const mine = me.lists.ownList().map((e) => e.bytes);
    const view = new TestDeviceList({ identity: ann.identity, first: ann.first });
    view.entries.splice(0, 1, ...me.lists.ownList());
    view.at = me.lists.ownList()[0]?.at ?? view.at;
    view.add();
    const r = me.lists.accept(ann.identityKey, [...mine, ...view.bytes().slice(1)], 'phone');
    expect(r.status).toBe('extended');
    expect(me.lists.activeDevices(ann.identityKey)).toHaveLength(2);
  });
});

describe('revocation (§13.8)', () => {
  it('a contact refuses a forged sixth add, takes a remove (told inside its transaction) and remembers it', () => {
    const ann = new TestDeviceList();
    const told: string[] = [];
    const bob = profile({
      known: [ann.identityKey],
      onRemove: (e, thisDevice) => told.push(`${e.subjectPeerId}:${thisDevice}`),
    });
    const [, phone, , , tablet] = [ann.first, ann.add(), ann.add(), ann.add(), ann.add()];
    expect(bob.lists.accept(ann.identityKey, ann.bytes(), null).status).toBe('extended');
    // Rule 3: five is the limit for every verifier, whoever signed the sixth.
    const sixth = ann.makeAdd(ann.first);
    expect(bob.lists.accept(ann.identityKey, [...ann.bytes(), sixth.bytes], 'phone')).toMatchObject({
      status: 'refused',
      rule: 3,
    });
    ann.remove(phone as TestDevice, tablet as TestDevice);
    expect(bob.lists.accept(ann.identityKey, ann.bytes(), 'phone').status).toBe('extended');
    expect(told).toEqual([`${tablet?.peerId}:false`]);
    expect(bob.lists.isRemovedDevice(tablet?.peerId ?? '')).toBe(true);
    expect(bob.lists.isRemovedDevice(phone?.peerId ?? '')).toBe(false);
    // After a restart, from the stored lists.
    const again = profile({ known: [ann.identityKey], list: ann, t: bob.t });
    expect(again.lists.isRemovedDevice(tablet?.peerId ?? '')).toBe(true);
    // A remove whose transaction fails leaves nothing: not stored, not remembered.
    const failing = profile({
      known: [ann.identityKey],
      onRemove: () => {
        throw new Error('disk full');
      },
    });
    ann.remove(ann.first, phone as TestDevice);
    expect(() => failing.lists.accept(ann.identityKey, ann.bytes(), null)).toThrow(/disk full/);
    expect(failing.lists.headOf(ann.identityKey)).toBeNull();
    expect(failing.lists.isRemovedDevice(tablet?.peerId ?? '')).toBe(false);
  });

  it("this device's own removal is told as such, once stored", () => {
    const ann = new TestDeviceList();
    const phone = ann.add();
    const told: boolean[] = [];
    const me = profile({ list: ann, device: phone, onRemove: (_e, thisDevice) => told.push(thisDevice) });
    expect(me.lists.accept(ann.identityKey, ann.bytes(), 'laptop').status).toBe('extended');
    ann.remove(ann.first, phone);
    expect(me.lists.accept(ann.identityKey, ann.bytes(), 'laptop').status).toBe('extended');
    expect(told).toEqual([true]);
    expect(me.news.map((n) => n.kind)).toEqual(['changed', 'changed', 'thisDeviceRemoved']);
    // It can no longer sign for the list.
    expect(() => me.lists.appendRemove(ann.first.peerId)).toThrow(/no longer one of your devices/);
  });
});
