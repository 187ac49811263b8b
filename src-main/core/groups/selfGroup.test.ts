import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { peerPool, until, type MessagingPeer } from '../runtime/testing/messagingPeer';
import { linkNewDevice } from '../runtime/testing/linkedPeer';
import { shellOf } from '../runtime/testing/ownShell';
import { readChatPreferences } from '../content/chatPreferences';

/**
 * The self group between two running devices of one person on 127.0.0.1
 * (docs/protocol.md §13.6): made by the device listed first once the second
 * is reachable, hidden from every list, and carrying what one device changes
 * to the other through the same requests the shells send.
 */

const pool = peerPool();
const FAST = { acceptMs: 300, tickMs: 50, ownDeviceRetryMs: 300 };

async function twoDevices(): Promise<{ a: MessagingPeer; b: MessagingPeer }> {
  const a = pool('Ann', { groups: FAST });
  await a.online();
  // Linked by the real protocol (code, SAS, grant); it runs as itself, no identity private key.
  const b = await linkNewDevice(a, pool, 'Ann laptop', { groups: FAST });
  await b.online();
  await until(
    () => a.store.conversations.selfGroups().length === 1 && b.store.conversations.selfGroups().length === 1,
    20_000,
    'both devices in the self group',
  );
  return { a, b };
}

/** A contact both devices have (as the link's grant copies contacts). */
function sameContact(
  a: MessagingPeer,
  b: MessagingPeer,
  name: string,
): { key: Buffer; at: (p: MessagingPeer) => number } {
  const key = randomBytes(32);
  for (const p of [a, b]) p.store.contacts.upsert(key, name, Date.now());
  return { key, at: (p) => p.store.contacts.byIdentityKey(key)?.id ?? -1 };
}

