import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/**
 * The `outbox` table (migrations 0002, 0006 and 0007): one row per envelope
 * per recipient device. The rules of what goes when (queue order, held
 * envelopes, message states) are delivery's (delivery/outbox.ts); this is
 * their SQL. The outbox is the delivery hot path: every statement is
 * compiled once per connection (store/prepared.ts), never per call.
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

/** One (recipient, conversation) queue: envelopes in it go in order. */
export interface OutboxQueue {
  recipient: string;
  conversationId: number | null;
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

const item = (r: Row | undefined): OutboxItem | null => (r === undefined ? null : toItem(r));

export const envelopeHex = (id: Uint8Array): string =>
  Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');

export class OutboxRepository {
  constructor(private readonly db: Db) {}

  insert(e: NewEnvelope & { envelopeId: Uint8Array }, now: number): void {
    prepared(
      this.db,
      `INSERT INTO outbox (envelope_id, conversation_id, message_id, recipient, payload, created_at,
           next_attempt_at, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`,
    ).run(
      envelopeHex(e.envelopeId),
      e.conversationId,
      e.messageId,
      e.recipient,
      Buffer.from(e.payload),
      now,
      now,
    );
  }

  /**
   * Drops every row still queued for a device (its person's list removed it,
   * docs/protocol.md §13.8): nothing more is sent or deposited for it.
   */
  deleteForRecipient(recipient: string): number {
    return prepared(
      this.db,
      "DELETE FROM outbox WHERE recipient = ? AND state IN ('pending', 'sent', 'held', 'failed')",
    ).run(recipient).changes;
  }

  /** Queues with something due by `now`. */
  dueQueues(now: number): OutboxQueue[] {
    return (
      prepared(this.db, DUE_QUEUES_SQL).all(now) as { recipient: string; conversation_id: number | null }[]
    ).map((q) => ({ recipient: q.recipient, conversationId: q.conversation_id }));
  }

  /** The queue's oldest waiting envelope (pending, sent or held). */
  oldestOpen(q: OutboxQueue): OutboxItem | null {
    return item(prepared(this.db, OLDEST_OPEN_SQL).get(q.recipient, q.conversationId) as Row | undefined);
  }

  /** The queue's oldest pending (or sent) envelope. */
  oldestPending(q: OutboxQueue): OutboxItem | null {
    return item(prepared(this.db, OLDEST_PENDING_SQL).get(q.recipient, q.conversationId) as Row | undefined);
  }

  /** When the next envelope becomes due, or null when nothing is waiting. */
  nextDueAt(): number | null {
    return (
      prepared(
        this.db,
        `SELECT min(next_attempt_at) AS at FROM outbox WHERE state IN ('pending', 'sent', 'held')`,
      ).get() as { at: number | null }
    ).at;
  }

  get(envelopeId: Uint8Array): OutboxItem | null {
    return item(
      prepared(this.db, 'SELECT * FROM outbox WHERE envelope_id = ?').get(envelopeHex(envelopeId)) as
        Row | undefined,
    );
  }

  /** Acked: done; the payload is no longer needed. */
  setDelivered(rowId: number): void {
    prepared(
      this.db,
      `UPDATE outbox SET state = 'delivered', payload = X'', last_error = NULL WHERE id = ?`,
    ).run(rowId);
  }

  /** Refused by the recipient: no retry. */
  setFailed(rowId: number, error: string): void {
    prepared(this.db, `UPDATE outbox SET state = 'failed', payload = X'', last_error = ? WHERE id = ?`).run(
      error,
      rowId,
    );
  }

  /**
   * Waiting envelopes of the queue after `afterRowId`, oldest first, at most
   * `limit`, up to the first one not due by `dueBy`: a gap-free run. Rows past
   * that one are not converted (each conversion copies its payload; behind a
   * held head, a long backlog is not due for minutes).
   */
  dueAfter(q: OutboxQueue, afterRowId: number, dueBy: number, limit: number): OutboxItem[] {
    const rows = prepared(
      this.db,
      `SELECT * FROM outbox WHERE recipient = ? AND conversation_id IS ? AND id > ?
           AND state IN ('pending', 'sent', 'held')
         ORDER BY id LIMIT ?`,
    ).all(q.recipient, q.conversationId, afterRowId, limit) as Row[];
    const out: OutboxItem[] = [];
    for (const r of rows) {
      if (r.next_attempt_at > dueBy) break;
      out.push(toItem(r));
    }
    return out;
  }

  /** Waiting envelopes of the queue from `fromRowId` to `toRowId` (both included), oldest first. */
  openBetween(q: OutboxQueue, fromRowId: number, toRowId: number, limit: number): OutboxItem[] {
    return (
      prepared(
        this.db,
        `SELECT * FROM outbox WHERE recipient = ? AND conversation_id IS ? AND id >= ? AND id <= ?
           AND state IN ('pending', 'sent', 'held')
         ORDER BY id LIMIT ?`,
      ).all(q.recipient, q.conversationId, fromRowId, toRowId, limit) as Row[]
    ).map(toItem);
  }

