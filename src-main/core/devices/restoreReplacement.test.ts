import { describe, expect, it } from 'vitest';
import { makeTestDevice, type TestDevice } from '../identity/testing/deviceListFixture';
import { verifyDeviceList } from '../identity/deviceListVerify';
import { loadDeviceKey } from '../net/deviceKey';
import { ed25519SignerFromSeed } from '../util/ed25519';
import { peerPool, type MessagingPeer } from '../runtime/testing/messagingPeer';
import { silentLogger } from '../util/logger';
import { DeviceLists, type OwnDevice } from './deviceLists';
import { recordReplacedDevice, replacementPending, replaceRestoredDevice } from './restoreReplacement';
import { consentAt, linkTestDevice } from './testing/ownListHelpers';

/**
 * §13.9 "Replace" (issue 18): the first start of a restored profile writes
 * `add(N)` signed by the device the backup came from and `remove(D_old,
 * replaced)` signed by N, then forgets D_old's key; and refuses, keeping the
 * list as it was, whatever the list does not allow. The whole path through a
 * real backup, restore and a contact is in backup/restoreMessaging.test.ts.
 */

const peer = peerPool();

/** Ann's device D0 running (its list has entry 0), and N: the restored device on the same database. */
async function restoredBeside(): Promise<{
  ann: MessagingPeer;
  d0: string;
  d0Key: Uint8Array;
  n: TestDevice;
  lists: DeviceLists;
  own: OwnDevice;
}> {
  const ann = peer('Ann');
  const m = await ann.online();
  const d0Key = new Uint8Array(ann.store.deviceSecrets.get()?.deviceKey ?? []);
  const n = makeTestDevice();
  const own: OwnDevice = {
    identityKey: new Uint8Array(ann.identity.publicKey),
    identitySign: null,
    identityPrivateKey: null,
    peerId: n.peerId,
    deviceSign: n.sign,
    mlsSignatureKey: n.mlsSignatureKey,
    mlsSign: n.mlsSign,
    platform: 'linux',
  };
  const lists = new DeviceLists({
    repo: ann.store.deviceLists,
    tx: ann.store.tx,
    own,
    knows: () => false,
    logger: silentLogger,
    now: Date.now,
  });
  return { ann, d0: m.node.peerId, d0Key, n, lists, own };
}

const run = (r: Awaited<ReturnType<typeof restoredBeside>>) =>
  replaceRestoredDevice({ lists: r.lists, own: r.own, settings: r.ann.store.settings, logger: silentLogger });

describe('restore as replace (§13.9)', () => {
  it('writes add(N) signed by the backup’s device, then remove(D_old, replaced) signed by N, and forgets the key', async () => {
    const r = await restoredBeside();
    const ik = r.ann.identity.publicKey;
    expect(run(r)).toBe('none');
    recordReplacedDevice(r.ann.store.settings, r.d0Key);
    expect(replacementPending(r.ann.store.settings)).toBe(true);
    expect(run(r)).toBe('replaced');
    const list = r.lists.ownList();
    expect(list.map((e) => [e.op, e.subjectPeerId, e.signerPeerId])).toEqual([
      ['add', r.d0, null],
      ['add', r.n.peerId, r.d0],
      ['remove', r.d0, r.n.peerId],
    ]);
    expect(list[2]).toMatchObject({ reason: 'replaced' });
    // Every verifier accepts it from entry 0.
    expect(verifyDeviceList(list.map((e) => e.bytes)).ok).toBe(true);
    expect(r.lists.activeDevices(ik).map((d) => d.peerId)).toEqual([r.n.peerId]);
    expect(replacementPending(r.ann.store.settings)).toBe(false);
    expect(run(r)).toBe('none');
  });

  it('after an interruption between the two entries, the next start writes only the remove', async () => {
    const r = await restoredBeside();
    const head = r.lists.headOf(r.own.identityKey);
    if (head === null) throw new Error('no list');
    r.lists.appendAdd({
      subjectPeerId: r.n.peerId,
      mlsSignatureKey: r.n.mlsSignatureKey,
      platform: 'linux',
      possession: r.lists.ownPossession(head.seq + 1, head.hash),
      signer: { peerId: r.d0, sign: ed25519SignerFromSeed(loadDeviceKey(r.d0Key).raw) },
    });
    recordReplacedDevice(r.ann.store.settings, r.d0Key);
    expect(run(r)).toBe('replaced');
    expect(r.lists.ownList().map((e) => e.op)).toEqual(['add', 'add', 'remove']);
  });

  it('a backup whose device was removed since signs nothing (the list only moves on), and its key goes', async () => {
    const r = await restoredBeside();
    const running = r.ann.running().devices;
    const laptop = linkTestDevice(running);
    running.appendRemove(laptop.peerId);
    const before = running.headOf(r.own.identityKey);
    recordReplacedDevice(r.ann.store.settings, laptop.deviceKey);
    expect(run(r)).toBe('refused');
    expect(r.lists.headOf(r.own.identityKey)).toEqual(before);
    expect(replacementPending(r.ann.store.settings)).toBe(false);
  });

  it('at five devices the add would be a sixth: refused, the list unchanged', async () => {
    const r = await restoredBeside();
    const running = r.ann.running().devices;
    for (let i = 0; i < 4; i++) linkTestDevice(running);
    const before = running.headOf(r.own.identityKey);
    recordReplacedDevice(r.ann.store.settings, r.d0Key);
    expect(run(r)).toBe('refused');
    expect(r.lists.headOf(r.own.identityKey)).toEqual(before);
    expect(r.lists.activeDevices(r.own.identityKey)).toHaveLength(5);
  });

  it('a key that is not in the list, or a damaged record, is dropped without signing', async () => {
    const r = await restoredBeside();
    const before = r.lists.headOf(r.own.identityKey);
    recordReplacedDevice(r.ann.store.settings, makeTestDevice().deviceKey);
    expect(run(r)).toBe('not-listed');
    r.ann.store.settings.set('devices.restoreReplaces', '{"deviceKey": 42');
    expect(run(r)).toBe('not-listed');
    recordReplacedDevice(r.ann.store.settings, new Uint8Array(7));
    expect(run(r)).toBe('not-listed');
    expect(r.lists.headOf(r.own.identityKey)).toEqual(before);
    expect(replacementPending(r.ann.store.settings)).toBe(false);
    // N's consent alone (without the backup's device signing) lists nothing either.
    expect(() =>
      r.lists.appendAdd({
        subjectPeerId: r.n.peerId,
        mlsSignatureKey: r.n.mlsSignatureKey,
        platform: 'linux',
        possession: consentAt(r.lists, r.n),
      }),
    ).toThrow(/no longer one of your devices/);
  });
});
