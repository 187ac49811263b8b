import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationRepository } from '../store/repositories/conversationRepository';
import { MessageRepository } from '../store/repositories/messageRepository';
import { ProfileRepositories } from '../store/profileRepositories';
import { ME, tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { DUE_QUEUES_SQL, OLDEST_OPEN_SQL, OLDEST_PENDING_SQL } from '../store/repositories/outboxRepository';
import { Outbox } from './outbox';
import { deliveryMigrations } from './schema';

let t: TempDatabase;
let outbox: Outbox;
let messages: MessageRepository;
let conv: number;
const now = 1_000;

beforeEach(() => {
  t = tempDatabase(deliveryMigrations);
  messages = new MessageRepository(t.db);
  outbox = new Outbox(new ProfileRepositories(t.db), () => now);
  conv = new ConversationRepository(t.db).create({ kind: 'group', createdAt: 0 });
  new ConversationRepository(t.db).create({ kind: 'group', createdAt: 0 });
});
afterEach(() => t.dispose());

const payload = new Uint8Array([1]);
const message = (uid: string) =>
  messages.insert({
    conversationId: conv,
    uid,
    senderKey: ME,
    outgoing: true,
    body: 'x',
    sentAt: 0,
    receivedAt: 0,
    state: 'pending',
  }).id;

describe('Outbox', () => {
  it('offers one head per (recipient, conversation) queue; held ones no longer block', () => {
    for (const recipient of ['r1', 'r1', 'r2'])
      outbox.enqueue({ conversationId: conv, messageId: null, recipient, payload });
    outbox.enqueue({ conversationId: conv + 1, messageId: null, recipient: 'r1', payload });
    const heads = outbox.heads(now, 10);
    expect(heads.map((h) => [h.recipient, h.conversationId])).toEqual([
      ['r1', conv],
      ['r2', conv],
      ['r1', conv + 1],
    ]);
    const first = heads[0];
    if (!first) throw new Error('no head');
    outbox.markHeld(first, ['holder'], now + 500);
    const next = outbox.heads(now, 10);
    expect(next.map((h) => h.rowId)).toContain(first.rowId + 1);
    expect(next.map((h) => h.rowId)).not.toContain(first.rowId);
    // The held one is offered again when its retry is due, or when the recipient appears.
    expect(outbox.heads(now + 500, 10).map((h) => h.rowId)).toContain(first.rowId);
    expect(outbox.wake('r1', now)).toBe(3);
    expect(outbox.heads(now, 10).map((h) => h.rowId)).toContain(first.rowId);
  });

  it('offers held envelopes again one at a time, oldest first', () => {
    for (let i = 0; i < 3; i++)
      outbox.enqueue({ conversationId: conv, messageId: null, recipient: 'r1', payload });
    for (let i = 0; i < 3; i++) {
      const [head] = outbox.heads(now, 10);
      if (!head) throw new Error('no head');
      outbox.markHeld(head, ['holder'], now + 10 * (3 - i));
    }
    // Younger held ones wait for the oldest (they may only follow it); it goes first.
    expect(outbox.heads(now + 10, 10)).toEqual([]);
    const due = outbox.heads(now + 30, 10);
    expect(due).toHaveLength(1);
    const [oldest] = due;
    if (!oldest) throw new Error('no head');
    outbox.markDelivered(oldest);
    expect(outbox.heads(now + 30, 10).map((h) => h.rowId)).toEqual([oldest.rowId + 1]);
  });

  it('lets an offline backlog wait behind its head instead of being due on every pass', () => {
    const due = (at: number) =>
      (
        t.db
          .prepare(
            `SELECT count(*) AS n FROM outbox WHERE state IN ('pending', 'held') AND next_attempt_at <= ?`,
          )
          .get(at) as { n: number }
      ).n;
    for (let i = 0; i < 40; i++)
      outbox.enqueue({ conversationId: conv, messageId: null, recipient: 'r1', payload });
    // The head was deposited and its direct retry backs off for a while.
    const [head] = outbox.heads(now, 1);
    if (!head) throw new Error('no head');
    outbox.markHeld(head, ['holder'], now + 60_000);
    // Every later envelope is deposited in turn, each asking for a short retry.
    for (let i = 1; i < 40; i++) {
      const pending = outbox.heads(now, 10).find((h) => h.state === 'pending');
      if (!pending) throw new Error('no pending head');
      outbox.markHeld(pending, ['holder'], now + 1_000);
    }
    // Nothing is due before the head: delivery passes meanwhile find nothing to look at.
    expect(due(now + 59_999)).toBe(0);
    expect(outbox.heads(now + 59_999, 10)).toEqual([]);
    // The head's retry fails again: the backlog moves with it, in one step.
    const retried = outbox.heads(now + 60_000, 10);
    expect(retried.map((h) => h.rowId)).toEqual([head.rowId]);
    expect(outbox.runAfter(head, now + 60_000, 100)).toHaveLength(39);
    const [again] = retried;
    if (!again) throw new Error('no head');
    outbox.rescheduleQueue(again, now + 180_000, 'unreachable');
    expect(due(now + 179_999)).toBe(0);
    // The recipient appears: all of it is due at once and goes out in order behind the head.
    outbox.wake('r1', now + 70_000);
    expect(outbox.heads(now + 70_000, 10).map((h) => h.rowId)).toEqual([head.rowId]);
    expect(outbox.runAfter(head, now + 70_000, 100).map((r) => r.rowId)).toEqual(
      Array.from({ length: 39 }, (_, k) => head.rowId + k + 1),
    );
  });

  it('moves a pending backlog with its pending head when no holder keeps it', () => {
    for (let i = 0; i < 5; i++)
      outbox.enqueue({ conversationId: conv, messageId: null, recipient: 'r1', payload });
    outbox.enqueue({ conversationId: conv, messageId: null, recipient: 'r2', payload });
    const [head] = outbox.heads(now, 1);
    if (!head) throw new Error('no head');
    outbox.rescheduleQueue(head, now + 5_000, 'unreachable');
    // r1's queue waits as a whole; r2's is untouched.
    expect(outbox.heads(now, 10).map((h) => h.recipient)).toEqual(['r2']);
    expect(outbox.get(head.envelopeId)?.attempts).toBe(1);
    const [next] = outbox.heads(now + 5_000, 10);
    expect(next?.rowId).toBe(head.rowId);
    if (!next) throw new Error('no head');
    expect(outbox.runAfter(next, now + 5_000, 10)).toHaveLength(4);
  });

  it('lists the held envelopes before one, and records extra holders', () => {
    for (let i = 0; i < 3; i++)
      outbox.enqueue({ conversationId: conv, messageId: null, recipient: 'r1', payload });
    outbox.enqueue({ conversationId: conv + 1, messageId: null, recipient: 'r1', payload });
    for (let i = 0; i < 2; i++) {
      const [head] = outbox.heads(now, 1);
      if (!head) throw new Error('no head');
      outbox.markHeld(head, ['self'], now + 100);
    }
    const [third] = outbox.heads(now, 10);
    if (!third) throw new Error('no head');
    const before = outbox.heldBefore(third);
    expect(before.map((b) => b.rowId)).toEqual([third.rowId - 2, third.rowId - 1]);
    const [first] = before;
    if (!first) throw new Error('none held');
    outbox.addHolder(first, 'relay');
    expect(outbox.heldBefore(third)[0]?.depositedWith).toEqual(['self', 'relay']);
  });

  it('gives a message the least advanced state of its envelopes', () => {
    const id = message('m1'.padEnd(32, '0'));
    for (const recipient of ['r1', 'r2'])
      outbox.enqueue({ conversationId: conv, messageId: id, recipient, payload });
    const [one, two] = outbox.heads(now, 10);
    if (!one || !two) throw new Error('no heads');
    outbox.markDelivered(one);
    expect(messages.get(id)?.state).toBe('sent');
    outbox.markHeld(two, ['holder'], now + 1);
    expect(messages.get(id)).toMatchObject({ state: 'held', heldBy: 'holder' });
    outbox.markDelivered({ ...two, depositedWith: ['holder'] });
    expect(messages.get(id)?.state).toBe('delivered');
    expect(outbox.counts()).toMatchObject({ delivered: 2, pending: 0, held: 0 });
    expect(outbox.nextDueAt()).toBeNull();
  });

  it('a rejected envelope fails and stops blocking its queue', () => {
    const id = message('m2'.padEnd(32, '0'));
    outbox.enqueue({ conversationId: conv, messageId: id, recipient: 'r1', payload });
    outbox.enqueue({ conversationId: conv, messageId: null, recipient: 'r1', payload });
    const [head] = outbox.heads(now, 10);
    if (!head) throw new Error('no head');
    outbox.markFailed(head, 'rejected');
    expect(messages.get(id)?.state).toBe('failed');
    expect(outbox.heads(now, 10).map((h) => h.rowId)).toEqual([head.rowId + 1]);
    outbox.reschedule(outbox.heads(now, 10)[0] ?? head, now + 100, 'unreachable');
    expect(outbox.heads(now, 10)).toEqual([]);
    expect(outbox.nextDueAt()).toBe(now + 100);
  });

  it('checks queue order over waiting rows only, however long the delivered history', () => {
    // Regression: the order probe walked every delivered row of the queue (quadratic in history).
    const plan = (sql: string, ...args: unknown[]): string =>
      (t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join('\n');
    expect(plan(DUE_QUEUES_SQL, now)).toContain('outbox_due');
    expect(plan(OLDEST_OPEN_SQL, 'r1', conv)).toContain('outbox_open_queue');
    expect(plan(OLDEST_PENDING_SQL, 'r1', conv)).toContain('outbox_due');
    for (let i = 0; i < 300; i++) {
      const id = outbox.enqueue({ conversationId: conv, messageId: null, recipient: 'r1', payload });
      const item = outbox.get(id);
      if (item) outbox.markDelivered(item);
    }
    const waiting = outbox.enqueue({ conversationId: conv, messageId: null, recipient: 'r1', payload });
    const heads = outbox.heads(now, 10);
    expect(heads).toHaveLength(1);
    expect(Buffer.from(heads[0]?.envelopeId ?? []).equals(Buffer.from(waiting))).toBe(true);
  });

  it('prunes settled rows once their message needs them no more, keeping its state', () => {
    const done = message('p1'.padEnd(32, '0'));
    const partly = message('p2'.padEnd(32, '0'));
    for (const recipient of ['r1', 'r2']) {
      outbox.enqueue({ conversationId: conv, messageId: done, recipient, payload });
      outbox.enqueue({ conversationId: conv + 1, messageId: partly, recipient, payload });
    }
    const welcome = outbox.enqueue({ conversationId: null, messageId: null, recipient: 'r3', payload });
    const rows = (messageId: number | null) =>
      t.db.prepare('SELECT count(*) AS n FROM outbox WHERE message_id IS ?').get(messageId) as { n: number };
    const item = (envelopeId: Uint8Array) => {
      const found = outbox.get(envelopeId);
      if (!found) throw new Error('no row');
      return found;
    };
    const ofMessage = (id: number) => outbox.heads(now, 10).filter((h) => h.messageId === id);
    const [d1, d2] = ofMessage(done);
    const [p1] = ofMessage(partly);
    if (!d1 || !d2 || !p1) throw new Error('no heads');
    outbox.settle([
      { item: d1, outcome: 'delivered' },
      { item: d2, outcome: 'failed', error: 'rejected' },
      { item: p1, outcome: 'delivered' },
      { item: item(welcome), outcome: 'delivered' },
    ]);
    expect(messages.get(done)?.state).toBe('delivered');
    expect(messages.get(partly)?.state).toBe('sent');

    expect(outbox.prune()).toBe(3);
    // Every row of the settled message and the Welcome's row are gone, its state stays.
    expect(rows(done).n).toBe(0);
    expect(rows(null).n).toBe(0);
    expect(messages.get(done)?.state).toBe('delivered');
    // A message with a device still waiting keeps all its rows (its state is computed from them).
    expect(rows(partly).n).toBe(2);
    const [p2] = ofMessage(partly);
    if (!p2) throw new Error('no head');
    outbox.markDelivered(p2);
    expect(messages.get(partly)?.state).toBe('delivered');
    expect(outbox.prune()).toBe(2);
    expect(outbox.counts()).toMatchObject({ pending: 0, held: 0, delivered: 0, failed: 0 });
    expect(outbox.prune()).toBe(0);
  });

  it('sends a run: the due envelopes right behind a head, in order, up to a limit', () => {
    for (let i = 0; i < 5; i++)
      outbox.enqueue({ conversationId: conv, messageId: null, recipient: 'r1', payload });
    outbox.enqueue({ conversationId: conv + 1, messageId: null, recipient: 'r1', payload });
    const [head] = outbox.heads(now, 10);
    if (!head) throw new Error('no head');
    const run = outbox.runAfter(head, now, 10);
    expect(run.map((r) => r.rowId)).toEqual([1, 2, 3, 4].map((k) => head.rowId + k));
    expect(outbox.runAfter(head, now, 2)).toHaveLength(2);
    // A row not due yet ends the run: nothing after it may overtake it.
    const third = run[1];
    if (!third) throw new Error('no row');
    outbox.reschedule(third, now + 100, 'reset');
    expect(outbox.runAfter(head, now, 10).map((r) => r.rowId)).toEqual([head.rowId + 1]);
  });

  it('puts the older held envelopes of its queue before a pending head sent directly, due or not', () => {
    for (let i = 0; i < 4; i++)
      outbox.enqueue({ conversationId: conv, messageId: null, recipient: 'r1', payload });
    const rows = outbox.heads(now, 10);
    const first = rows[0];
    if (!first) throw new Error('no head');
    // The first three were deposited; their next direct retry is an hour away.
    for (const item of [first, ...outbox.runAfter(first, now, 2)])
      outbox.markHeld(item, ['holder'], now + 3_600_000);
    const [pending] = outbox.heads(now, 10);
    if (!pending) throw new Error('no pending head');
    expect(pending.rowId).toBe(first.rowId + 3);
    expect(outbox.directRun(pending, now, 10).map((r) => r.rowId)).toEqual(
      [0, 1, 2, 3].map((k) => first.rowId + k),
    );
    // A limit shorter than the held prefix stops before the head: it never goes ahead of them.
    expect(outbox.directRun(pending, now, 2).map((r) => r.rowId)).toEqual([first.rowId, first.rowId + 1]);
    // A held head's run is the plain one.
    const held = outbox.heads(now + 3_600_000, 10)[0];
    if (!held) throw new Error('no held head');
    expect(outbox.directRun(held, now + 3_600_000, 10).map((r) => r.rowId)).toEqual(
      [0, 1, 2, 3].map((k) => first.rowId + k),
    );
  });
});
