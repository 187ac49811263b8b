import { randomBytes } from 'node:crypto';
import type { ProfileRepositories } from '../store/profileRepositories';
import type { NewEnvelope, OutboxItem, OutboxState } from '../store/repositories/outboxRepository';
import type { MessageState } from '../store/repositories/types';

export type { NewEnvelope, OutboxItem, OutboxState } from '../store/repositories/outboxRepository';
export { envelopeHex } from '../store/repositories/outboxRepository';

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
 *
 * These are delivery's rules; the SQL is OutboxRepository's
 * (store/repositories/outboxRepository.ts, statements compiled once).
 */

/** What the outbox writes through: its rows, the message states, transactions and the durability barrier. */
export type OutboxStore = Pick<ProfileRepositories, 'outbox' | 'messages' | 'tx' | 'durability'>;

/** Rows a prune pass deletes per transaction (keeps each transaction short). */
const PRUNE_CHUNK = 2_000;
/** Chunks per prune() call: bounded, the next sweep continues. */
const PRUNE_MAX_CHUNKS = 50;

export class Outbox {
  constructor(
    private readonly store: OutboxStore,
    private readonly now: () => number = Date.now,
    /**
     * A device nothing is queued for: one its person's device list removed
     * (docs/protocol.md §13.8 step 3). Its leaf may stay in a group until the
     * Remove commit arrives; what is sent meanwhile does not go to it.
     */
    private readonly refuses: (recipient: string) => boolean = () => false,
  ) {}

  private get rows(): OutboxStore['outbox'] {
    return this.store.outbox;
  }

  /** Queues an envelope (inside the caller's transaction, if any); returns its id. */
  enqueue(e: NewEnvelope): Uint8Array {
    const envelopeId = e.envelopeId ?? new Uint8Array(randomBytes(16));
    if (!this.refuses(e.recipient)) this.rows.insert({ ...e, envelopeId }, this.now());
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
    const heads = new Map<number, OutboxItem>();
    for (const q of this.rows.dueQueues(now)) {
      const oldest = this.rows.oldestOpen(q);
      if (oldest === null) continue;
      if (oldest.nextAttemptAt <= now) heads.set(oldest.rowId, oldest);
      if (oldest.state === 'held') {
        const pending = this.rows.oldestPending(q);
        if (pending !== null && pending.nextAttemptAt <= now) heads.set(pending.rowId, pending);
      }
    }
    return [...heads.values()].sort((a, b) => a.rowId - b.rowId).slice(0, limit);
  }

  /** When the next envelope becomes due, or null when nothing is waiting. */
  nextDueAt(): number | null {
    return this.rows.nextDueAt();
  }

  get(envelopeId: Uint8Array): OutboxItem | null {
    return this.rows.get(envelopeId);
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
    // Not waiting for the disk (store/durability.ts): an ack lost to a power
    // failure only makes the envelope go once more, and the recipient answers
    // 'duplicate'.
    this.store.durability.lazy(() =>
      this.store.tx.run(() => {
        const messages = new Set<number>();
        for (const o of outcomes) {
          if (o.outcome === 'delivered') this.rows.setDelivered(o.item.rowId);
          else this.rows.setFailed(o.item.rowId, o.error);
          if (o.item.messageId !== null) messages.add(o.item.messageId);
        }
        for (const id of messages) this.syncMessage(id);
      }),
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
    return this.rows.dueAfter(head, head.rowId, now, limit);
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
      const oldest = this.rows.oldestOpen(head);
      if (oldest !== null && oldest.rowId < head.rowId) {
        const upTo = this.rows.openBetween(head, oldest.rowId, head.rowId, limit);
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
    let total = 0;
    for (let i = 0; i < PRUNE_MAX_CHUNKS; i++) {
      const n = this.store.tx.run(() => this.rows.pruneSettled(PRUNE_CHUNK));
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
    this.store.durability.lazy(() =>
      this.store.tx.run(() => {
        const oldest = this.rows.oldestOpen(item);
        const at =
          oldest !== null && oldest.rowId !== item.rowId && oldest.state === 'held'
            ? Math.max(nextAttemptAt, oldest.nextAttemptAt)
            : nextAttemptAt;
        this.rows.setHeld(item.rowId, all, at);
        this.syncMessage(item.messageId);
      }),
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
    this.store.tx.run(() => {
      this.reschedule(head, nextAttemptAt, error);
      this.rows.postponeBehind(head, head.rowId, state, nextAttemptAt);
    });
  }

  /**
   * Held envelopes queued before this one for the same recipient and
   * conversation, oldest first; with `notWith`, only those not yet deposited
   * with that holder (filtered in SQL: a long held queue is not loaded) and
   * queued after `afterRowId` (what the caller knows that holder has).
   */
  heldBefore(item: OutboxItem, notWith?: string, afterRowId = 0): OutboxItem[] {
    return notWith === undefined
      ? this.rows.heldBefore(item, item.rowId)
      : this.rows.heldNotWith(item, notWith, afterRowId, item.rowId);
  }

  /** One more holder keeps a copy of a held envelope. */
  addHolder(item: OutboxItem, holder: string): void {
    if (item.depositedWith.includes(holder)) return;
    item.depositedWith.push(holder);
    this.rows.setDepositedWith(item.rowId, item.depositedWith);
  }

  /** Not delivered this time; try again at `nextAttemptAt`. */
  reschedule(item: OutboxItem, nextAttemptAt: number, error: string): void {
    this.rows.reschedule(item.rowId, nextAttemptAt, error);
  }

  /** The recipient just appeared: everything waiting for it is due now. */
  wake(recipient: string, now: number): number {
    return this.rows.wake(recipient, now);
  }

  /** Envelopes not delivered yet (diagnostics, tests). */
  counts(): Record<OutboxState, number> {
    return this.rows.counts();
  }

  /**
   * A message goes to every device of every other member; its state is the
   * least advanced of its envelopes: delivered when all are, held when all
   * are at least held, sent when some device acked, failed when all failed.
   */
  private syncMessage(messageId: number | null): void {
    if (messageId === null) return;
    const rows = this.rows.statesOfMessage(messageId);
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
      heldBy = rows.find((r) => r.state === 'held')?.heldBy ?? null;
    } else if (delivered > 0) state = 'sent';
    if (state) this.store.messages.setState(messageId, state, heldBy);
  }
}
