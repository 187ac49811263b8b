import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3-multiple-ciphers';
import { durabilityOf } from '../store/durability';
import type { Db } from '../store/encryptedDatabase';
import { prepared } from '../store/prepared';
import type { MessageRepository } from '../store/repositories/messageRepository';
import type { MessageState } from '../store/repositories/types';

/**
 * The persistent outbox (`outbox`, migrations 0002 and 0006): one row per
 * envelope per recipient device. Rows are written in the caller's
 * transaction (the one that also stores the MLS state and the message row),
 * so a crash either keeps the message and its envelopes or neither.
 *
 * Order: within one (recipient, conversation) queue an envelope is not
 * offered before every earlier one was acked or deposited with a holder
 * (`heads()`), so a commit is never overtaken by the messages of its epoch.
 * States: pending → (held) → delivered, or failed when the recipient
 * rejected it. 'held' rows keep being retried directly (slowly) until the
 * recipient acks one copy, which is how the sender learns "delivered".
 */

/** Queues with a due waiting row, from the due rows themselves (index outbox_due). */
export const DUE_QUEUES_SQL = `SELECT DISTINCT recipient, conversation_id FROM outbox
  WHERE state IN ('pending', 'sent', 'held') AND next_attempt_at <= ?`;
/**
 * A queue's oldest waiting row. Repeats the partial index's condition word for
 * word so SQLite may use outbox_open_queue (migration 0007): delivered history
 * is not walked.
 */
export const OLDEST_OPEN_SQL = `SELECT * FROM outbox
  WHERE recipient = ? AND conversation_id IS ? AND state IN ('pending', 'sent', 'held')
  ORDER BY id LIMIT 1`;
/**
 * A queue's oldest pending row, found among pending rows (index outbox_due),
 * never by walking the queue's held rows, which may be thousands.
 */
export const OLDEST_PENDING_SQL = `SELECT * FROM outbox INDEXED BY outbox_due
  WHERE state IN ('pending', 'sent') AND recipient = ? AND conversation_id IS ?
  ORDER BY id LIMIT 1`;

export type OutboxState = 'pending' | 'sent' | 'held' | 'delivered' | 'failed';

export interface NewEnvelope {
  conversationId: number | null;
  messageId: number | null;
  recipient: string;
  payload: Uint8Array;
  /** Reuse an id (one logical envelope to several devices must not share one: pass none). */
  envelopeId?: Uint8Array;
}

export interface OutboxItem {
  rowId: number;
  envelopeId: Uint8Array;
  conversationId: number | null;
  messageId: number | null;
  recipient: string;
  payload: Uint8Array;
  attempts: number;
  nextAttemptAt: number;
  state: OutboxState;
  heldBy: string | null;
  depositedWith: string[];
}

interface Row {
  id: number;
  envelope_id: string;
  conversation_id: number | null;
  message_id: number | null;
  recipient: string;
  payload: Buffer;
  attempts: number;
  next_attempt_at: number;
  state: OutboxState;
  held_by: string | null;
  deposited_with: string | null;
}

function toItem(r: Row): OutboxItem {
  let deposited: string[] = [];
  if (r.deposited_with) {
    const parsed: unknown = JSON.parse(r.deposited_with);
    if (Array.isArray(parsed)) deposited = parsed.filter((x): x is string => typeof x === 'string');
  }
  return {
    rowId: r.id,
    envelopeId: new Uint8Array(Buffer.from(r.envelope_id, 'hex')),
    conversationId: r.conversation_id,
    messageId: r.message_id,
    recipient: r.recipient,
    payload: new Uint8Array(r.payload),
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    state: r.state,
    heldBy: r.held_by,
    depositedWith: deposited,
  };
}

export const envelopeHex = (id: Uint8Array): string =>
  Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');

type Statement = Database.Statement<unknown[], unknown>;

/** Rows a prune pass deletes per transaction (keeps each transaction short). */
const PRUNE_CHUNK = 2_000;
/** Chunks per prune() call: bounded, the next sweep continues. */
const PRUNE_MAX_CHUNKS = 50;

export class Outbox {
  constructor(
    private readonly db: Db,
    private readonly messages: MessageRepository,
    private readonly now: () => number = Date.now,
  ) {}

  /** Compiled once per connection (store/prepared.ts). */
  private stmt(sql: string): Statement {
    return prepared(this.db, sql);
  }

  /** Queues an envelope (inside the caller's transaction, if any); returns its id. */
  enqueue(e: NewEnvelope): Uint8Array {
    const envelopeId = e.envelopeId ?? new Uint8Array(randomBytes(16));
    const now = this.now();
    this.stmt(
      `INSERT INTO outbox (envelope_id, conversation_id, message_id, recipient, payload, created_at,
           next_attempt_at, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`,
    ).run(
      envelopeHex(envelopeId),
      e.conversationId,
      e.messageId,
      e.recipient,
      Buffer.from(e.payload),
      now,
      now,
    );
    return envelopeId;
  }

