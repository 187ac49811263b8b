import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/** Held envelopes counted by who deposited them. */
export interface DepositorTotal {
  depositor: string;
  n: number;
  bytes: number;
}

/** A held envelope as listed for its recipient. */
export interface HeldRow {
  id: number;
  /** Hex. */
  envelopeId: string;
  payload: Buffer;
}

/**
 * What this device holds for offline contacts (`mailbox`, migration 0002):
 * store-and-forward envelopes by recipient, with who deposited them, their
 * size and expiry. Envelope ids are hex text here. The quotas are
 * delivery/sqliteMailboxStore.ts; these statements are prepared once per
 * connection (prepared.ts), as deposits come in bursts.
 */
export class MailboxRepository {
  constructor(private readonly db: Db) {}

  totalsByDepositor(): DepositorTotal[] {
    return prepared(
      this.db,
      'SELECT depositor, count(*) AS n, coalesce(sum(size), 0) AS bytes FROM mailbox GROUP BY depositor',
    ).all() as DepositorTotal[];
  }

  /** Envelopes expired by `now`, counted by depositor (usually none). */
  expiredByDepositor(now: number): DepositorTotal[] {
    return prepared(
      this.db,
      // The expiry index finds the (usually zero) expired rows; grouping by
      // depositor must not make SQLite walk the depositor index instead.
      `SELECT depositor, count(*) AS n, coalesce(sum(size), 0) AS bytes FROM mailbox INDEXED BY mailbox_expiry
       WHERE expires_at <= ? GROUP BY depositor`,
    ).all(now) as DepositorTotal[];
  }

  /** Drops everything held for a device (its person's list removed it, docs/protocol.md §13.8). */
  deleteForRecipient(recipient: string): number {
    return prepared(this.db, 'DELETE FROM mailbox WHERE recipient = ?').run(recipient).changes;
  }

  deleteExpired(now: number): number {
    return prepared(this.db, 'DELETE FROM mailbox WHERE expires_at <= ?').run(now).changes;
  }

  /** When a held envelope expires, or null when it is not held. */
  expiresAt(recipient: string, envelopeId: string): number | null {
    const row = prepared(
      this.db,
      'SELECT expires_at FROM mailbox WHERE recipient = ? AND envelope_id = ?',
    ).get(recipient, envelopeId) as { expires_at: number } | undefined;
    return row?.expires_at ?? null;
  }

  insert(e: {
    envelopeId: string;
    recipient: string;
    depositor: string;
    payload: Uint8Array;
    receivedAt: number;
    expiresAt: number;
  }): void {
    prepared(
      this.db,
      `INSERT INTO mailbox (envelope_id, recipient, depositor, payload, size, received_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      e.envelopeId,
      e.recipient,
      e.depositor,
      Buffer.from(e.payload),
      e.payload.length,
      e.receivedAt,
      e.expiresAt,
    );
  }

  /** Up to `limit` envelopes held for `recipient` after cursor `after`, unexpired at `now`, oldest first. */
  list(recipient: string, after: number, now: number, limit: number): HeldRow[] {
    return (
      this.db
        .prepare(
          `SELECT id, envelope_id, payload FROM mailbox
           WHERE recipient = ? AND id > ? AND expires_at > ? ORDER BY id LIMIT ?`,
        )
        .all(recipient, after, now, limit) as { id: number; envelope_id: string; payload: Buffer }[]
    ).map((r) => ({ id: r.id, envelopeId: r.envelope_id, payload: r.payload }));
  }

  /** The rows holding one envelope for a recipient (normally one). */
  find(recipient: string, envelopeId: string): { id: number; depositor: string; size: number }[] {
    return prepared(
      this.db,
      'SELECT id, depositor, size FROM mailbox WHERE recipient = ? AND envelope_id = ?',
    ).all(recipient, envelopeId) as { id: number; depositor: string; size: number }[];
  }

  deleteRow(id: number): number {
    return prepared(this.db, 'DELETE FROM mailbox WHERE id = ?').run(id).changes;
  }

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
