import { describe, expect, it } from 'vitest';
import { until, type MessagingPeer, peerPool } from './testing/messagingPeer';

/**
 * Liveness between real peers over 127.0.0.1 (issue 13, deliver 2): what
 * waited for a contact goes the moment its connection comes back, however
 * far off the next retry was; and each contact's connection state is told
 * as the user needs it: connected directly, or offline since when.
 */

const peer = peerPool();

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  await invitee.running().service.acceptInvite(inviter.running().service.createInvite());
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

function connectionOf(p: MessagingPeer, other: MessagingPeer) {
  const id = p.contactId(other);
  return p
    .running()
    .network.presence.list()
    .find((c) => c.contactId === id)?.connection;
}

describe('liveness', () => {
  it('flushes the outbox the moment a contact connects again, not at the next retry', async () => {
    // Retries a minute apart: only the connection itself can explain a prompt delivery.
    const ann = peer('Ann', { delivery: { backoff: { baseMs: 60_000, maxMs: 120_000, factor: 2 } } });
    const bob = peer('Bob');
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    const bobPeer = bob.running().node.peerId;
    await bob.offline();
    const dm = ann.dmWith(bob) ?? -1;
    for (const body of ['one', 'two', 'three']) await ann.running().service.sendText(dm, body);
    // The queue's head (whatever it carries) failed once and waits a minute; the texts wait behind it.
    const outbox = () =>
      ann.t.db.prepare(`SELECT attempts, next_attempt_at FROM outbox WHERE recipient = ?`).all(bobPeer) as {
        attempts: number;
        next_attempt_at: number;
      }[];
    await until(() => outbox().some((r) => r.attempts > 0), 10_000, 'a failed attempt');
    expect(Math.max(...outbox().map((r) => r.next_attempt_at))).toBeGreaterThan(Date.now() + 20_000);

    await bob.online();
    await until(() => ann.running().node.isConnected(bobPeer), 10_000, 'connected again');
    const connectedAt = Date.now();
    const bobDm = bob.dmWith(ann) ?? -1;
    await until(
      () => ['one', 'two', 'three'].every((b) => bob.messages(bobDm).some((m) => m.body === b)),
      10_000,
      'the waiting messages',
    );
    expect(Date.now() - connectedAt).toBeLessThan(5_000);
    expect(bob.messages(bobDm).map((m) => m.body)).toEqual(['one', 'two', 'three']);
  });

  it('tells each contact apart: connected directly, then offline since the moment it went', async () => {
    const ann = peer('Ann');
    const bob = peer('Bob');
    const carl = peer('Carl');
    await Promise.all([ann.online(), bob.online(), carl.online()]);
    await befriend(ann, bob);
    await befriend(ann, carl);
    await until(
      () => connectionOf(ann, bob)?.state === 'direct' && connectionOf(ann, carl)?.state === 'direct',
      10_000,
      'both connected directly',
    );

    const before = Date.now();
    await bob.offline();
    await until(() => connectionOf(ann, bob)?.state === 'offline', 10_000, 'Bob offline');
    const since = connectionOf(ann, bob);
    expect(since?.state === 'offline' ? since.since : null).toBeGreaterThanOrEqual(before);
    expect(connectionOf(ann, carl)).toEqual({ state: 'direct', path: { kind: 'lan' } });

    // Carl chooses to appear offline: he is not shown online, and no moment is made up for it.
    await carl.running().network.setPrivacy({ invisible: true });
    await until(() => connectionOf(ann, carl)?.state === 'offline', 10_000, 'Carl appears offline');
    expect(connectionOf(ann, carl)).toEqual({ state: 'offline', since: null });
  });
});