  /**
   * Envelopes to try now, oldest first: per (recipient, conversation) queue,
   * a pending envelope once nothing earlier is still pending (earlier ones
   * are acked, held or failed), and a held envelope (offered directly again)
   * only when it is the oldest undelivered one, so direct retries of held
   * envelopes reach the recipient in order.
   */
  heads(now: number, limit: number): OutboxItem[] {
    // Per queue with something due: its oldest waiting row (a due head, held
    // or pending) and its oldest pending row (held rows do not block it).
    // Looked up queue by queue through indexes, so the cost does not grow
    // with how many envelopes a queue holds (one query over every row did:
    // quadratic while an offline contact's queue filled up).
    const queues = this.stmt(DUE_QUEUES_SQL).all(now) as {
      recipient: string;
      conversation_id: number | null;
    }[];
    const heads = new Map<number, Row>();
    for (const q of queues) {
      const oldest = this.stmt(OLDEST_OPEN_SQL).get(q.recipient, q.conversation_id) as Row | undefined;
      if (oldest === undefined) continue;
      if (oldest.next_attempt_at <= now) heads.set(oldest.id, oldest);
      if (oldest.state === 'held') {
        const pending = this.stmt(OLDEST_PENDING_SQL).get(q.recipient, q.conversation_id) as Row | undefined;
        if (pending !== undefined && pending.next_attempt_at <= now) heads.set(pending.id, pending);
      }
    }
    return [...heads.values()]
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
      .map(toItem);
  }

  /** When the next envelope becomes due, or null when nothing is waiting. */
  nextDueAt(): number | null {
    const r = this.stmt(
      `SELECT min(next_attempt_at) AS at FROM outbox WHERE state IN ('pending', 'sent', 'held')`,
    ).get() as { at: number | null };
    return r.at;
  }

  get(envelopeId: Uint8Array): OutboxItem | null {
    const r = this.stmt('SELECT * FROM outbox WHERE envelope_id = ?').get(envelopeHex(envelopeId)) as
      Row | undefined;
    return r ? toItem(r) : null;
  }

  /** The recipient acked it ('accepted' or 'duplicate'): done; the payload is no longer needed. */
  markDelivered(item: OutboxItem): void {
    this.settle([{ item, outcome: 'delivered' }]);
  }

  /** The recipient refused it: no retry. */
  markFailed(item: OutboxItem, error: string): void {
    this.settle([{ item, outcome: 'failed', error }]);
  }

  /**
   * Records many acks in ONE transaction (one fsync): a pipelined run of
   * envelopes is acked together, and a commit per ack cost more than the
   * send itself. Message states are brought up to date once per message.
   */
  settle(
    outcomes: readonly (
      { item: OutboxItem; outcome: 'delivered' } | { item: OutboxItem; outcome: 'failed'; error: string }
    )[],
  ): void {
    if (outcomes.length === 0) return;
    const delivered = this.stmt(
      `UPDATE outbox SET state = 'delivered', payload = X'', last_error = NULL WHERE id = ?`,
    );
    const failed = this.stmt(
      `UPDATE outbox SET state = 'failed', payload = X'', last_error = ? WHERE id = ?`,
    );
    // Not waiting for the disk (store/durability.ts): an ack lost to a power
    // failure only makes the envelope go once more, and the recipient answers
    // 'duplicate'.
    durabilityOf(this.db).lazy(() =>
      this.db.transaction(() => {
        const messages = new Set<number>();
        for (const o of outcomes) {
          if (o.outcome === 'delivered') delivered.run(o.item.rowId);
          else failed.run(o.error, o.item.rowId);
          if (o.item.messageId !== null) messages.add(o.item.messageId);
        }
        for (const id of messages) this.syncMessage(id);
      })(),
    );
  }

  /**
   * The waiting envelopes queued right after `head` in its (recipient,
   * conversation) queue and due by `now`, oldest first, at most `limit`:
   * what may follow the head on one stream (pipelining). Stops at the first
   * row that is not due, so the run is a gap-free stretch of the queue and
   * order is kept. (After a held head come held ones, then pending ones: a
   * recipient back online gets its backlog in runs, not one by one.)
   */
  runAfter(head: OutboxItem, now: number, limit: number): OutboxItem[] {
    if (limit <= 0) return [];
    const rows = this.stmt(
      `SELECT * FROM outbox WHERE recipient = ? AND conversation_id IS ? AND id > ?
         AND state IN ('pending', 'sent', 'held')
       ORDER BY id LIMIT ?`,
    ).all(head.recipient, head.conversationId, head.rowId, limit) as Row[];
    const out: OutboxItem[] = [];
    for (const r of rows) {
      if (r.next_attempt_at > now) break;
      out.push(toItem(r));
    }
    return out;
  }

