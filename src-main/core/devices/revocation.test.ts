import { describe, expect, it } from 'vitest';
import { addOwnDeviceTo, listedPhone } from '../runtime/testing/listedPhone';
import { peerPool, until, type MessagingPeer } from '../runtime/testing/messagingPeer';
import { linkTestDevice, removeSignedBy } from './testing/ownListHelpers';
import { thisDeviceRemoval } from './thisDeviceRemoval';

/**
 * Revocation between real peers on 127.0.0.1 (docs/protocol.md §13.8): a
 * device removed while it is offline is forgotten by its person's contacts
 * (nothing queued or held for it, its node unknown, its application
 * messages refused), and learns it on its first connection when it comes
 * back. These peers run messaging without the host, so the removed device
 * keeps running after it learns: that is the device that does not know (or
 * does not care) that it was removed, and everything it sends must bounce.
 */

const pool = peerPool();
const svc = (p: MessagingPeer) => p.running().service;
const lists = (p: MessagingPeer) => p.running().devices;
const ik = (p: MessagingPeer) => new Uint8Array(p.identity.publicKey);
const headSeq = (at: MessagingPeer, of: MessagingPeer) => lists(at).headOf(ik(of))?.seq ?? -1;
const queuedFor = (p: MessagingPeer, recipient: string) =>
  (
    p.t.db
      .prepare(`SELECT count(*) AS n FROM outbox WHERE recipient = ? AND state != 'delivered'`)
      .get(recipient) as { n: number }
  ).n;
const bodies = (p: MessagingPeer, conversationId: number) => p.messages(conversationId).map((m) => m.body);

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  await svc(invitee).acceptInvite(svc(inviter).createInvite());
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

describe('revocation between peers (§13.8)', () => {
  it('a device removed while offline is forgotten by contacts, gets nothing new, its sends bounce, and it learns on its first connection', async () => {
    const [ann, bob] = [pool('Ann'), pool('Bob')];
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    await until(() => headSeq(bob, ann) === 0, 20_000, 'Bob holds Ann entry 0');
    // Ann's second device (her phone) is linked; Bob gets the entry by push.
    const phone = linkTestDevice(lists(ann));
    await until(() => headSeq(bob, ann) === 1, 10_000, 'Bob got the phone');
    const dmAtBob = bob.dmWith(ann) ?? -1;
    const dmAtAnn = ann.dmWith(bob) ?? -1;
    await svc(bob).sendText(dmAtBob, 'before');
    await until(() => bodies(ann, dmAtAnn).includes('before'), 10_000, 'Ann got the first message');

    // The laptop (Ann's device 0) is lost and off; Bob writes to it meanwhile.
    const laptop = ann.running().node.peerId;
    await ann.offline();
    await svc(bob).sendText(dmAtBob, 'queued for the laptop');
    expect(queuedFor(bob, laptop)).toBeGreaterThan(0);

    // The phone removes the laptop; Bob takes the entry (what a push from the phone does).
    const removal = removeSignedBy(lists(bob), ik(ann), phone, laptop);
    expect(lists(bob).accept(ik(ann), [removal.bytes], phone.peerId).status).toBe('extended');
    // Forgotten: nothing queued for it, the node treats it as unknown.
    expect(queuedFor(bob, laptop)).toBe(0);
    expect(bob.store.devices.exists(laptop)).toBe(false);
    expect(lists(bob).isRemovedDevice(laptop)).toBe(true);
    // What Bob sends from now on is not queued for it.
    await svc(bob).sendText(dmAtBob, 'after the removal');
    expect(queuedFor(bob, laptop)).toBe(0);

    // The laptop comes back: Bob refuses everything but the devices protocol, which tells it.
    await ann.online();
    await until(() => thisDeviceRemoval(ann.store.settings) !== null, 20_000, 'the laptop learned it');
    expect(thisDeviceRemoval(ann.store.settings)).toMatchObject({
      peerId: laptop,
      by: phone.peerId,
      reason: 'removed',
      at: removal.at,
    });
    expect(lists(ann).headOf(ik(ann))?.seq).toBe(2);
    // It got nothing new.
    expect(bodies(ann, dmAtAnn)).toContain('before');
    expect(bodies(ann, dmAtAnn)).not.toContain('queued for the laptop');
    expect(bodies(ann, dmAtAnn)).not.toContain('after the removal');

    // What it sends bounces: Bob's node does not take its envelopes…
    const sent = await svc(ann).sendText(dmAtAnn, 'from the removed laptop');
    const row = ann.t.db
      .prepare('SELECT envelope_id, payload FROM outbox WHERE message_id = ? LIMIT 1')
      .get(sent.id) as { envelope_id: string; payload: Buffer };
    await new Promise((r) => setTimeout(r, 1_500));
    expect(bodies(bob, dmAtBob)).not.toContain('from the removed laptop');
    // …and when one arrives another way (its leaf is still in the DM until a Remove
    // commit), the application message is refused (§13.8 step 3).
    const status = await bob.running().delivery.onEnvelope({
      from: laptop,
      envelopeId: Buffer.from(row.envelope_id, 'hex'),
      payload: row.payload,
    });
    expect(['accepted', 'duplicate', 'rejected']).toContain(status);
    expect(bodies(bob, dmAtBob)).not.toContain('from the removed laptop');
    expect(bodies(bob, dmAtBob)).toEqual(['before', 'queued for the laptop', 'after the removal']);
  }, 90_000);

  it('the remover commits a Remove of the device in every group it is in; members see its leaf gone (step 2)', async () => {
    const [ann, bob] = [pool('Ann'), pool('Bob')];
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    await until(() => headSeq(bob, ann) === 0, 20_000, 'Bob holds Ann entry 0');
    const groupAtAnn = await svc(ann).createGroup('Crew', [ann.contactId(bob) ?? -1]);
    await until(() => bob.groups().length === 1, 20_000, 'Bob in the group');
    const groupAtBob = bob.groups()[0] ?? -1;

    // Ann's phone: listed (entry 1), with a version 2 credential; Ann adds it to the group
    // (what §13.6's own-device add will do after a link, not built yet).
    const { device: phone, keyPackage } = await listedPhone(ann.running());
    await until(() => headSeq(bob, ann) === 1, 10_000, 'Bob got the phone');
    expect(await addOwnDeviceTo(ann.running(), groupAtAnn, keyPackage)).toBe('committed');
    const phoneAt = (p: MessagingPeer, id: number) =>
      svc(p)
        .groups.state(id)
        ?.members.some((m) => m.peerId === phone.peerId) ?? false;
    await until(() => phoneAt(bob, groupAtBob), 20_000, 'Bob sees the phone in the group');

    // Ann removes the phone (it is offline, it never even joined): every group drops its leaf.
    lists(ann).appendRemove(phone.peerId);
    await until(() => !phoneAt(ann, groupAtAnn), 20_000, 'the Remove committed at Ann');
    await until(() => !phoneAt(bob, groupAtBob), 20_000, 'Bob applied the Remove');
    expect(
      svc(bob)
        .groups.state(groupAtBob)
        ?.members.map((m) => m.peerId)
        .sort(),
    ).toEqual(
      svc(ann)
        .groups.state(groupAtAnn)
        ?.members.map((m) => m.peerId)
        .sort(),
    );
    // The group goes on: Bob's next message reaches Ann.
    await svc(bob).sendText(groupAtBob, 'still here');
    await until(() => bodies(ann, groupAtAnn).includes('still here'), 20_000, 'Ann got the message');
  }, 120_000);
});
