import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/** Rich content kept until the message it names arrives (migration 0010). */
export interface PendingContentRow {
  id: number;
  conversationId: number;
  senderKey: Buffer;
  /** The content as JSON, parsed again by its reader. */
  content: string;
}

/**
 * `pending_content`: reactions, edits, deletes and receipts that arrived
 * before their target message (another sender, another holder), applied
 * when it comes (content/richContent.ts). Bounded per conversation and aged
 * out by the caller's limits.
 */
export class PendingContentRepository {
  constructor(private readonly db: Db) {}

  /** What waits for the message `targetUid`, in arrival order. */
  forTarget(targetUid: string): PendingContentRow[] {
    return (
      prepared(
        this.db,
        'SELECT id, conversation_id, sender_key, content FROM pending_content WHERE target_uid = ? ORDER BY id',
      ).all(targetUid) as { id: number; conversation_id: number; sender_key: Buffer; content: string }[]
    ).map((r) => ({
      id: r.id,
      conversationId: r.conversation_id,
      senderKey: r.sender_key,
      content: r.content,
    }));
  }

  dropForTarget(targetUid: string): void {
    prepared(this.db, 'DELETE FROM pending_content WHERE target_uid = ?').run(targetUid);
  }

  /** Drops what a conversation kept since before `before`. */
  dropOlder(conversationId: number, before: number): void {
    prepared(this.db, 'DELETE FROM pending_content WHERE conversation_id = ? AND received_at < ?').run(
      conversationId,
      before,
    );
  }

  count(conversationId: number): number {
    return (
      prepared(this.db, 'SELECT count(*) AS n FROM pending_content WHERE conversation_id = ?').get(
        conversationId,
      ) as { n: number }
    ).n;
  }

  /** Drops the conversation's `n` oldest. */
  dropOldest(conversationId: number, n: number): void {
    prepared(
      this.db,
      `DELETE FROM pending_content WHERE id IN (
         SELECT id FROM pending_content WHERE conversation_id = ? ORDER BY id LIMIT ?)`,
    ).run(conversationId, n);
  }

  add(conversationId: number, targetUid: string, senderKey: Buffer, content: string, now: number): void {
    prepared(
      this.db,
      `INSERT INTO pending_content (conversation_id, target_uid, sender_key, content, received_at)
       VALUES (?, ?, ?, ?, ?)`,
    ).run(conversationId, targetUid, senderKey, content, now);
  }
}
