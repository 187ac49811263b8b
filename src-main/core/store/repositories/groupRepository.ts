import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/**
 * What group code reads and writes of a conversation beside its MLS state:
 * whether this user left, the group's name, its change log's rows for an
 * epoch, when its keys were last refreshed (self-update policy), and which
 * conversations are open.
 */
export class GroupRepository {
  constructor(private readonly db: Db) {}

  /** When this user left the conversation (or was removed), or null. */
  leftAt(conversationId: number): number | null {
    const r = prepared(this.db, 'SELECT left_at FROM conversations WHERE id = ?').get(conversationId) as
      { left_at: number | null } | undefined;
    return r?.left_at ?? null;
  }

  /** The conversation's kind and whether it was left; undefined when there is no such conversation. */
  standing(conversationId: number): { kind: 'dm' | 'group'; leftAt: number | null } | undefined {
    const r = prepared(this.db, 'SELECT kind, left_at FROM conversations WHERE id = ?').get(
      conversationId,
    ) as { kind: 'dm' | 'group'; left_at: number | null } | undefined;
    return r ? { kind: r.kind, leftAt: r.left_at } : undefined;
  }

  setName(conversationId: number, name: string): void {
    prepared(this.db, 'UPDATE conversations SET name = ? WHERE id = ? AND name IS NOT ?').run(
      name,
      conversationId,
      name,
    );
  }

  /** Marks every conversation left (this device was removed from its person's devices, §13.8). */
  markAllLeft(now: number): number {
    return prepared(this.db, 'UPDATE conversations SET left_at = ? WHERE left_at IS NULL').run(now).changes;
  }

  /** Marks the conversation left (the first time counts). */
  markLeft(conversationId: number, now: number): void {
    prepared(this.db, 'UPDATE conversations SET left_at = coalesce(left_at, ?) WHERE id = ?').run(
      now,
      conversationId,
    );
  }

  /** Deletes the change-log rows written for a commit at `epoch` (it lost to another). */
  dropChangeLog(conversationId: number, epoch: number): void {
    prepared(
      this.db,
      `DELETE FROM messages WHERE conversation_id = ? AND kind = 'system' AND uid LIKE ?`,
    ).run(conversationId, `sys:${conversationId}:${epoch}:%`);
  }

  /** When this device's keys in the group were last refreshed by a path (its creation if never). */
  keysRefreshedAt(conversationId: number): number | undefined {
    const r = prepared(
      this.db,
      `SELECT coalesce(g.self_updated_at, c.created_at) AS refreshed FROM mls_groups g
       JOIN conversations c ON c.id = g.conversation_id WHERE g.conversation_id = ?`,
    ).get(conversationId) as { refreshed: number } | undefined;
    return r?.refreshed;
  }

  /** Open conversations whose keys were last refreshed at or before `before`. */
  dueForSelfUpdate(before: number): number[] {
    return (
      prepared(
        this.db,
        `SELECT g.conversation_id AS id FROM mls_groups g JOIN conversations c ON c.id = g.conversation_id
         WHERE c.left_at IS NULL AND coalesce(g.self_updated_at, c.created_at) <= ?`,
      ).all(before) as { id: number }[]
    ).map((r) => r.id);
  }

  /** Conversations with a group state that were not left, in id order. */
  open(): number[] {
    return (
      prepared(
        this.db,
        `SELECT c.id FROM conversations c JOIN mls_groups g ON g.conversation_id = c.id
         WHERE c.left_at IS NULL ORDER BY c.id`,
      ).all() as { id: number }[]
    ).map((r) => r.id);
  }

  /** The open DM with a contact, or null. */
  openDmWith(contactId: number): number | null {
    const r = prepared(
      this.db,
      `SELECT id FROM conversations WHERE kind = 'dm' AND contact_id = ? AND left_at IS NULL`,
    ).get(contactId) as { id: number } | undefined;
    return r?.id ?? null;
  }
}