describe('the self group (§13.6)', () => {
  it('is made with the second device, the same group on both, and shown nowhere', async () => {
    const { a, b } = await twoDevices();
    const [onA] = a.store.conversations.selfGroups();
    const [onB] = b.store.conversations.selfGroups();
    expect(onA?.groupId.equals(onB?.groupId ?? Buffer.alloc(0))).toBe(true);
    const state = a.running().service.groups.state(onA?.id ?? -1);
    expect(state?.kind).toBe('self');
    expect(state?.members.map((m) => m.peerId).sort()).toEqual(
      [a.running().node.peerId, b.running().node.peerId].sort(),
    );
    // Nothing a user writes goes into it, even when asked by its id.
    await expect(a.running().service.sendText(onA?.id ?? -1, 'hello')).rejects.toThrow(
      /No such conversation/,
    );
    // Not a conversation to anyone: no list entry, no unread, no change log.
    for (const p of [a, b]) {
      expect(p.store.conversations.list()).toEqual([]);
      expect(p.store.conversations.totalUnread()).toBe(0);
      expect(p.messages(p.store.conversations.selfGroups()[0]?.id ?? -1)).toEqual([]);
    }
  }, 60_000);

  it('a rename, a block, a contact name and a setting made on one device show on the other', async () => {
    const { a, b } = await twoDevices();
    const bob = sameContact(a, b, 'Bob');
    const shellA = shellOf(a);
    const laptop = b.running().node.peerId;

    await shellA['devices.rename']({ peerId: laptop, name: 'Work laptop' });
    await shellA['contacts.block']({ contactId: bob.at(a), blocked: true });
    await shellA['contacts.rename']({ contactId: bob.at(a), name: 'Bobby' });
    await shellA['chat.preferences.set']({ readReceipts: false });

    const nameOnB = () =>
      b.store.deviceLists.devices(b.identity.publicKey).find((d) => d.peerId === laptop)?.name;
    await until(() => nameOnB() === 'Work laptop', 20_000, 'the name on the laptop');
    await until(() => b.store.contacts.byIdentityKey(bob.key)?.blocked === true, 20_000, 'Bob blocked on B');
    await until(() => b.store.contacts.byIdentityKey(bob.key)?.localName === 'Bobby', 20_000, 'renamed on B');
    await until(() => !readChatPreferences(b.store.settings).readReceipts, 20_000, 'receipts off on B');
    // Nothing is left queued once the other device has it.
    expect(a.store.syncState.pendingCount()).toBe(0);
  }, 60_000);

  it('reading a DM on one device clears its unread count on the other, with receipts off', async () => {
    const a = pool('Ann', { groups: FAST });
    const bob = pool('Bob', { groups: FAST });
    await Promise.all([a.online(), bob.online()]);
    await bob.running().service.acceptInvite(a.running().service.createInvite());
    await until(() => a.dmWith(bob) !== null, 20_000, 'Ann has the DM');
    const b = await linkNewDevice(a, pool, 'Ann laptop', { groups: FAST });
    await b.online();
    const dmGroup = a.store.conversations.groupIdOf(a.dmWith(bob) ?? -1) ?? Buffer.alloc(0);
    const dmOn = (p: MessagingPeer) => p.store.conversations.byGroupId(dmGroup);
    await until(
      () =>
        b.store.conversations.selfGroups().length === 1 &&
        b.running().service.groups.state(dmOn(b) ?? -1) !== null,
      30_000,
      'the laptop in the self group and the DM',
    );
    await shellOf(a)['chat.preferences.set']({ readReceipts: false });
    const atBob = bob.dmWith(a) ?? -1;
    for (const text of ['one', 'two', 'three']) await bob.running().service.sendText(atBob, text);
    const unread = (p: MessagingPeer) => p.store.conversations.readState(dmOn(p) ?? -1).count;
    await until(() => unread(a) === 3 && unread(b) === 3, 30_000, 'three unread on both of Ann’s devices');
    await shellOf(a)['conversations.markRead']({ conversationId: dmOn(a) ?? -1 });
    expect(unread(a)).toBe(0);
    await until(() => unread(b) === 0, 20_000, 'nothing unread on the laptop');
    // Receipts are off on both: Bob learned nothing about the read.
    await new Promise((r) => setTimeout(r, 300));
    expect(bob.messages(atBob).every((m) => m.state !== 'read')).toBe(true);
  }, 90_000);

  it('concurrent edits of one field converge on both devices by (at, PeerId)', async () => {
    const { a, b } = await twoDevices();
    const bob = sameContact(a, b, 'Bob');
    // Both rename Bob at the same moment, before either hears of the other.
    const [shellA, shellB] = [shellOf(a), shellOf(b)];
    await Promise.all([
      shellA['contacts.rename']({ contactId: bob.at(a), name: 'From A' }),
      shellB['contacts.rename']({ contactId: bob.at(b), name: 'From B' }),
    ]);
    const nameOn = (p: MessagingPeer) => p.store.contacts.byIdentityKey(bob.key)?.localName;
    await until(() => nameOn(a) === nameOn(b), 20_000, 'the same name on both');
    const stamp = (p: MessagingPeer) =>
      p.store.syncState.stamp(`contact:${bob.key.toString('hex')}:localName`);
    expect(stamp(a)).toEqual(stamp(b));
    // The winner is the higher stamp: the later `at`, or at the same `at` the higher PeerId.
    const winner = stamp(a)?.peerId === a.running().node.peerId ? 'From A' : 'From B';
    expect(nameOn(a)).toBe(winner);
  }, 60_000);

  it('removing a device (§13.8) takes its leaf out of the self group too', async () => {
    const { a, b } = await twoDevices();
    const laptop = b.running().node.peerId;
    const selfAt = a.store.conversations.selfGroups()[0]?.id ?? -1;
    a.running().devices.appendRemove(laptop, 'removed');
    const inSelf = () =>
      a
        .running()
        .service.groups.state(selfAt)
        ?.members.some((m) => m.peerId === laptop) ?? true;
    await until(() => !inSelf(), 20_000, 'the laptop gone from the self group');
    // And nothing is queued for it afterwards.
    const shellA = shellOf(a);
    await shellA['chat.preferences.set']({ typingIndicators: false });
    expect(a.store.syncState.pendingCount()).toBe(0);
  }, 60_000);

  it('a change made with messaging off waits in the outbox and arrives after both restart', async () => {
    const { a, b } = await twoDevices();
    const bob = sameContact(a, b, 'Bob');
    await b.offline();
    await a.offline();
    // Recorded in the block's own transaction, with nothing running to send it.
    await shellOf(a)['contacts.block']({ contactId: bob.at(a), blocked: true });
    expect(a.store.contacts.byIdentityKey(bob.key)?.blocked).toBe(true);
    expect(a.store.syncState.pendingCount()).toBe(1);
    const [ra, rb] = await Promise.all([a.online(), b.online()]);
    await rb.node.keepConnected(ra.node.peerId, ra.node.addresses());
    await until(() => b.store.contacts.byIdentityKey(bob.key)?.blocked === true, 20_000, 'Bob blocked on B');
    await until(() => a.store.syncState.pendingCount() === 0, 10_000, 'the outbox row gone');
  }, 60_000);
});
