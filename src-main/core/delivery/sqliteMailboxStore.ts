import type { Db } from '../store/encryptedDatabase';
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
 * 0002): what this device holds for its offline contacts survives a restart.
 * Same policy as MemoryMailboxStore (the reference): per-depositor byte and
 * count quotas, a total byte quota, a TTL ceiling, an optional recipient rule.
 * Envelope ids are 16 raw bytes at the API and hex text in the table.
 *
 * better-sqlite3 is synchronous, so each method is one short statement or one
 * transaction: a check-then-insert cannot interleave with another deposit.
 */
export type SqliteMailboxOptions = MailboxLimits;

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

interface ListRow {
  id: number;
  envelope_id: string;
  payload: Buffer;
}

export class SqliteMailboxStore implements MailboxStore {
  private readonly options: SqliteMailboxOptions;

  constructor(
    private readonly db: Db,
    options: Partial<SqliteMailboxOptions> = {},
  ) {
    this.options = { ...DEFAULT_MAILBOX_LIMITS, ...options };
  }

  async deposit(d: MailboxDeposit, now: number): Promise<DepositStatus> {
    if (this.options.acceptsRecipient?.(d.recipient, d.depositor) === false) return 'rejected';
    if (d.ttlSeconds <= 0 || d.payload.length === 0) return 'rejected';
    const envelopeId = hex(d.envelopeId);
    return this.db.transaction((): DepositStatus => {
      const existing = this.db
        .prepare('SELECT expires_at FROM mailbox WHERE recipient = ? AND envelope_id = ?')
        .get(d.recipient, envelopeId) as { expires_at: number } | undefined;
      if (existing && existing.expires_at > now) return 'stored';
      // Expired envelopes (this one included) must not count against any quota.
      this.db.prepare('DELETE FROM mailbox WHERE expires_at <= ?').run(now);
      const mine = this.db
        .prepare('SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM mailbox WHERE depositor = ?')
        .get(d.depositor) as { n: number; bytes: number };
      const total = this.db.prepare('SELECT coalesce(sum(size), 0) AS bytes FROM mailbox').get() as {
        bytes: number;
      };
      const size = d.payload.length;
      if (!depositFits(this.options, { bytes: mine.bytes, items: mine.n }, total.bytes, size)) {
        return 'quota-exceeded';
      }
      this.db
        .prepare(
          `INSERT INTO mailbox (envelope_id, recipient, depositor, payload, size, received_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          envelopeId,
          d.recipient,
          d.depositor,
          Buffer.from(d.payload),
          size,
          now,
          now + grantedTtlMs(this.options, d.ttlSeconds),
        );
      return 'stored';
    })();
  }

  async list(
    recipient: string,
    options: ListOptions,
    now: number,
  ): Promise<{ items: HeldEnvelope[]; more: boolean }> {
    // One row more than asked tells whether there is more.
    const rows = this.db
      .prepare(
        `SELECT id, envelope_id, payload FROM mailbox
         WHERE recipient = ? AND id > ? AND expires_at > ? ORDER BY id LIMIT ?`,
      )
      .all(recipient, options.after ?? 0, now, options.limit + 1) as ListRow[];
    const items: HeldEnvelope[] = [];
    let bytes = 0;
    for (const row of rows) {
      const full =
        items.length >= options.limit || (items.length > 0 && bytes + row.payload.length > options.maxBytes);
      if (full) return { items, more: true };
      items.push({
        envelopeId: new Uint8Array(Buffer.from(row.envelope_id, 'hex')),
        payload: new Uint8Array(row.payload),
        cursor: row.id,
      });
      bytes += row.payload.length;
    }
    return { items, more: false };
  }

  async remove(recipient: string, envelopeIds: Uint8Array[]): Promise<number> {
    const del = this.db.prepare('DELETE FROM mailbox WHERE recipient = ? AND envelope_id = ?');
    return this.db.transaction(() => {
      let removed = 0;
      for (const id of envelopeIds) removed += del.run(recipient, hex(id)).changes;
      return removed;
    })();
  }

  async sweep(now: number): Promise<number> {
    return this.db.prepare('DELETE FROM mailbox WHERE expires_at <= ?').run(now).changes;
  }

  /** Envelopes and payload bytes held (diagnostics, tests). */
  stats(): { items: number; bytes: number } {
    const r = this.db
      .prepare('SELECT count(*) AS items, coalesce(sum(size), 0) AS bytes FROM mailbox')
      .get() as {
      items: number;
      bytes: number;
    };
    return { items: r.items, bytes: r.bytes };
  }
}
