import type { Migration } from '../migration';

/**
 * A read receipt marks every outgoing message up to a cursor as read
 * (MessageRepository.recordRead), inside the transaction that receives it.
 * Without an index it walked the conversation's whole timeline: ~30 ms per
 * receipt at 100k messages, growing with history. This partial index holds
 * only outgoing messages still waiting to be read, so the walk touches just
 * those (0.1–0.3 ms measured), and it stays small: a message leaves it once
 * read. Its WHERE is written exactly like the queries' terms so that SQLite
 * can prove they imply it (https://sqlite.org/partialindex.html §2).
 */
export const migration0013: Migration = {
  version: 13,
  name: 'read-receipt-index',
  up(db) {
    db.exec(`
      CREATE INDEX messages_unread_out ON messages (conversation_id, sent_at, id)
        WHERE outgoing = 1 AND state IN ('pending', 'sent', 'held', 'delivered');
    `);
  },
};