  /**
   * What goes on one stream when `head` is offered directly. A pending head
   * whose queue still has older held envelopes (deposited, their next direct
   * retry later) takes them along first, due or not: a recipient that is
   * reachable now must get the queue in order, and it answers 'duplicate' for
   * any it already fetched from a holder. Sent alone, the newer envelope
   * overtook them whenever the recipient came back before their retry (issue
   * 13). Otherwise the head and the due envelopes behind it (runAfter).
   */
  directRun(head: OutboxItem, now: number, limit: number): OutboxItem[] {
    if (head.state !== 'held') {
      const oldest = this.stmt(OLDEST_OPEN_SQL).get(head.recipient, head.conversationId) as Row | undefined;
      if (oldest !== undefined && oldest.id < head.rowId) {
        const upTo = (
          this.stmt(
            `SELECT * FROM outbox WHERE recipient = ? AND conversation_id IS ? AND id >= ? AND id <= ?
               AND state IN ('pending', 'sent', 'held')
             ORDER BY id LIMIT ?`,
          ).all(head.recipient, head.conversationId, oldest.id, head.rowId, limit) as Row[]
        ).map(toItem);
        const last = upTo.at(-1);
        if (last === undefined || last.rowId !== head.rowId) return upTo;
        return [...upTo, ...this.runAfter(head, now, limit - upTo.length)];
      }
    }
    return [head, ...this.runAfter(head, now, limit - 1)];
  }

