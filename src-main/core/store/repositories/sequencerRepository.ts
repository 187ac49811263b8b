import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/** The stored parts of a group's sequencer (migration 0008), each null until written. */
export interface SequencerParts {
  meta: Buffer | null;
  log: Buffer | null;
  previous: Buffer | null;
  welcome: Buffer | null;
  pending: Buffer | null;
}

export type SequencerColumn = keyof SequencerParts;

/**
 * `mls_sequencer` (a group sequencer's parts beside the group state,
 * migration 0008) and `mls_unsettled` (sends of an epoch not accepted yet,
 * one row each, migration 0014). Written inside the caller's transaction,
 * with the rows a step produced (groups/groupSequencers.ts).
 */
export class SequencerRepository {
  constructor(private readonly db: Db) {}

  /** Runs `work` in one transaction (nested: a savepoint). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  parts(conversationId: number): SequencerParts | undefined {
    return prepared(
      this.db,
      'SELECT meta, log, previous, welcome, pending FROM mls_sequencer WHERE conversation_id = ?',
    ).get(conversationId) as SequencerParts | undefined;
  }

  /** Conversations whose stored sequencer has work waiting (an epoch not accepted, a held Welcome, queued changes). */
  waiting(): number[] {
    return (
      prepared(
        this.db,
        `SELECT s.conversation_id AS id FROM mls_sequencer s JOIN conversations c ON c.id = s.conversation_id
         WHERE s.previous IS NOT NULL OR s.welcome IS NOT NULL OR s.pending IS NOT NULL
         ORDER BY s.conversation_id`,
      ).all() as { id: number }[]
    ).map((r) => r.id);
  }

  /** Writes the named parts (creating the row if needed). */
  write(
    conversationId: number,
    parts: Partial<Record<SequencerColumn, Uint8Array | null>>,
    now: number,
  ): void {
    prepared(
      this.db,
      'INSERT INTO mls_sequencer (conversation_id, updated_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
    ).run(conversationId, now);
    for (const [column, value] of Object.entries(parts) as [SequencerColumn, Uint8Array | null][]) {
      prepared(
        this.db,
        `UPDATE mls_sequencer SET ${column} = ?, updated_at = ? WHERE conversation_id = ?`,
      ).run(value ? Buffer.from(value) : null, now, conversationId);
    }
  }

  unsettled(conversationId: number): { plaintext: Uint8Array; authenticatedData: Uint8Array }[] {
    return (
      prepared(
        this.db,
        'SELECT plaintext, authenticated_data FROM mls_unsettled WHERE conversation_id = ? ORDER BY seq',
      ).all(conversationId) as { plaintext: Buffer; authenticated_data: Buffer }[]
    ).map((r) => ({
      plaintext: new Uint8Array(r.plaintext),
      authenticatedData: new Uint8Array(r.authenticated_data),
    }));
  }

  unsettledCount(conversationId: number): number {
    return (
      prepared(this.db, 'SELECT count(*) AS n FROM mls_unsettled WHERE conversation_id = ?').get(
        conversationId,
      ) as { n: number }
    ).n;
  }

  clearUnsettled(conversationId: number): void {
    prepared(this.db, 'DELETE FROM mls_unsettled WHERE conversation_id = ?').run(conversationId);
  }

  putUnsettled(
    conversationId: number,
    seq: number,
    send: { plaintext: Uint8Array; authenticatedData: Uint8Array },
  ): void {
    prepared(
      this.db,
      'INSERT OR REPLACE INTO mls_unsettled (conversation_id, seq, plaintext, authenticated_data) VALUES (?, ?, ?, ?)',
    ).run(conversationId, seq, Buffer.from(send.plaintext), Buffer.from(send.authenticatedData));
  }

  /** Own messages sent since this device last refreshed its keys in the group (self-update policy). */
  sentSinceSelfUpdate(conversationId: number): number {
    return (
      prepared(
        this.db,
        `SELECT count(*) AS n FROM messages m JOIN mls_groups g ON g.conversation_id = m.conversation_id
         WHERE m.conversation_id = ? AND m.outgoing = 1 AND m.kind != 'system'
           AND m.sent_at >= coalesce(g.self_updated_at, 0)`,
      ).get(conversationId) as { n: number }
    ).n;
  }
}
