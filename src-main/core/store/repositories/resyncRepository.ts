import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/**
 * What a restored profile needs to rejoin its groups (groups/resync.ts):
 * the conversations waiting for a rejoin (settings key `mls.resync_pending`,
 * JSON `[{ "id": conversationId, "groupId": hex }]`, also read by the home
 * list, conversationRepository.ts), the PeerId the profile had before, the
 * group states it drops, and whom to ask for a GroupInfo.
 */
const PENDING_KEY = 'mls.resync_pending';
/** The PeerId this profile had before it was restored (its old leaf's device). */
const PREVIOUS_PEER_KEY = 'device.previous_peer_id';

export interface PendingGroup {
  id: number;
  groupId: string;
}

function isPendingGroup(v: unknown): v is PendingGroup {
  if (typeof v !== 'object' || v === null) return false;
  const g = v as { id?: unknown; groupId?: unknown };
  return Number.isInteger(g.id) && typeof g.groupId === 'string' && /^([0-9a-f]{2})+$/.test(g.groupId);
}

export class ResyncRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** The conversations waiting for a rejoin (damaged entries skipped). */
  pending(): PendingGroup[] {
    const row = prepared(this.db, 'SELECT value FROM settings WHERE key = ?').get(PENDING_KEY) as
      { value: string } | undefined;
    if (!row) return [];
    try {
      const parsed: unknown = JSON.parse(row.value);
      return Array.isArray(parsed) ? parsed.filter(isPendingGroup) : [];
    } catch {
      return [];
    }
  }

  /** Replaces the list (one entry per conversation, in id order; none: the key goes). */
  setPending(groups: readonly PendingGroup[]): void {
    const byId = new Map(groups.map((g) => [g.id, g]));
    if (byId.size === 0) this.db.prepare('DELETE FROM settings WHERE key = ?').run(PENDING_KEY);
    else {
      this.db
        .prepare(
          'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        )
        .run(PENDING_KEY, JSON.stringify([...byId.values()].sort((a, b) => a.id - b.id)));
    }
  }

  previousPeerId(): string | null {
    const row = prepared(this.db, 'SELECT value FROM settings WHERE key = ?').get(PREVIOUS_PEER_KEY) as
      { value: string } | undefined;
    return row?.value ?? null;
  }

  setPreviousPeerId(peerId: string): void {
    this.db
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(PREVIOUS_PEER_KEY, peerId);
  }

  /** Every conversation with a group state, and its group id (hex). */
  groupStates(): PendingGroup[] {
    return (
      this.db
        .prepare('SELECT conversation_id AS id, group_id FROM mls_groups ORDER BY conversation_id')
        .all() as {
        id: number;
        group_id: Buffer;
      }[]
    ).map((r) => ({ id: r.id, groupId: r.group_id.toString('hex') }));
  }

  groupIdOf(conversationId: number): Buffer | undefined {
    const r = this.db
      .prepare('SELECT group_id FROM mls_groups WHERE conversation_id = ?')
      .get(conversationId) as { group_id: Buffer } | undefined;
    return r?.group_id;
  }

  /** Deletes every group state and the sequencers' bookkeeping (tables a restored archive may lack). */
  dropAllGroupStates(): void {
    this.db.prepare('DELETE FROM mls_groups').run();
    if (this.hasTable('mls_sequencer')) this.db.prepare('DELETE FROM mls_sequencer').run();
    if (this.hasTable('mls_unsettled')) this.db.prepare('DELETE FROM mls_unsettled').run();
  }

  /** Deletes a conversation's sequencer bookkeeping (it belonged to the state a rejoin replaced). */
  dropSequencer(conversationId: number): void {
    if (this.hasTable('mls_sequencer')) {
      this.db.prepare('DELETE FROM mls_sequencer WHERE conversation_id = ?').run(conversationId);
    }
    if (this.hasTable('mls_unsettled')) {
      this.db.prepare('DELETE FROM mls_unsettled WHERE conversation_id = ?').run(conversationId);
    }
  }

  isBlocked(identityKey: Uint8Array): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM contacts WHERE identity_key = ? AND blocked = 1')
        .get(Buffer.from(identityKey)) !== undefined
    );
  }

  /** Devices of the conversation's other users, most recently seen first (at most 16). */
  otherMembersDevices(conversationId: number, self: Uint8Array): string[] {
    return (
      this.db
        .prepare(
          `SELECT d.peer_id FROM members m JOIN devices d ON d.identity_key = m.identity_key
           WHERE m.conversation_id = ? AND m.identity_key != ?
           ORDER BY coalesce(d.last_seen_at, 0) DESC, d.peer_id LIMIT 16`,
        )
        .all(conversationId, Buffer.from(self)) as { peer_id: string }[]
    ).map((r) => r.peer_id);
  }

  /** Restore runs on archives made before a table existed (older schema versions). */
  private hasTable(name: string): boolean {
    return (
      this.db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(name) !== undefined
    );
  }
}
