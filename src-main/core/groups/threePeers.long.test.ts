import { afterEach, describe, expect, it } from 'vitest';
import { makeMessagingPeer, until, type MessagingPeer } from '../runtime/testing/messagingPeer';

/**
 * Soak: three peers over 127.0.0.1; C and A go away and come back again and
 * again while the others keep writing to the group and to C. Every message
 * must reach every member exactly once, in each sender's order, and every
 * sent message must end 'delivered'.
 */
const ROUNDS = 6;
const PER_ROUND = 40;

const peers: MessagingPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.dispose();
});

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  await invitee.running().service.acceptInvite(inviter.running().service.createInvite());
  await until(() => inviter.dmWith(invitee) !== null, 30_000, 'DM joined');
}

describe('three peers, soak', () => {
  it('survives repeated absences with exactly-once, in-order delivery', async () => {
    const [a, b, c] = ['Ada', 'Bob', 'Cy'].map((n) => {
      const p = makeMessagingPeer(n);
      peers.push(p);
      return p;
    }) as [MessagingPeer, MessagingPeer, MessagingPeer];
    await Promise.all([a.online(), b.online(), c.online()]);
    await befriend(a, b);
    await befriend(a, c);
    await befriend(b, c);
    const peerOf = (p: MessagingPeer) => p.running().node.peerId;
    await until(() =>
      [a, b].every(
        (p) =>
          p.running().directory.relaysOf(peerOf(c)).length === 2 &&
          p.running().directory.sealPublicKey(peerOf(c)) !== null,
      ),
    );
    const group = await a.running().service.createGroup('soak', [a.contactId(b) ?? -1, a.contactId(c) ?? -1]);
    await until(() => b.groups().length === 1 && c.groups().length === 1);
    const gb = b.groups()[0] ?? -1;
    const gc = c.groups()[0] ?? -1;
    await b.running().service.sendText(gb, 'ready');
    await until(() => c.messages(gc).length === 1 && a.messages(group).length === 1);

    const cPeer = peerOf(c);
    const sentA: string[] = [];
    const sentB: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await c.offline();
      for (let i = 0; i < PER_ROUND; i++) {
        const sender = i % 2 === 0 ? a : b;
        const text = `${sender.name}-${round}-${i}`;
        await sender.running().service.sendText(sender === a ? group : gb, text);
        (sender === a ? sentA : sentB).push(text);
      }
      await until(
        () =>
          (
            a.t.db
              .prepare(`SELECT count(*) AS n FROM outbox WHERE recipient = ? AND state = 'pending'`)
              .get(cPeer) as { n: number }
          ).n === 0,
        30_000,
        'everything held',
      );
      if (round % 2 === 1) await a.offline();
      await c.online();
      await until(
        () => c.messages(gc).length === 1 + sentA.length + sentB.length,
        60_000,
        `round ${round} catch-up`,
      );
      if (!a.m) await a.online();
    }
    const byC = (from: MessagingPeer) =>
      c
        .messages(gc)
        .filter((m) => m.senderKey.equals(from.identity.publicKey))
        .map((m) => m.body);
    expect(byC(a)).toEqual(sentA);
    expect(byC(b).slice(1)).toEqual(sentB);
    await until(
      () =>
        [a.messages(group), b.messages(gb)].every((list) =>
          list.every((m) => !m.outgoing || m.state === 'delivered'),
        ),
      60_000,
      'all delivered',
    );
    expect(new Set(c.messages(gc).map((m) => m.uid)).size).toBe(c.messages(gc).length);
  });
});
