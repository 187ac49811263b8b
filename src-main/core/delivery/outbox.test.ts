import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationRepository } from '../store/repositories/conversationRepository';
import { MessageRepository } from '../store/repositories/messageRepository';
import { ME, tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { HEADS_SQL, Outbox } from './outbox';
import { deliveryMigrations } from './schema';

let t: TempDatabase;
let outbox: Outbox;
let messages: MessageRepository;
let conv: number;
const now = 1_000;

beforeEach(() => {
  t = tempDatabase(deliveryMigrations);
  messages = new MessageRepository(t.db);
  outbox = new Outbox(t.db, messages, () => now);
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
    // The youngest is due first, but the oldest held one goes first.
    expect(outbox.heads(now + 10, 10)).toEqual([]);
    const due = outbox.heads(now + 30, 10);
    expect(due).toHaveLength(1);
    const [oldest] = due;
    if (!oldest) throw new Error('no head');
    outbox.markDelivered(oldest);
    expect(outbox.heads(now + 30, 10).map((h) => h.rowId)).toEqual([oldest.rowId + 1]);
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
    const plan = (t.db.prepare(`EXPLAIN QUERY PLAN ${HEADS_SQL}`).all(now, 10) as Array<{ detail: string }>)
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toContain('outbox_open_queue');
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
});
