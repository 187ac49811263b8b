import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { baseHandlers } from '../handlers/base';
import { chatHandlers } from '../handlers/chat';
import { contactsHandlers } from '../handlers/contacts';
import { deviceChangeHandlers } from '../handlers/deviceChanges';
import type { HandlerDeps } from '../handlers/deps';
import { EventBus } from '../rpc/eventBus';
import { peerPool, until, type MessagingPeer } from '../runtime/testing/messagingPeer';
import { startOwnTwin } from '../runtime/testing/ownTwin';
import { silentLogger } from '../util/logger';
import { readChatPreferences } from '../content/chatPreferences';

/**
 * The self group between two running devices of one person on 127.0.0.1
 * (docs/protocol.md §13.6): made by the device listed first once the second
 * is reachable, hidden from every list, and carrying what one device changes
 * to the other through the same requests the shells send.
 */

const pool = peerPool();

/** The contract's handlers of one device, driven like a shell drives them. */
function shellOf(p: MessagingPeer) {
  const deps = {
    store: () => p.store,
    messaging: {
      runningOrNull: async () => p.m,
      running: async () => p.running(),
    },
    bus: new EventBus(),
    logger: silentLogger,
  } as unknown as HandlerDeps;
  return {
    ...baseHandlers(deps),
    ...contactsHandlers(deps),
    ...deviceChangeHandlers(deps),
    ...chatHandlers(deps),
  };
}

/** The test peers have no identity row (the harness starts messaging directly): the profile's own. */
function writeIdentity(p: MessagingPeer): void {
  p.t.db
    .prepare(
      'INSERT OR IGNORE INTO identity (id, display_name, public_key, private_key, created_at) VALUES (1, ?, ?, ?, ?)',
    )
    .run(p.name, p.identity.publicKey, p.identity.privateKey, Date.now());
}

async function twoDevices(): Promise<{ a: MessagingPeer; b: MessagingPeer }> {
  const a = pool('Ann');
  writeIdentity(a);
  await a.online();
  const b = await startOwnTwin(pool, a, 'Ann-laptop');
  writeIdentity(b);
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

  it('reading on one device clears the unread count on the other, with receipts off', async () => {
    const { a, b } = await twoDevices();
    const shellA = shellOf(a);
    await shellA['chat.preferences.set']({ readReceipts: false });
    // One conversation both devices hold, with the same three incoming messages (same uids).
    const groupId = randomBytes(32);
    const uids = [0, 1, 2].map(() => randomBytes(16).toString('hex'));
    const sender = randomBytes(32);
    const ids = [a, b].map((p) => {
      const id = p.store.conversations.create({
        kind: 'group',
        name: 'Crew',
        groupId,
        createdAt: Date.now(),
      });
      uids.forEach((uid, i) =>
        p.store.messages.insert({
          conversationId: id,
          uid,
          senderKey: sender,
          outgoing: false,
          body: `m${i}`,
          replyToUid: null,
          mentions: null,
          sentAt: 1_000 + i,
          receivedAt: 2_000 + i,
          state: 'received',
        }),
      );
      return id;
    });
    const unread = (p: MessagingPeer, id: number) => p.store.conversations.readState(id).count;
    expect(unread(b, ids[1]!)).toBe(3);
    await shellA['conversations.markRead']({ conversationId: ids[0]! });
    expect(unread(a, ids[0]!)).toBe(0);
    await until(() => unread(b, ids[1]!) === 0, 20_000, 'B shows nothing unread');
  }, 60_000);

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
