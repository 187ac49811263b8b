import { describe, expect, it } from 'vitest';
import { linkNewDevice } from './testing/linkedPeer';
import { until, type MessagingPeer, peerPool } from './testing/messagingPeer';

/**
 * Issue 18's exit criterion (docs/protocol.md §13.6 step 3): two users ×
 * two devices on 127.0.0.1, the second device of each linked by the real
 * link protocol. A linked device runs with its own version 2 credential, is
 * added by its own other device to every DM and group, and from then on
 * every device decrypts everything, both ways.
 */
const peer = peerPool();
const FAST = { acceptMs: 300, tickMs: 50, ownDeviceRetryMs: 300 };

const bodies = (p: MessagingPeer, conversationId: number | null): string[] =>
  conversationId === null ? [] : p.messages(conversationId).map((m) => m.body ?? '');

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  await invitee.running().service.acceptInvite(inviter.running().service.createInvite());
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

/** The conversation of `p` with this group id (it exists once p holds the group's state). */
function joined(p: MessagingPeer, groupId: Buffer): number | null {
  const row = p.t.db.prepare('SELECT conversation_id FROM mls_groups WHERE group_id = ?').get(groupId) as
    { conversation_id: number } | undefined;
  return row?.conversation_id ?? null;
}

function groupIdOf(p: MessagingPeer, conversationId: number): Buffer {
  const row = p.t.db.prepare('SELECT group_id FROM conversations WHERE id = ?').get(conversationId) as {
    group_id: Buffer;
  };
  return row.group_id;
}

