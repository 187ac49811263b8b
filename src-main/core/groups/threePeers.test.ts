import { describe, expect, it } from 'vitest';
import { until, type MessagingPeer, peerPool } from '../runtime/testing/messagingPeer';

/**
 * Issue 5's integration test: three real peers over 127.0.0.1 in one process,
 * each with its own encrypted database and node.
 */

const peer = peerPool();

const bodies = (p: MessagingPeer, conversationId: number, from?: MessagingPeer): string[] =>
  p
    .messages(conversationId)
    .filter((m) => !from || m.senderKey.equals(from.identity.publicKey))
    .map((m) => m.body ?? '');

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  const invite = inviter.running().service.createInvite();
  const { conversationId } = await invitee.running().service.acceptInvite(invite);
  expect(invitee.dmWith(inviter)).toBe(conversationId);
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

describe('three peers over 127.0.0.1', () => {
  it('invite, DMs, a group, one peer offline then back: exactly once, in order, delivered', async () => {
    const a = peer('Ada');
    const b = peer('Bob');
    const c = peer('Cy');
    await Promise.all([a.online(), b.online(), c.online()]);

    await befriend(a, b);
    await befriend(a, c);
    await befriend(b, c);
    const peerOf = (p: MessagingPeer) => p.running().node.peerId;
    // Profiles carry seal keys and relay lists (each peer's contacts).
    await until(
      () =>
        [a, b].every((p) => {
          const relays = p.running().directory.relaysOf(peerOf(c));
          return relays.includes(peerOf(a)) && relays.includes(peerOf(b));
        }),
      20_000,
      "C's relay list",
    );

    // DMs both ways.
    const ab = a.dmWith(b) ?? -1;
    const ba = b.dmWith(a) ?? -1;
    await a.running().service.sendText(ab, 'hi Bob');
    await b.running().service.sendText(ba, 'hi Ada');
    await until(() => bodies(b, ba).includes('hi Bob') && bodies(a, ab).includes('hi Ada'), 20_000, 'DMs');

    // A group of three.
    const group = await a.running().service.createGroup('trio', [a.contactId(b) ?? -1, a.contactId(c) ?? -1]);
    await until(() => b.groups().length === 1 && c.groups().length === 1, 20_000, 'group joins');
    const [gb] = b.groups();
    const [gc] = c.groups();
    await b.running().service.sendText(gb ?? -1, 'hello group');
    await until(
      () => bodies(a, group).includes('hello group') && bodies(c, gc ?? -1).includes('hello group'),
    );
    // The group's profiles (seal keys) reached everyone before C goes.
    await until(() => b.running().directory.sealPublicKey(peerOf(c)) !== null);

    // C goes offline; A and B keep talking.
    const cPeer = peerOf(c);
    await c.offline();
    const ac = a.dmWith(c) ?? -1;
    for (let i = 0; i < 10; i++) {
      await a.running().service.sendText(group, `a${i}`);
      await b.running().service.sendText(gb ?? -1, `b${i}`);
    }
    for (let i = 0; i < 5; i++) await a.running().service.sendText(ac, `dm${i}`);
    const heldFor = (p: MessagingPeer) =>
      p.t.db
        .prepare(`SELECT state, held_by FROM outbox WHERE recipient = ? AND message_id IS NOT NULL`)
        .all(cPeer) as { state: string; held_by: string | null }[];
    await until(
      () =>
        heldFor(a).filter((r) => r.state === 'held').length === 15 &&
        heldFor(b).filter((r) => r.state === 'held').length === 10,
      20_000,
      'held envelopes',
    );
    // The sender sees "held by B" for what A sent to C.
    const dmState = a.messages(ac).filter((m) => m.body?.startsWith('dm'));
    expect(dmState.map((m) => [m.state, m.heldBy])).toEqual(Array(5).fill(['held', peerOf(b)]));

    // A goes offline too; C comes back and finds everything with B.
    await a.offline();
    await c.online();
    const expectedA = [...Array(10).keys()].map((i) => `a${i}`);
    const expectedB = [...Array(10).keys()].map((i) => `b${i}`);
    const expectedDm = [...Array(5).keys()].map((i) => `dm${i}`);
    await until(
      () =>
        bodies(c, gc ?? -1).filter((x) => /^[ab]\d$/.test(x)).length === 20 &&
        bodies(c, c.dmWith(a) ?? -1).filter((x) => x.startsWith('dm')).length === 5,
      20_000,
      'C catches up',
    );
    expect(bodies(c, gc ?? -1, a).filter((x) => /^a\d$/.test(x))).toEqual(expectedA);
    expect(bodies(c, gc ?? -1, b).filter((x) => /^b\d$/.test(x))).toEqual(expectedB);
    expect(bodies(c, c.dmWith(a) ?? -1, a).filter((x) => x.startsWith('dm'))).toEqual(expectedDm);

    // B learns "delivered" from C directly.
    await until(
      () =>
        b
          .messages(gb ?? -1)
          .filter((m) => m.outgoing)
          .every((m) => m.state === 'delivered'),
      20_000,
      "B's states",
    );

    // A comes back: its own held copies are duplicates to C, and A learns "delivered".
    await a.online();
    await until(
      () =>
        a.messages(ac).every((m) => !m.outgoing || m.state === 'delivered') &&
        a.messages(group).every((m) => !m.outgoing || m.state === 'delivered'),
      20_000,
      "A's states",
    );
    // Still exactly once at C, and nothing left with the holders.
    expect(bodies(c, gc ?? -1).filter((x) => /^[ab]\d$/.test(x))).toHaveLength(20);
    expect(bodies(c, c.dmWith(a) ?? -1).filter((x) => x.startsWith('dm'))).toHaveLength(5);
    await until(
      () => a.running().mailbox.stats().items === 0 && b.running().mailbox.stats().items === 0,
      20_000,
      'holders empty',
    );
  }, 60_000);
});
