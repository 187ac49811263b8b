import { describe, expect, it } from 'vitest';
import { linkNewDevice } from './testing/linkedPeer';
import { until, type MessagingPeer, peerPool } from './testing/messagingPeer';

/**
 * docs/protocol.md §13.6 "New conversations" with a really linked device (the
 * link protocol, a running linked device with its version 2 credential): a
 * group Bob makes with Ann holds both of Ann's devices from its first commit,
 * each asked for its own KeyPackage; a group Ann's linked device makes holds
 * her other device too. Every device reads what is sent.
 */
const peer = peerPool();
const FAST = { acceptMs: 300, tickMs: 50, ownDeviceRetryMs: 300 };

const peersIn = (p: MessagingPeer, id: number): string[] =>
  (
    p
      .running()
      .service.groups.state(id)
      ?.members.map((m) => m.peerId) ?? []
  ).sort();
const bodies = (p: MessagingPeer, id: number | null): string[] =>
  id === null ? [] : p.messages(id).map((m) => m.body ?? '');

function joined(p: MessagingPeer, groupId: Uint8Array): number | null {
  const row = p.t.db
    .prepare('SELECT conversation_id FROM mls_groups WHERE group_id = ?')
    .get(Buffer.from(groupId)) as { conversation_id: number } | undefined;
  return row?.conversation_id ?? null;
}

describe('new conversations with a linked device (§13.6)', () => {
  it("Bob's new group holds both of Ann's devices at once; the laptop's new group holds Ann's phone", async () => {
    const ann = peer('Ann', { groups: FAST });
    const bob = peer('Bob', { groups: FAST });
    await Promise.all([ann.online(), bob.online()]);
    await bob.running().service.acceptInvite(ann.running().service.createInvite());
    await until(() => ann.dmWith(bob) !== null, 20_000, 'Ann joins the DM');
    const laptop = await linkNewDevice(ann, peer, 'Ann laptop', { groups: FAST });
    const l = await laptop.online();
    const laptopPeer = l.node.peerId;
    await until(
      () =>
        bob
          .running()
          .devices.activeDevices(ann.identity.publicKey)
          .some((d) => d.peerId === laptopPeer),
      20_000,
      "Bob holds Ann's laptop in her list",
    );
    // Bob's node learns where the laptop listens (as mDNS or an address record would tell it).
    await bob.running().node.addAddresses(laptopPeer, l.node.addresses());

    const group = await bob.running().service.createGroup('Trio', [bob.contactId(ann) ?? -1]);
    const everyone = [bob.running().node.peerId, ann.running().node.peerId, laptopPeer].sort();
    expect(peersIn(bob, group)).toEqual(everyone);
    const groupId = bob.running().service.groups.state(group)?.groupId ?? new Uint8Array(0);
    await until(() => joined(ann, groupId) !== null && joined(laptop, groupId) !== null, 30_000, 'both join');
    await bob.running().service.sendText(group, 'hello both');
    for (const p of [ann, laptop])
      await until(() => bodies(p, joined(p, groupId)).includes('hello both'), 20_000, `${p.name} reads it`);

    // The laptop makes a group with Bob: Ann's phone (her other device) is in its first commit.
    const fromLaptop = await l.service.createGroup('From the laptop', [laptop.contactId(bob) ?? -1]);
    expect(peersIn(laptop, fromLaptop)).toEqual(everyone);
    const secondId = l.service.groups.state(fromLaptop)?.groupId ?? new Uint8Array(0);
    await until(() => joined(ann, secondId) !== null && joined(bob, secondId) !== null, 30_000, 'both join');
    await l.service.sendText(fromLaptop, 'from the laptop');
    for (const p of [ann, bob])
      await until(
        () => bodies(p, joined(p, secondId)).includes('from the laptop'),
        20_000,
        `${p.name} reads it`,
      );
  }, 120_000);
});