describe('two users × two devices (issue 18)', () => {
  it('a linked device joins every DM and group and every device reads everything', async () => {
    const ann = peer('Ann', { groups: FAST });
    const bob = peer('Bob', { groups: FAST });
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    const dmId = groupIdOf(ann, ann.dmWith(bob)!);
    const group = await ann.running().service.createGroup('pair', [ann.contactId(bob)!]);
    const groupId = groupIdOf(ann, group);
    await until(() => joined(bob, groupId) !== null, 20_000, 'Bob joins the group');

    // Ann links her laptop; it runs and is added to the DM and the group by her phone.
    const laptop = await linkNewDevice(ann, peer, 'Ann laptop', { groups: FAST });
    const l = await laptop.online();
    expect(l.devices.activeDevices(ann.identity.publicKey).map((d) => d.peerId)).toContain(l.node.peerId);
    await until(
      () => joined(laptop, dmId) !== null && joined(laptop, groupId) !== null,
      30_000,
      'the laptop joins the DM and the group',
    );

    // Bob links his second device the same way.
    const tablet = await linkNewDevice(bob, peer, 'Bob tablet', { groups: FAST });
    await tablet.online();
    await until(
      () => joined(tablet, dmId) !== null && joined(tablet, groupId) !== null,
      30_000,
      'the tablet joins the DM and the group',
    );
    // Every device holds four leaves in both conversations.
    for (const p of [ann, laptop, bob, tablet])
      for (const id of [dmId, groupId])
        await until(
          () => p.running().service.groups.sequencers.get(joined(p, id)!)?.seq.state.members.length === 4,
          20_000,
          `${p.name} sees four devices`,
        );

    // Every device sends in both; every device reads all of it.
    const devices = [ann, laptop, bob, tablet];
    for (const p of devices) {
      await p.running().service.sendText(joined(p, dmId)!, `dm from ${p.name}`);
      await p.running().service.sendText(joined(p, groupId)!, `group from ${p.name}`);
    }
    for (const p of devices)
      await until(
        () =>
          devices.every(
            (q) =>
              bodies(p, joined(p, dmId)).includes(`dm from ${q.name}`) &&
              bodies(p, joined(p, groupId)).includes(`group from ${q.name}`),
          ),
        30_000,
        `${p.name} reads every message`,
      );

    // The laptop's message is Ann's own on her phone (outgoing, sent), and Ann's on Bob's devices.
    const onPhone = ann.messages(joined(ann, dmId)!).find((m) => m.body === 'dm from Ann laptop');
    expect(onPhone?.outgoing).toBe(true);
    expect(onPhone?.senderKey.equals(ann.identity.publicKey)).toBe(true);
    for (const p of [bob, tablet]) {
      const m = p.messages(joined(p, dmId)!).find((x) => x.body === 'dm from Ann laptop');
      expect(m?.outgoing).toBe(false);
      expect(m?.senderKey.equals(ann.identity.publicKey)).toBe(true);
    }
    // The DM stays one conversation on the laptop (the grant's row, filled by the Welcome).
    expect(laptop.store.conversations.list().filter((c) => c.kind === 'dm')).toHaveLength(1);
  });

  it('links while Bob is offline: Bob gets the Add when he is back and then reaches both of Ann’s devices', async () => {
    const ann = peer('Ann', { groups: FAST });
    const bob = peer('Bob', { groups: FAST });
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    const dmId = groupIdOf(ann, ann.dmWith(bob)!);
    const group = await ann.running().service.createGroup('pair', [ann.contactId(bob)!]);
    const groupId = groupIdOf(ann, group);
    await until(() => joined(bob, groupId) !== null, 20_000, 'Bob joins the group');
    await bob.offline();

    const laptop = await linkNewDevice(ann, peer, 'Ann laptop', { groups: FAST });
    await laptop.online();
    const started = Date.now();
    await until(
      () => joined(laptop, dmId) !== null && joined(laptop, groupId) !== null,
      30_000,
      'the laptop joins while Bob is offline',
    );
    const joinedAfterMs = Date.now() - started;

    await bob.online();
    for (const id of [dmId, groupId])
      await until(
        () => bob.running().service.groups.sequencers.get(joined(bob, id)!)?.seq.state.members.length === 3,
        30_000,
        'Bob sees the laptop',
      );
    await bob.running().service.sendText(joined(bob, dmId)!, 'back again');
    await laptop.running().service.sendText(joined(laptop, dmId)!, 'from the laptop');
    await until(
      () =>
        bodies(laptop, joined(laptop, dmId)).includes('back again') &&
        bodies(ann, joined(ann, dmId)).includes('back again') &&
        bodies(bob, joined(bob, dmId)).includes('from the laptop'),
      30_000,
      'both ways after Bob is back',
    );
    expect(joinedAfterMs).toBeGreaterThanOrEqual(0);
  });

  it('remove a linked device, then link a new one: the new one joins, the removed one’s leaf is gone', async () => {
    const ann = peer('Ann', { groups: FAST });
    const bob = peer('Bob', { groups: FAST });
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    const dmId = groupIdOf(ann, ann.dmWith(bob)!);
    const group = await ann.running().service.createGroup('pair', [ann.contactId(bob)!]);
    const groupId = groupIdOf(ann, group);
    await until(() => joined(bob, groupId) !== null, 20_000, 'Bob joins the group');
    const peersIn = (p: MessagingPeer, id: Buffer) =>
      p
        .running()
        .service.groups.sequencers.get(joined(p, id)!)
        ?.seq.state.members.map((m) => m.peerId) ?? [];

    const first = await linkNewDevice(ann, peer, 'Old laptop', { groups: FAST });
    const old = (await first.online()).node.peerId;
    await until(
      () => peersIn(bob, dmId).includes(old) && peersIn(bob, groupId).includes(old),
      30_000,
      'old in',
    );

    // §13.8: removed from the list, its leaf leaves every conversation.
    ann.running().devices.appendRemove(old, 'removed');
    await until(
      () => [dmId, groupId].every((id) => !peersIn(bob, id).includes(old) && !peersIn(ann, id).includes(old)),
      30_000,
      'the old laptop is out everywhere',
    );
    await first.offline();

    const second = await linkNewDevice(ann, peer, 'New laptop', { groups: FAST });
    const fresh = (await second.online()).node.peerId;
    await until(
      () => joined(second, dmId) !== null && joined(second, groupId) !== null,
      30_000,
      'the new laptop joins',
    );
    for (const id of [dmId, groupId])
      await until(() => peersIn(bob, id).includes(fresh), 30_000, 'Bob sees the new laptop');
    expect(
      ann
        .running()
        .devices.activeDevices(ann.identity.publicKey)
        .map((d) => d.peerId),
    ).not.toContain(old);
    await second.running().service.sendText(joined(second, groupId)!, 'new laptop here');
    await until(
      () => bodies(bob, joined(bob, groupId)).includes('new laptop here'),
      30_000,
      'Bob reads the new laptop',
    );
  });

  it('restarts: the phone adds the laptop after its own restart, and the laptop keeps its identity across one', async () => {
    const ann = peer('Ann', { groups: FAST });
    const bob = peer('Bob', { groups: FAST });
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    const dmId = groupIdOf(ann, ann.dmWith(bob)!);
    const laptop = await linkNewDevice(ann, peer, 'Ann laptop', { groups: FAST });
    // The phone stops before the laptop ever runs: nothing was added yet.
    await ann.offline();
    const l = await laptop.online();
    const credential = Buffer.from(laptop.store.mlsDevice.get()!.credential);
    expect(credential[0]).toBe(2);
    expect(joined(laptop, dmId)).toBeNull();
    await ann.online();
    await until(() => joined(laptop, dmId) !== null, 30_000, 'the phone adds the laptop after its restart');

    // The laptop restarts: the same version 2 identity, still a member, still sends.
    const peerId = l.node.peerId;
    await laptop.offline();
    const again = await laptop.online();
    expect(again.node.peerId).toBe(peerId);
    expect(Buffer.from(laptop.store.mlsDevice.get()!.credential).equals(credential)).toBe(true);
    await again.service.sendText(joined(laptop, dmId)!, 'after a restart');
    await until(
      () => bodies(bob, bob.dmWith(ann)).includes('after a restart'),
      30_000,
      'Bob reads the laptop after its restart',
    );
  });

  it('a device linked by the linked laptop is added once, whichever own device commits first', async () => {
    const ann = peer('Ann', { groups: FAST });
    const bob = peer('Bob', { groups: FAST });
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    const dmId = groupIdOf(ann, ann.dmWith(bob)!);
    const group = await ann.running().service.createGroup('pair', [ann.contactId(bob)!]);
    const groupId = groupIdOf(ann, group);
    await until(() => joined(bob, groupId) !== null, 20_000, 'Bob joins the group');
    const laptop = await linkNewDevice(ann, peer, 'Ann laptop', { groups: FAST });
    await laptop.online();
    await until(() => joined(laptop, dmId) !== null && joined(laptop, groupId) !== null, 30_000, 'laptop in');

    // The laptop links a tablet (any active device may, §13.5); the phone learns it by list sync.
    const tablet = await linkNewDevice(laptop, peer, 'Ann tablet', { groups: FAST });
    const t = await tablet.online();
    await until(() => joined(tablet, dmId) !== null && joined(tablet, groupId) !== null, 30_000, 'tablet in');
    const peersIn = (p: MessagingPeer, id: Buffer) =>
      p
        .running()
        .service.groups.sequencers.get(joined(p, id)!)
        ?.seq.state.members.map((m) => m.peerId) ?? [];
    for (const p of [ann, laptop, bob, tablet])
      for (const id of [dmId, groupId]) {
        await until(() => peersIn(p, id).length === 4, 30_000, `${p.name} sees four devices`);
        expect(new Set(peersIn(p, id)).size).toBe(4);
        expect(peersIn(p, id).filter((x) => x === t.node.peerId)).toHaveLength(1);
      }
    await until(
      () =>
        ann
          .running()
          .devices.activeDevices(ann.identity.publicKey)
          .some((d) => d.peerId === t.node.peerId),
      20_000,
      'the phone holds the tablet in its list',
    );
  });
});
