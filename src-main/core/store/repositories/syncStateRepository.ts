import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/** A last-writer-wins stamp (docs/protocol.md §13.6): higher `at` wins, then the higher PeerId. */
export interface SyncStamp {
  at: number;
  peerId: string;
}

/** A sync message waiting to be sent into the self group (migration 0022). */
export interface PendingSync {
  id: number;
  body: string;
}

/**
 * What one's own devices tell each other (issue 18, §13.6 "The self group"):
 * the stamps of synced fields and the sync messages not sent yet. The rules
 * (which stamp wins, what a message may say) are content/selfSync.ts's.
 */
export class SyncStateRepository {
  constructor(private readonly db: Db) {}

  stamp(key: string): SyncStamp | null {
    const r = prepared(this.db, 'SELECT at, peer_id FROM sync_stamps WHERE key = ?').get(key) as
      { at: number; peer_id: string } | undefined;
    return r ? { at: r.at, peerId: r.peer_id } : null;
  }

  setStamp(key: string, stamp: SyncStamp): void {
    prepared(
      this.db,
      `INSERT INTO sync_stamps (key, at, peer_id) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET at = excluded.at, peer_id = excluded.peer_id`,
    ).run(key, stamp.at, stamp.peerId);
  }

  /** The highest `at` seen, ours or another device's: the Lamport clock's floor. */
  highestAt(): number {
    const r = prepared(this.db, 'SELECT coalesce(max(at), 0) AS at FROM sync_stamps').get() as { at: number };
    return r.at;
  }

  enqueue(body: string, now: number): void {
    prepared(this.db, 'INSERT INTO sync_outbox (body, created_at) VALUES (?, ?)').run(body, now);
  }

  pending(limit = 64): PendingSync[] {
    return prepared(this.db, 'SELECT id, body FROM sync_outbox ORDER BY id LIMIT ?').all(
      limit,
    ) as PendingSync[];
  }

  pendingCount(): number {
    return (prepared(this.db, 'SELECT count(*) AS n FROM sync_outbox').get() as { n: number }).n;
  }

  sent(id: number): void {
    prepared(this.db, 'DELETE FROM sync_outbox WHERE id = ?').run(id);
  }
}
