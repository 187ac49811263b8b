import { describe, expect, it } from 'vitest';
import { buildAddEntry, signPossession } from '../identity/deviceListBuild';
import { makeTestDevice, type TestDevice } from '../identity/testing/deviceListFixture';
import { loadDeviceKey } from '../net/deviceKey';
import { peerPool, until, type MessagingPeer } from '../runtime/testing/messagingPeer';
import { ed25519SignerFromSeed } from '../util/ed25519';

/**
 * Device lists between real peers on 127.0.0.1 (docs/protocol.md §13.4):
 * heads travel in the address exchange, the entries behind a newer head are
 * fetched over /parley/devices/1.0.0, new own entries are pushed to the
 * devices connected now, a forked list is found by contacts and told to its
 * owner by the echo, and strangers learn nothing.
 */

const pool = peerPool();
const svc = (p: MessagingPeer) => p.running().service;
const lists = (p: MessagingPeer) => p.running().devices;
const ik = (p: MessagingPeer) => new Uint8Array(p.identity.publicKey);
const headSeq = (at: MessagingPeer, of: MessagingPeer) => lists(at).headOf(ik(of))?.seq ?? -1;

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  await svc(invitee).acceptInvite(svc(inviter).createInvite());
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

/** A new device's consent to join `owner`'s list at its current head (made on that device, §13.5). */
function consentFor(owner: MessagingPeer, device: TestDevice) {
  const head = lists(owner).headOf(ik(owner));
  if (head === null) throw new Error('no own list');
  return signPossession({
    identityKey: ik(owner),
    seq: head.seq + 1,
    prev: head.hash,
    subjectPeerId: device.peerId,
    mlsSignatureKey: device.mlsSignatureKey,
    deviceSign: device.sign,
    mlsSign: device.mlsSign,
  });
}

function link(owner: MessagingPeer, device: TestDevice = makeTestDevice()): TestDevice {
  lists(owner).appendAdd({
    subjectPeerId: device.peerId,
    mlsSignatureKey: device.mlsSignatureKey,
    platform: 'windows',
    possession: consentFor(owner, device),
  });
  return device;
}

/** What a thief holding `owner`'s device key could sign: an add at the current head, unknown to the owner. */
function forgedAdd(owner: MessagingPeer): Uint8Array {
  const secrets = owner.store.deviceSecrets.get();
  if (!secrets) throw new Error('no device key');
  const head = lists(owner).headOf(ik(owner));
  if (head === null) throw new Error('no own list');
  const thief = makeTestDevice();
  return buildAddEntry({
    identityKey: ik(owner),
    head,
    at: Date.now(),
    signerPeerId: owner.running().node.peerId,
    signerSign: ed25519SignerFromSeed(loadDeviceKey(secrets.deviceKey).raw),
    subjectPeerId: thief.peerId,
    mlsSignatureKey: thief.mlsSignatureKey,
    platform: 'windows',
    possession: signPossession({
      identityKey: ik(owner),
      seq: head.seq + 1,
      prev: head.hash,
      subjectPeerId: thief.peerId,
      mlsSignatureKey: thief.mlsSignatureKey,
      deviceSign: thief.sign,
      mlsSign: thief.mlsSign,
    }),
  }).bytes;
}

