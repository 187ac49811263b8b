import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/** One stored secret-tree node of a group's ratchet journal. */
export interface StoredRatchet {
  epoch: number;
  node: number;
  state: Buffer;
}

/**
 * MLS group states at rest (`mls_groups`: one serialized state per
 * conversation) and the ratchet journal over it (`mls_ratchets`: secret-tree
 * nodes written since the last whole state). What the bytes mean, and when a
 * journal is enough, is mls/mlsStore.ts; these statements run on the message
 * hot path, so they are prepared once per connection (prepared.ts).
 */
export class MlsGroupRepository {
  constructor(private readonly db: Db) {}

  /** The stored whole state of a conversation's group, or null. */
  state(conversationId: number): Buffer | null {
    const row = prepared(this.db, 'SELECT state FROM mls_groups WHERE conversation_id = ?').get(
      conversationId,
    ) as { state: Buffer } | undefined;
    return row?.state ?? null;
  }

  /** The ratchet journal written over the stored state. */
  journal(conversationId: number): StoredRatchet[] {
    return prepared(this.db, 'SELECT epoch, node, state FROM mls_ratchets WHERE conversation_id = ?').all(
      conversationId,
    ) as StoredRatchet[];
  }

  conversationOf(groupId: Uint8Array): number | null {
    const row = prepared(this.db, 'SELECT conversation_id FROM mls_groups WHERE group_id = ?').get(
      groupId,
    ) as { conversation_id: number } | undefined;
    return row?.conversation_id ?? null;
  }

  groupIdOf(conversationId: number): Buffer | null {
    const row = prepared(this.db, 'SELECT group_id FROM mls_groups WHERE conversation_id = ?').get(
      conversationId,
    ) as { group_id: Buffer } | undefined;
    return row?.group_id ?? null;
  }

  /** The epoch of the stored whole state, or null. */
  epochOf(conversationId: number): number | null {
    const row = prepared(this.db, 'SELECT epoch FROM mls_groups WHERE conversation_id = ?').get(
      conversationId,
    ) as { epoch: number } | undefined;
    return row?.epoch ?? null;
  }

  /** Writes a whole state and clears the journal over it. `refreshed`: it carried our new keys (self-update time). */
  putState(s: {
    conversationId: number;
    groupId: Buffer;
    epoch: number;
    state: Uint8Array;
    now: number;
    refreshed: boolean;
  }): void {
    prepared(
      this.db,
      `INSERT INTO mls_groups (conversation_id, group_id, epoch, state, updated_at, self_updated_at)
         VALUES (@conversationId, @groupId, @epoch, @state, @now, CASE WHEN @refreshed THEN @now END)
         ON CONFLICT (conversation_id) DO UPDATE SET
           epoch = excluded.epoch, state = excluded.state, updated_at = excluded.updated_at,
           self_updated_at = CASE WHEN @refreshed THEN @now ELSE mls_groups.self_updated_at END`,
    ).run({ ...s, refreshed: s.refreshed ? 1 : 0 });
    prepared(this.db, 'DELETE FROM mls_ratchets WHERE conversation_id = ?').run(s.conversationId);
  }

  /** Writes changed secret-tree nodes, per epoch, over the stored state. */
  putRatchets(conversationId: number, delta: ReadonlyMap<bigint, ReadonlyMap<number, Uint8Array>>): void {
    const upsert = prepared(
      this.db,
      `INSERT INTO mls_ratchets (conversation_id, epoch, node, state) VALUES (?, ?, ?, ?)
       ON CONFLICT (conversation_id, epoch, node) DO UPDATE SET state = excluded.state`,
    );
    for (const [epoch, nodes] of delta) {
      for (const [node, bytes] of nodes) upsert.run(conversationId, epoch, node, bytes);
    }
  }

  /** Conversations whose own keys were last refreshed at or before `before`, oldest first. */
  refreshedBefore(before: number): number[] {
    const rows = prepared(
      this.db,
      `SELECT conversation_id FROM mls_groups
         WHERE coalesce(self_updated_at, 0) <= ? ORDER BY coalesce(self_updated_at, 0)`,
    ).all(before) as { conversation_id: number }[];
    return rows.map((r) => r.conversation_id);
  }

  /** Bytes at rest for a group: the stored state and the ratchet journal. */
  sizeOf(conversationId: number): { state: number; journal: number; journalRows: number } {
    const s = prepared(this.db, 'SELECT length(state) AS n FROM mls_groups WHERE conversation_id = ?').get(
      conversationId,
    ) as { n: number } | undefined;
    const j = prepared(
      this.db,
      'SELECT coalesce(sum(length(state)), 0) AS n, count(*) AS rows FROM mls_ratchets WHERE conversation_id = ?',
    ).get(conversationId) as { n: number; rows: number };
    return { state: s?.n ?? 0, journal: j.n, journalRows: j.rows };
  }
}
