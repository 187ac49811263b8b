import { afterEach, describe, expect, it } from 'vitest';
import { addOwnDeviceTo } from '../runtime/testing/listedPhone';
import { runningPhone, type RunningPhone } from '../runtime/testing/runningPhone';
import { peerPool, until, type MessagingPeer } from '../runtime/testing/messagingPeer';
import { decodeFrame } from './wireFrame';

/**
 * docs/protocol.md §13.6 on 127.0.0.1, "New conversations" and "DMs reach
 * all devices": a group is made with every active device of every member,
 * the creator's other devices included, one KeyPackage from each device
 * itself; a device that cannot give one (offline) is left out and the group
 * is made with the others; an Add of a person adds all of that person's
 * devices; a message is encrypted once and queued to every other device.
 * The second devices here run a node of their own but no MLS
 * (runtime/testing/runningPhone.ts): they are what a contact fetches from
 * and delivers to.
 */

const pool = peerPool();
const phones: RunningPhone[] = [];
afterEach(async () => {
  for (const p of phones.splice(0)) await p.stop().catch(() => undefined);
});
const svc = (p: MessagingPeer) => p.running().service;
const lists = (p: MessagingPeer) => p.running().devices;
const ik = (p: MessagingPeer) => new Uint8Array(p.identity.publicKey);
const headSeq = (at: MessagingPeer, of: MessagingPeer) => lists(at).headOf(ik(of))?.seq ?? -1;
const peersIn = (p: MessagingPeer, id: number) =>
  (
    svc(p)
      .groups.state(id)
      ?.members.map((m) => m.peerId) ?? []
  ).sort();

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  await svc(invitee).acceptInvite(svc(inviter).createInvite());
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

/** A second device of `owner`, whose addresses `others` learn (as mDNS or an address record would tell). */
async function phoneOf(owner: MessagingPeer, ...others: MessagingPeer[]): Promise<RunningPhone> {
  const phone = await runningPhone(owner.running());
  phones.push(phone);
  for (const o of others) await o.running().node.addAddresses(phone.device.peerId, phone.node.addresses());
  return phone;
}

/** Welcomes that reached a phone from `from` (its own person's device also sends the self group's, §13.6). */
const welcomes = (phone: RunningPhone, from: MessagingPeer) =>
  phone.envelopes.filter(
    (e) => e.from === from.running().node.peerId && decodeFrame(e.payload)?.kind === 'welcome',
  ).length;

