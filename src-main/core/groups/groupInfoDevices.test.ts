import { afterEach, describe, expect, it } from 'vitest';
import { removeSignedBy } from '../devices/testing/ownListHelpers';
import { runningPhone, type RunningPhone } from '../runtime/testing/runningPhone';
import { peerPool, until, type MessagingPeer } from '../runtime/testing/messagingPeer';

/**
 * docs/protocol.md §13.6 and §13.8 step 3: a member hands a group's
 * GroupInfo (what a rejoin by external commit needs) only to a device active
 * in its person's device list as the member holds it. A linked device
 * (version 2 credential) is answered; once its person's list removes it, it
 * gets nothing, and neither does a removed device 0 (version 1).
 */

const pool = peerPool();
const phones: RunningPhone[] = [];
afterEach(async () => {
  for (const p of phones.splice(0)) await p.stop();
});
const svc = (p: MessagingPeer) => p.running().service;
const lists = (p: MessagingPeer) => p.running().devices;
const ik = (p: MessagingPeer) => new Uint8Array(p.identity.publicKey);
const headSeq = (at: MessagingPeer, of: MessagingPeer) => lists(at).headOf(ik(of))?.seq ?? -1;

describe('GroupInfo only to active devices (§13.6)', () => {
  it("answers Ann's linked device, and nothing once it or device 0 is removed", async () => {
    const [ann, bob] = [pool('Ann'), pool('Bob')];
    await Promise.all([ann.online(), bob.online()]);
    await svc(bob).acceptInvite(svc(ann).createInvite());
    await until(() => ann.dmWith(bob) !== null, 20_000, 'Ann joins the DM');
    await until(() => headSeq(bob, ann) === 0, 20_000, 'Bob holds Ann entry 0');
    const dm = bob.dmWith(ann) ?? -1;
    const groupId = svc(bob).groups.state(dm)?.groupId ?? new Uint8Array(0);
    const bobPeer = bob.running().node.peerId;

    const phone = await runningPhone(ann.running());
    const tablet = await runningPhone(ann.running());
    phones.push(phone, tablet);
    await until(() => headSeq(bob, ann) === 2, 10_000, 'Bob got the phone and the tablet by push');
    const asker = (d: RunningPhone) => async (credential: Uint8Array) => {
      await d.node.addAddresses(bobPeer, bob.running().node.addresses());
      return d.node.services.groupInfo.fetch(bobPeer, groupId, credential);
    };
    // "Gets nothing": refused by the answer, or (§13.8 step 3) hung up on before it is read.
    const nothing = (p: Promise<Uint8Array | null>) => p.catch(() => null);

    // Version 2 credentials of devices active in Ann's list: answered.
    expect(await asker(phone)(phone.identity.credential)).not.toBeNull();
    expect(await asker(tablet)(tablet.identity.credential)).not.toBeNull();

    // Ann removes the phone; Bob takes the entry by push: the phone gets nothing.
    lists(ann).appendRemove(phone.device.peerId);
    await until(() => lists(bob).isRemovedDevice(phone.device.peerId), 10_000, 'Bob took the removal');
    expect(await nothing(asker(phone)(phone.identity.credential))).toBeNull();

    // Bob takes a remove of Ann's device 0 signed by the tablet: device 0 (version 1) gets nothing.
    const annsDevice = ann.store.mlsDevice.get();
    if (!annsDevice) throw new Error('Ann has no MLS device');
    const laptop = ann.running().node.peerId;
    const removal = removeSignedBy(lists(bob), ik(ann), tablet.device, laptop);
    expect(lists(bob).accept(ik(ann), [removal.bytes], tablet.device.peerId).status).toBe('extended');
    const annNode = ann.running().node;
    await annNode.addAddresses(bobPeer, bob.running().node.addresses());
    expect(
      await nothing(
        annNode.services.groupInfo.fetch(bobPeer, groupId, new Uint8Array(annsDevice.credential)),
      ),
    ).toBeNull();
    // The tablet, still active, is still answered.
    expect(await asker(tablet)(tablet.identity.credential)).not.toBeNull();
  }, 60_000);
});
