import { randomBytes } from 'node:crypto';
import type { Db } from '../store/encryptedDatabase';
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

/** The due heads of every (recipient, conversation) queue; exported so a test can check its plan. */
export const HEADS_SQL = `SELECT * FROM outbox o
         WHERE o.state IN ('pending', 'sent', 'held') AND o.next_attempt_at <= ?
           AND NOT EXISTS (
             SELECT 1 FROM outbox p
             WHERE p.recipient = o.recipient AND p.conversation_id IS o.conversation_id AND p.id < o.id
               -- Repeats the partial index's condition word for word so SQLite may use
               -- outbox_open_queue (migration 0007): only waiting rows are walked.
               AND p.state IN ('pending', 'sent', 'held')
               AND (p.state IN ('pending', 'sent') OR (o.state = 'held' AND p.state = 'held')))
         ORDER BY o.id LIMIT ?`;

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

export class Outbox {
  constructor(
    private readonly db: Db,
    private readonly messages: MessageRepository,
    private readonly now: () => number = Date.now,
  ) {}

  /** Queues an envelope (inside the caller's transaction, if any); returns its id. */
  enqueue(e: NewEnvelope): Uint8Array {
    const envelopeId = e.envelopeId ?? new Uint8Array(randomBytes(16));
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO outbox (envelope_id, conversation_id, message_id, recipient, payload, created_at,
           next_attempt_at, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`,
      )
      .run(
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
    const rows = this.db.prepare(HEADS_SQL).all(now, limit) as Row[];
    return rows.map(toItem);
  }

  /** When the next envelope becomes due, or null when nothing is waiting. */
  nextDueAt(): number | null {
    const r = this.db
      .prepare(`SELECT min(next_attempt_at) AS at FROM outbox WHERE state IN ('pending', 'sent', 'held')`)
      .get() as { at: number | null };
    return r.at;
  }

  get(envelopeId: Uint8Array): OutboxItem | null {
    const r = this.db.prepare('SELECT * FROM outbox WHERE envelope_id = ?').get(envelopeHex(envelopeId)) as
      Row | undefined;
    return r ? toItem(r) : null;
  }

  /** The recipient acked it ('accepted' or 'duplicate'): done; the payload is no longer needed. */
  markDelivered(item: OutboxItem): void {
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE outbox SET state = 'delivered', payload = X'', last_error = NULL WHERE id = ?`)
        .run(item.rowId);
      this.syncMessage(item.messageId);
    })();
  }

  /** The recipient refused it: no retry. */
  markFailed(item: OutboxItem, error: string): void {
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE outbox SET state = 'failed', payload = X'', last_error = ? WHERE id = ?`)
        .run(error, item.rowId);
      this.syncMessage(item.messageId);
    })();
  }

  /** Deposited (sealed) with these holders; retry directly at `nextAttemptAt`. */
  markHeld(item: OutboxItem, holders: string[], nextAttemptAt: number): void {
    const all = [...new Set([...item.depositedWith, ...holders])];
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE outbox SET state = 'held', held_by = ?, deposited_with = ?, attempts = attempts + 1,
             next_attempt_at = ?, last_error = NULL WHERE id = ? AND state != 'delivered'`,
        )
        .run(all[0] ?? null, JSON.stringify(all), nextAttemptAt, item.rowId);
      this.syncMessage(item.messageId);
    })();
  }

  /** Held envelopes queued before this one for the same recipient and conversation, oldest first. */
  heldBefore(item: OutboxItem): OutboxItem[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM outbox WHERE recipient = ? AND conversation_id IS ? AND id < ? AND state = 'held'
         ORDER BY id`,
      )
      .all(item.recipient, item.conversationId, item.rowId) as Row[];
    return rows.map(toItem);
  }

  /** One more holder keeps a copy of a held envelope. */
  addHolder(item: OutboxItem, holder: string): void {
    if (item.depositedWith.includes(holder)) return;
    item.depositedWith.push(holder);
    this.db
      .prepare(`UPDATE outbox SET deposited_with = ? WHERE id = ? AND state = 'held'`)
      .run(JSON.stringify(item.depositedWith), item.rowId);
  }

  /** Not delivered this time; try again at `nextAttemptAt`. */
  reschedule(item: OutboxItem, nextAttemptAt: number, error: string): void {
    this.db
      .prepare(
        `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
         WHERE id = ? AND state != 'delivered'`,
      )
      .run(nextAttemptAt, error, item.rowId);
  }

  /** The recipient just appeared: everything waiting for it is due now. */
  wake(recipient: string, now: number): number {
    return this.db
      .prepare(
        `UPDATE outbox SET next_attempt_at = ? WHERE recipient = ? AND state IN ('pending', 'sent', 'held')`,
      )
      .run(now, recipient).changes;
  }

  /** Envelopes not delivered yet (diagnostics, tests). */
  counts(): Record<OutboxState, number> {
    const out: Record<OutboxState, number> = { pending: 0, sent: 0, held: 0, delivered: 0, failed: 0 };
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM outbox GROUP BY state').all() as {
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
    const rows = this.db
      .prepare('SELECT state, held_by FROM outbox WHERE message_id = ? ORDER BY id')
      .all(messageId) as { state: OutboxState; held_by: string | null }[];
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