describe('every device a member (§13.6)', () => {
  it("a new group holds every active device of its members and the creator's other devices; an offline one is left out", async () => {
    const [ann, bob] = [pool('Ann'), pool('Bob')];
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    await until(() => headSeq(bob, ann) === 0, 20_000, 'Bob holds Ann entry 0');
    const annsPhone = await phoneOf(ann, bob);
    const annsTablet = await phoneOf(ann, bob);
    const bobsPhone = await phoneOf(bob, bob);
    await until(() => headSeq(bob, ann) === 2, 10_000, "Bob holds Ann's phone and tablet");
    // The tablet is off: it cannot hand out a KeyPackage.
    await annsTablet.stop();

    const group = await svc(bob).createGroup('Crew', [bob.contactId(ann) ?? -1]);
    const expected = [
      bob.running().node.peerId,
      bobsPhone.device.peerId,
      ann.running().node.peerId,
      annsPhone.device.peerId,
    ].sort();
    expect(peersIn(bob, group)).toEqual(expected);
    expect(peersIn(bob, group)).not.toContain(annsTablet.device.peerId);
    // One Welcome to each new device; Ann's device 0 joins and sees the same members.
    await until(
      () => welcomes(annsPhone, bob) === 1 && welcomes(bobsPhone, bob) >= 1,
      10_000,
      'the phones got the Welcome',
    );
    await until(() => ann.groups().length === 1, 20_000, 'Ann joined');
    expect(peersIn(ann, ann.groups()[0] ?? -1)).toEqual(expected);
  }, 90_000);

  it("adding a person adds all of that person's devices; a device already in stays", async () => {
    const [ann, bob, carl] = [pool('Ann'), pool('Bob'), pool('Carl')];
    await Promise.all([ann.online(), bob.online(), carl.online()]);
    await befriend(ann, bob);
    await befriend(carl, bob);
    await until(() => headSeq(bob, ann) === 0, 20_000, 'Bob holds Ann entry 0');
    const group = await svc(bob).createGroup('Crew', [bob.contactId(carl) ?? -1]);
    await until(() => carl.groups().length === 1, 20_000, 'Carl joined');
    const annsPhone = await phoneOf(ann, bob);
    await until(() => headSeq(bob, ann) === 1, 10_000, "Bob holds Ann's phone");

    await svc(bob).addMembers(group, [bob.contactId(ann) ?? -1]);
    expect(peersIn(bob, group)).toEqual(
      expect.arrayContaining([ann.running().node.peerId, annsPhone.device.peerId]),
    );
    // An Add's Welcome goes once its commit is accepted (§10: acks or the window).
    // Carl, who does not know Ann, takes her list on first use from Bob to judge the commit.
    const groupAtCarl = carl.groups()[0] ?? -1;
    await until(
      () => peersIn(carl, groupAtCarl).includes(annsPhone.device.peerId),
      20_000,
      "Carl applied the Add of Ann's devices",
    );
    await until(() => welcomes(annsPhone, bob) === 1, 20_000, "Ann's phone got the Welcome");
    // Ann again: all her devices are in, so nothing to add.
    await expect(svc(bob).addMembers(group, [bob.contactId(ann) ?? -1])).rejects.toThrow(
      /already in the group/,
    );
  }, 90_000);

  it("Bob's DM message is encrypted once and queued to both of Ann's devices, the offline one too", async () => {
    const [ann, bob] = [pool('Ann'), pool('Bob')];
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    await until(() => headSeq(bob, ann) === 0, 20_000, 'Bob holds Ann entry 0');
    const annsPhone = await phoneOf(ann, bob);
    await until(() => headSeq(bob, ann) === 1, 10_000, "Bob holds Ann's phone");
    // Ann's device adds her phone to the DM (the own-device Add of §13.6); Bob applies it.
    const dmAtAnn = ann.dmWith(bob) ?? -1;
    const dmAtBob = bob.dmWith(ann) ?? -1;
    expect(await addOwnDeviceTo(ann.running(), dmAtAnn, annsPhone.keyPackage)).toBe('committed');
    await until(() => peersIn(bob, dmAtBob).includes(annsPhone.device.peerId), 20_000, 'Bob sees the phone');

    // The phone goes offline; Bob writes.
    const before = annsPhone.envelopes.length;
    await annsPhone.stop();
    const sent = await svc(bob).sendText(dmAtBob, 'to both of you');
    const rows = bob.t.db
      .prepare('SELECT recipient, envelope_id AS id, payload FROM outbox WHERE message_id = ?')
      .all(sent.id) as { recipient: string; id: string; payload: Buffer }[];
    // One row per other device, one ciphertext (encrypted once) and one envelope id for all.
    expect(rows.map((r) => r.recipient).sort()).toEqual(
      [ann.running().node.peerId, annsPhone.device.peerId].sort(),
    );
    expect(new Set(rows.map((r) => r.payload.toString('hex'))).size).toBe(1);
    await until(
      () => ann.messages(dmAtAnn).some((m) => m.body === 'to both of you'),
      20_000,
      'Ann device 0 got it',
    );

    // The phone comes back (same key, a new port): the outbox delivers what waited for it.
    const back = await annsPhone.restart();
    await bob.running().node.addAddresses(back.device.peerId, back.node.addresses());
    await until(
      () =>
        back.envelopes
          .slice(before)
          .some((e) => Buffer.from(e.payload).equals(rows[0]?.payload ?? Buffer.alloc(0))),
      30_000,
      'the phone got the message when it came back',
    );
  }, 120_000);
});
