import type { MailboxRepository } from '../store/repositories/mailboxRepository';
import type { Transactor } from '../store/transactor';
import {
  DEFAULT_MAILBOX_LIMITS,
  depositFits,
  grantedTtlMs,
  type DepositStatus,
  type HeldEnvelope,
  type ListOptions,
  type MailboxDeposit,
  type MailboxLimits,
  type MailboxStore,
} from '../net/mailboxStore';

/**
 * The net layer's MailboxStore over the SQLite `mailbox` table (migration
 * 0002, store/repositories/mailboxRepository.ts): what this device holds for
 * its offline contacts survives a restart.
 * Same policy as MemoryMailboxStore (the reference): per-depositor byte and
 * count quotas, a total byte quota, a TTL ceiling, an optional recipient rule.
 * Envelope ids are 16 raw bytes at the API and hex text in the table.
 *
 * better-sqlite3 is synchronous, so each method is one short statement or one
 * transaction: a check-then-insert cannot interleave with another deposit.
 */
export type SqliteMailboxOptions = MailboxLimits;

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export class SqliteMailboxStore implements MailboxStore {
  private readonly options: SqliteMailboxOptions;
  /**
   * Held bytes and items, in all and per depositor, as the database has them
   * (null: not known, read again). Summing `size` over the table on every
   * deposit read every held payload's pages: with 10,000 envelopes held that
   * made each deposit cost milliseconds (bench/net.bench.ts catch-up fill).
   * Kept in step by every write here; dropped when a write fails or an outer
   * transaction it was part of rolled back (`rolledBack()`).
   */
  private totals: { bytes: number; byDepositor: Map<string, { n: number; bytes: number }> } | null = null;

  constructor(
    private readonly mailbox: MailboxRepository,
    private readonly tx: Transactor,
    options: Partial<SqliteMailboxOptions> = {},
  ) {
    this.options = { ...DEFAULT_MAILBOX_LIMITS, ...options };
  }

  /** An outer transaction holding some of our writes rolled back: the kept totals may be wrong. */
  rolledBack(): void {
    this.totals = null;
  }

  private loadTotals(): NonNullable<SqliteMailboxStore['totals']> {
    if (this.totals) return this.totals;
    const rows = this.mailbox.totalsByDepositor();
    const byDepositor = new Map<string, { n: number; bytes: number }>();
    let bytes = 0;
    for (const r of rows) {
      byDepositor.set(r.depositor, { n: r.n, bytes: r.bytes });
      bytes += r.bytes;
    }
    this.totals = { bytes, byDepositor };
    return this.totals;
  }

  /** Runs a write; any failure forgets the totals (the write may be partly undone). */
  private write<T>(fn: () => T): T {
    try {
      return this.tx.run(fn);
    } catch (err) {
      this.totals = null;
      throw err;
    }
  }

  /** Deletes expired envelopes and takes them off the totals. */
  private dropExpired(now: number): number {
    const expired = this.mailbox.expiredByDepositor(now);
    if (expired.length === 0) return 0;
    const removed = this.mailbox.deleteExpired(now);
    if (this.totals) {
      for (const e of expired) this.subtract(e.depositor, e.n, e.bytes);
    }
    return removed;
  }

  private subtract(depositor: string, n: number, bytes: number): void {
    if (!this.totals) return;
    const d = this.totals.byDepositor.get(depositor);
    if (d) {
      d.n -= n;
      d.bytes -= bytes;
      if (d.n <= 0) this.totals.byDepositor.delete(depositor);
    }
    this.totals.bytes -= bytes;
  }

  async deposit(d: MailboxDeposit, now: number): Promise<DepositStatus> {
    if (this.options.acceptsRecipient?.(d.recipient, d.depositor) === false) return 'rejected';
    if (d.ttlSeconds <= 0 || d.payload.length === 0) return 'rejected';
    const envelopeId = hex(d.envelopeId);
    return this.write((): DepositStatus => {
      const expiresAt = this.mailbox.expiresAt(d.recipient, envelopeId);
      if (expiresAt !== null && expiresAt > now) return 'stored';
      // Expired envelopes (this one included) must not count against any quota.
      this.dropExpired(now);
      const totals = this.loadTotals();
      const mine = totals.byDepositor.get(d.depositor) ?? { n: 0, bytes: 0 };
      const size = d.payload.length;
      if (!depositFits(this.options, { bytes: mine.bytes, items: mine.n }, totals.bytes, size)) {
        return 'quota-exceeded';
      }
      this.mailbox.insert({
        envelopeId,
        recipient: d.recipient,
        depositor: d.depositor,
        payload: d.payload,
        receivedAt: now,
        expiresAt: now + grantedTtlMs(this.options, d.ttlSeconds),
      });
      totals.byDepositor.set(d.depositor, { n: mine.n + 1, bytes: mine.bytes + size });
      totals.bytes += size;
      return 'stored';
    });
  }

  async list(
    recipient: string,
    options: ListOptions,
    now: number,
  ): Promise<{ items: HeldEnvelope[]; more: boolean }> {
    // One row more than asked tells whether there is more.
    const rows = this.mailbox.list(recipient, options.after ?? 0, now, options.limit + 1);
    const items: HeldEnvelope[] = [];
    let bytes = 0;
    for (const row of rows) {
      const full =
        items.length >= options.limit || (items.length > 0 && bytes + row.payload.length > options.maxBytes);
      if (full) return { items, more: true };
      items.push({
        envelopeId: new Uint8Array(Buffer.from(row.envelopeId, 'hex')),
        payload: new Uint8Array(row.payload),
        cursor: row.id,
      });
      bytes += row.payload.length;
    }
    return { items, more: false };
  }

  async remove(recipient: string, envelopeIds: Uint8Array[]): Promise<number> {
    return this.write(() => {
      let removed = 0;
      for (const id of envelopeIds) {
        for (const r of this.mailbox.find(recipient, hex(id))) {
          removed += this.mailbox.deleteRow(r.id);
          this.subtract(r.depositor, 1, r.size);
        }
      }
      return removed;
    });
  }

  async sweep(now: number): Promise<number> {
    return this.write(() => this.dropExpired(now));
  }

  /** Envelopes and payload bytes held (diagnostics, tests). */
  stats(): { items: number; bytes: number } {
    return this.mailbox.stats();
  }
}