describe('device lists between peers (§13.4)', () => {
  it('a contact learns an appended entry from the head in the address exchange, and at once by push while connected', async () => {
    const [ann, bob] = [pool('Ann'), pool('Bob')];
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    // First use: Bob takes Ann's entry 0 behind the head her exchange carried (and she takes his).
    await until(() => headSeq(bob, ann) === 0 && headSeq(ann, bob) === 0, 20_000, 'entry 0 both ways');

    // Bob is away while Ann links a device: he learns it from her head when they meet again.
    await bob.offline();
    const phone = link(ann);
    await bob.online();
    await until(() => headSeq(bob, ann) === 1, 20_000, 'Bob fetched the new entry');
    expect(
      lists(bob)
        .activeDevices(ik(ann))
        .map((d) => d.peerId),
    ).toContain(phone.peerId);

    // Connected: a removal reaches Bob by push, without waiting for another exchange.
    lists(ann).appendRemove(phone.peerId);
    await until(() => headSeq(bob, ann) === 2, 5_000, 'Bob got the removal');
    expect(
      lists(bob)
        .activeDevices(ik(ann))
        .map((d) => d.peerId),
    ).not.toContain(phone.peerId);
    expect(lists(bob).forks()).toEqual([]);
  });

  it('a forked list is found by two contacts, and the echo of their heads tells its owner', async () => {
    const [ann, bob, carl] = [pool('Ann'), pool('Bob'), pool('Carl')];
    await Promise.all([ann.online(), bob.online(), carl.online()]);
    await befriend(ann, bob);
    await befriend(ann, carl);
    await befriend(bob, carl);
    // A shared group: Bob and Carl may learn each other's view of Ann (the record rule of §11).
    await svc(ann).createGroup('Crew', [ann.contactId(bob) ?? -1, ann.contactId(carl) ?? -1]);
    await until(() => bob.groups().length === 1 && carl.groups().length === 1, 20_000, 'group everywhere');
    await until(() => headSeq(bob, ann) === 0 && headSeq(carl, ann) === 0, 20_000, 'Ann entry 0 at both');

    // Carl is shown a version of Ann's list that Ann did not make (her device key, used by a thief).
    expect(lists(carl).accept(ik(ann), [forgedAdd(ann)], 'thief').status).toBe('extended');
    // Ann links a device for real: Bob takes it, Carl holds another entry at that seq.
    link(ann);
    await until(() => headSeq(bob, ann) === 1, 10_000, 'Bob has the real entry');
    await until(() => lists(carl).forks(ik(ann)).length === 1, 10_000, 'Carl found the fork');

    // Their next exchanges carry the heads: Bob learns Carl's version, Ann hears hers echoed.
    await carl.offline();
    await carl.online();
    await until(() => lists(bob).forks(ik(ann)).length === 1, 20_000, 'Bob found the fork');
    await until(() => lists(ann).forks(ik(ann)).length === 1, 20_000, 'Ann was told by the echo');
    expect(lists(ann).forks(ik(ann))[0]?.seq).toBe(1);
    // Nobody moved on from the version they had.
    expect(headSeq(bob, ann)).toBe(1);
    expect(lists(ann).ownList()).toHaveLength(2);
  });

  it('a stranger is REFUSED, as for a person the device does not know; a contact gets the list', async () => {
    const [ann, bob, eve] = [pool('Ann'), pool('Bob'), pool('Eve')];
    await Promise.all([ann.online(), bob.online(), eve.online()]);
    await befriend(ann, bob);
    const annId = ann.running().node.peerId;
    await eve.running().node.addAddresses(annId, ann.running().node.addresses());
    const ask = (who: MessagingPeer, of: Uint8Array) =>
      who.running().node.services.devices.exchange(annId, { identityKey: of, after: null, push: [] });
    expect(await ask(eve, ik(ann))).toEqual({ status: 'refused', entries: [] });
    expect(await ask(eve, new Uint8Array(32).fill(1))).toEqual({ status: 'refused', entries: [] });
    // Bob is Ann's contact: her own list; but not a person Ann knows nothing of.
    const got = await ask(bob, ik(ann));
    expect(got.status).toBe('ok');
    expect(got.entries).toHaveLength(1);
    expect(await ask(bob, new Uint8Array(32).fill(1))).toEqual({ status: 'refused', entries: [] });
    // Eve's push of Ann's list (valid entries she cannot have had a right to push) is refused too.
    const push = await eve.running().node.services.devices.exchange(annId, {
      identityKey: ik(bob),
      after: null,
      push: lists(bob)
        .ownList()
        .map((e) => e.bytes),
    });
    expect(push.status).toBe('refused');
  });

  it("a list that claims another person's device is refused (rule 5), and nothing of it is stored", async () => {
    const [ann, bob, mallory] = [pool('Ann'), pool('Bob'), pool('Mallory')];
    await Promise.all([ann.online(), bob.online(), mallory.online()]);
    await befriend(ann, bob);
    await befriend(mallory, bob);
    await until(() => headSeq(bob, ann) === 0 && headSeq(bob, mallory) === 0, 20_000, 'both lists at Bob');
    // Mallory holds Ann's device and MLS keys (stolen) and lists that device as hers.
    const secrets = ann.store.deviceSecrets.get();
    const mls = ann.store.mlsDevice.get();
    if (!secrets || !mls) throw new Error('keys');
    const stolen: TestDevice = {
      peerId: ann.running().node.peerId,
      deviceKey: loadDeviceKey(secrets.deviceKey).raw,
      sign: ed25519SignerFromSeed(loadDeviceKey(secrets.deviceKey).raw),
      mlsSignatureKey: new Uint8Array(mls.signaturePublicKey),
      mlsSign: ed25519SignerFromSeed(mls.signaturePrivateKey),
    };
    link(mallory, stolen);
    // Her node pushes it to Bob at once; Bob refuses it and keeps what he had.
    await mallory.running().deviceSync.settled();
    await bob.running().deviceSync.settled();
    expect(headSeq(bob, mallory)).toBe(0);
    expect(
      lists(bob)
        .activeDevices(ik(ann))
        .map((d) => d.peerId),
    ).toEqual([ann.running().node.peerId]);
    // Asked directly, Bob answers REFUSED to the push.
    const direct = await mallory.running().node.services.devices.exchange(bob.running().node.peerId, {
      identityKey: ik(mallory),
      after: null,
      push: lists(mallory)
        .ownList()
        .map((e) => e.bytes),
    });
    expect(direct.status).toBe('refused');
  });
});