  /**
   * Deletes delivered and failed rows whose message needs them no more: rows
   * of no message (Welcomes, profiles) and rows of messages none of whose
   * envelopes is still waiting (the message row already holds its final
   * state, computed from all its envelopes by syncMessage). A message with
   * one device still waiting keeps all its rows, so its state stays right.
   * Bounded: at most PRUNE_MAX_CHUNKS transactions of PRUNE_CHUNK rows.
   * Returns how many rows were deleted.
   */
  prune(): number {
    // The subquery is not correlated: SQLite builds the set of still-waiting
    // messages once (from the outbox_due index), not once per row.
    const remove = this.stmt(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox
         WHERE state IN ('delivered', 'failed')
           AND (message_id IS NULL OR message_id NOT IN (
             SELECT message_id FROM outbox
             WHERE state IN ('pending', 'sent', 'held') AND message_id IS NOT NULL))
         LIMIT ?)`,
    );
    let total = 0;
    for (let i = 0; i < PRUNE_MAX_CHUNKS; i++) {
      const n = this.db.transaction(() => remove.run(PRUNE_CHUNK).changes)();
      total += n;
      if (n < PRUNE_CHUNK) break;
    }
    return total;
  }

  /**
   * Deposited (sealed) with these holders; retry directly at `nextAttemptAt`,
   * or, when an older held envelope of the queue waits longer, together with
   * it: a held envelope is offered directly only behind the queue's oldest
   * (heads(), runAfter()), so an earlier retry of its own would only make it
   * due for nothing, and every due row costs each delivery pass a look
   * (DUE_QUEUES_SQL). Aligned, a whole offline backlog becomes due once per
   * retry of its head, not once per pass.
   */
  markHeld(item: OutboxItem, holders: string[], nextAttemptAt: number): void {
    const all = [...new Set([...item.depositedWith, ...holders])];
    // Lazily durable like settle(): lost, the envelope is only deposited again
    // (holders keep one copy per envelope id).
    durabilityOf(this.db).lazy(() =>
      this.db.transaction(() => {
        const oldest = this.stmt(OLDEST_OPEN_SQL).get(item.recipient, item.conversationId) as Row | undefined;
        const at =
          oldest !== undefined && oldest.id !== item.rowId && oldest.state === 'held'
            ? Math.max(nextAttemptAt, oldest.next_attempt_at)
            : nextAttemptAt;
        this.stmt(
          `UPDATE outbox SET state = 'held', held_by = ?, deposited_with = ?, attempts = attempts + 1,
             next_attempt_at = ?, last_error = NULL WHERE id = ? AND state != 'delivered'`,
        ).run(all[0] ?? null, JSON.stringify(all), at, item.rowId);
        this.syncMessage(item.messageId);
      })(),
    );
  }

  /**
   * The queue's head could not be delivered: try it again at `nextAttemptAt`,
   * and move every envelope of the same state waiting behind it in the queue
   * that would be due earlier to that time too. They can only go after the
   * head (in order), so being due before it would just make every delivery
   * pass look at them again: quadratic while an offline contact's backlog
   * grows. Held envelopes move with a held head, pending ones with a pending
   * head (held ones never block pending ones, which still get deposited).
   */
  rescheduleQueue(head: OutboxItem, nextAttemptAt: number, error: string): void {
    const state = head.state === 'held' ? 'held' : 'pending';
    this.db.transaction(() => {
      this.reschedule(head, nextAttemptAt, error);
      this.stmt(
        `UPDATE outbox SET next_attempt_at = ?
           WHERE state = ? AND next_attempt_at < ? AND recipient = ? AND conversation_id IS ? AND id > ?`,
      ).run(nextAttemptAt, state, nextAttemptAt, head.recipient, head.conversationId, head.rowId);
    })();
  }

  /**
   * Held envelopes queued before this one for the same recipient and
   * conversation, oldest first; with `notWith`, only those not yet deposited
   * with that holder (filtered in SQL: a long held queue is not loaded) and
   * queued after `afterRowId` (what the caller knows that holder has).
   */
  heldBefore(item: OutboxItem, notWith?: string, afterRowId = 0): OutboxItem[] {
    const rows = (
      notWith === undefined
        ? this.stmt(
            `SELECT * FROM outbox WHERE recipient = ? AND conversation_id IS ? AND id < ? AND state = 'held'
             ORDER BY id`,
          ).all(item.recipient, item.conversationId, item.rowId)
        : // deposited_with is a JSON array of PeerIds (which never contain a quote).
          this.stmt(
            `SELECT * FROM outbox WHERE recipient = ? AND conversation_id IS ? AND id > ? AND id < ?
               AND state = 'held' AND instr(coalesce(deposited_with, ''), ?) = 0
             ORDER BY id`,
          ).all(item.recipient, item.conversationId, afterRowId, item.rowId, JSON.stringify(notWith))
    ) as Row[];
    return rows.map(toItem);
  }

  /** One more holder keeps a copy of a held envelope. */
  addHolder(item: OutboxItem, holder: string): void {
    if (item.depositedWith.includes(holder)) return;
    item.depositedWith.push(holder);
    this.stmt(`UPDATE outbox SET deposited_with = ? WHERE id = ? AND state = 'held'`).run(
      JSON.stringify(item.depositedWith),
      item.rowId,
    );
  }

  /** Not delivered this time; try again at `nextAttemptAt`. */
  reschedule(item: OutboxItem, nextAttemptAt: number, error: string): void {
    this.stmt(
      `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
         WHERE id = ? AND state != 'delivered'`,
    ).run(nextAttemptAt, error, item.rowId);
  }

  /** The recipient just appeared: everything waiting for it is due now. */
  wake(recipient: string, now: number): number {
    return this.stmt(
      `UPDATE outbox SET next_attempt_at = ? WHERE recipient = ? AND state IN ('pending', 'sent', 'held')`,
    ).run(now, recipient).changes;
  }

  /** Envelopes not delivered yet (diagnostics, tests). */
  counts(): Record<OutboxState, number> {
    const out: Record<OutboxState, number> = { pending: 0, sent: 0, held: 0, delivered: 0, failed: 0 };
    const rows = this.stmt('SELECT state, count(*) AS n FROM outbox GROUP BY state').all() as {
      state: OutboxState;
      n: number;
    }[];
    for (const r of rows) out[r.state] = r.n;
    return out;
  }

  /**
   * A message goes to every device of every other member; its state is the
   * least advanced of its envelopes: delivered when all are, held when all
   * are at least held, sent when some device acked, failed when all failed.
   */
  private syncMessage(messageId: number | null): void {
    if (messageId === null) return;
    const rows = this.stmt('SELECT state, held_by FROM outbox WHERE message_id = ? ORDER BY id').all(
      messageId,
    ) as { state: OutboxState; held_by: string | null }[];
    if (rows.length === 0) return;
    const count = (s: OutboxState) => rows.filter((r) => r.state === s).length;
    const delivered = count('delivered');
    const held = count('held');
    const failed = count('failed');
    let state: MessageState | null = null;
    let heldBy: string | null = null;
    if (failed === rows.length) state = 'failed';
    else if (delivered + failed === rows.length) state = 'delivered';
    else if (delivered + held + failed === rows.length) {
      state = 'held';
      heldBy = rows.find((r) => r.state === 'held')?.held_by ?? null;
    } else if (delivered > 0) state = 'sent';
    if (state) this.messages.setState(messageId, state, heldBy);
  }
}
