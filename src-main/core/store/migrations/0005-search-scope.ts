import type { Migration } from '../migration';

/** Tokens naming a message's conversation and sender, indexed beside its words. */
const SCOPE = (r: 'NEW' | 'OLD') =>
  `'c' || ${r}.conversation_id || ' s' || lower(hex(substr(${r}.sender_key, 1, 8)))`;

/**
 * Adds a `scope` column to the search index holding `c<conversation id>` and
 * `s<first 8 bytes of the sender key, hex>`, so `in:` and `from:` are
 * intersected inside FTS5 (`body : (…) AND scope : ("c17")`) instead of by
 * reading the message row of every match: a common word in a small scope over
 * a million messages read thousands of rows (45–75 ms, `npm run bench store`)
 * against a 10 ms budget. User terms are always confined to `body`.
 *
 * An FTS5 external-content table reads column values by name from its content
 * table, so the content is a view that computes `scope`. The index is rebuilt
 * from the rows (about 11 s per million messages).
 */
export const migration0005: Migration = {
  version: 5,
  name: 'search-scope',
  up(db) {
    db.exec(`
      DROP TRIGGER messages_fts_insert;
      DROP TRIGGER messages_fts_delete;
      DROP TRIGGER messages_fts_update;
      DROP TABLE messages_fts;

      CREATE VIEW messages_fts_source AS
        SELECT id, body, 'c' || conversation_id || ' s' || lower(hex(substr(sender_key, 1, 8))) AS scope
        FROM messages;

      CREATE VIRTUAL TABLE messages_fts USING fts5(
        body,
        scope,
        content = 'messages_fts_source',
        content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
      );
      INSERT INTO messages_fts (messages_fts, rank) VALUES ('secure-delete', 1);

      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
      WHEN NEW.body IS NOT NULL AND NEW.deleted_at IS NULL BEGIN
        INSERT INTO messages_fts (rowid, body, scope) VALUES (NEW.id, NEW.body, ${SCOPE('NEW')});
      END;

      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
      WHEN OLD.body IS NOT NULL AND OLD.deleted_at IS NULL BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body, scope) VALUES ('delete', OLD.id, OLD.body, ${SCOPE('OLD')});
      END;

      CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, deleted_at ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body, scope)
          SELECT 'delete', OLD.id, OLD.body, ${SCOPE('OLD')} WHERE OLD.body IS NOT NULL AND OLD.deleted_at IS NULL;
        INSERT INTO messages_fts (rowid, body, scope)
          SELECT NEW.id, NEW.body, ${SCOPE('NEW')} WHERE NEW.body IS NOT NULL AND NEW.deleted_at IS NULL;
      END;

      INSERT INTO messages_fts (rowid, body, scope)
        SELECT id, body, scope FROM messages_fts_source
        WHERE id IN (SELECT id FROM messages WHERE body IS NOT NULL AND deleted_at IS NULL);
    `);
  },
};

/** The scope tokens of a conversation and of a sender, as the index holds them. */
export function conversationScopeToken(conversationId: number): string {
  return `c${conversationId}`;
}
export function senderScopeToken(senderKey: Buffer): string {
  return `s${senderKey.subarray(0, 8).toString('hex')}`;
}