  /**
   * Deletes up to `limit` delivered and failed rows whose message needs them
   * no more (rows of no message, or of a message none of whose envelopes is
   * still waiting); returns how many.
   */
  pruneSettled(limit: number): number {
    // The subquery is not correlated: SQLite builds the set of still-waiting
    // messages once (from the outbox_due index), not once per row.
    return prepared(
      this.db,
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox
         WHERE state IN ('delivered', 'failed')
           AND (message_id IS NULL OR message_id NOT IN (
             SELECT message_id FROM outbox
             WHERE state IN ('pending', 'sent', 'held') AND message_id IS NOT NULL))
         LIMIT ?)`,
    ).run(limit).changes;
  }

  /** Deposited with `holders` (the first is shown as the holder); next direct try at `nextAttemptAt`. */
  setHeld(rowId: number, holders: string[], nextAttemptAt: number): void {
    prepared(
      this.db,
      `UPDATE outbox SET state = 'held', held_by = ?, deposited_with = ?, attempts = attempts + 1,
         next_attempt_at = ?, last_error = NULL WHERE id = ? AND state != 'delivered'`,
    ).run(holders[0] ?? null, JSON.stringify(holders), nextAttemptAt, rowId);
  }

  /** Envelopes in `state` queued after `afterRowId` in the queue and due before `at` become due at `at`. */
  postponeBehind(q: OutboxQueue, afterRowId: number, state: 'held' | 'pending', at: number): void {
    prepared(
      this.db,
      `UPDATE outbox SET next_attempt_at = ?
         WHERE state = ? AND next_attempt_at < ? AND recipient = ? AND conversation_id IS ? AND id > ?`,
    ).run(at, state, at, q.recipient, q.conversationId, afterRowId);
  }

  /** Held envelopes of the queue before `beforeRowId`, oldest first. */
  heldBefore(q: OutboxQueue, beforeRowId: number): OutboxItem[] {
    return (
      prepared(
        this.db,
        `SELECT * FROM outbox WHERE recipient = ? AND conversation_id IS ? AND id < ? AND state = 'held'
         ORDER BY id`,
      ).all(q.recipient, q.conversationId, beforeRowId) as Row[]
    ).map(toItem);
  }

  /**
   * Held envelopes of the queue between the two rows (exclusive) not yet
   * deposited with `holder`, oldest first: filtered in SQL, so a long held
   * queue is not loaded.
   */
  heldNotWith(q: OutboxQueue, holder: string, afterRowId: number, beforeRowId: number): OutboxItem[] {
    // deposited_with is a JSON array of PeerIds (which never contain a quote).
    return (
      prepared(
        this.db,
        `SELECT * FROM outbox WHERE recipient = ? AND conversation_id IS ? AND id > ? AND id < ?
           AND state = 'held' AND instr(coalesce(deposited_with, ''), ?) = 0
         ORDER BY id`,
      ).all(q.recipient, q.conversationId, afterRowId, beforeRowId, JSON.stringify(holder)) as Row[]
    ).map(toItem);
  }

  /** The holders a held envelope is deposited with. */
  setDepositedWith(rowId: number, holders: string[]): void {
    prepared(this.db, `UPDATE outbox SET deposited_with = ? WHERE id = ? AND state = 'held'`).run(
      JSON.stringify(holders),
      rowId,
    );
  }

  /** Not delivered this time; try again at `nextAttemptAt`. */
  reschedule(rowId: number, nextAttemptAt: number, error: string): void {
    prepared(
      this.db,
      `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
         WHERE id = ? AND state != 'delivered'`,
    ).run(nextAttemptAt, error, rowId);
  }

  /** Everything waiting for `recipient` is due at `now`; returns how many rows. */
  wake(recipient: string, now: number): number {
    return prepared(
      this.db,
      `UPDATE outbox SET next_attempt_at = ? WHERE recipient = ? AND state IN ('pending', 'sent', 'held')`,
    ).run(now, recipient).changes;
  }

  /** How many rows are in each state. */
  counts(): Record<OutboxState, number> {
    const out: Record<OutboxState, number> = { pending: 0, sent: 0, held: 0, delivered: 0, failed: 0 };
    const rows = prepared(this.db, 'SELECT state, count(*) AS n FROM outbox GROUP BY state').all() as {
      state: OutboxState;
      n: number;
    }[];
    for (const r of rows) out[r.state] = r.n;
    return out;
  }

  /** The states of a message's envelopes (one per recipient device), in queue order. */
  statesOfMessage(messageId: number): { state: OutboxState; heldBy: string | null }[] {
    return (
      prepared(this.db, 'SELECT state, held_by FROM outbox WHERE message_id = ? ORDER BY id').all(
        messageId,
      ) as {
        state: OutboxState;
        held_by: string | null;
      }[]
    ).map((r) => ({ state: r.state, heldBy: r.held_by }));
  }
}
