import type { Migration } from '../migration';

/**
 * Full-text index over message bodies: an FTS5 external-content table (the
 * text lives once, in messages) kept exact by triggers.
 * - unicode61 with remove_diacritics 2 folds "café" and "cafe" together,
 *   including characters with several diacritics.
 * - prefix indexes for 2 and 3 characters make short `prefix*` queries cheap.
 * - secure-delete removes a deleted row's terms from the index at once, instead
 *   of leaving them behind a delete marker until the next merge: deleted and
 *   disappearing messages leave no trace in the index.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'search-index',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE messages_fts USING fts5(
        body,
        content = 'messages',
        content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
      );
      INSERT INTO messages_fts (messages_fts, rank) VALUES ('secure-delete', 1);

      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
      WHEN NEW.body IS NOT NULL AND NEW.deleted_at IS NULL BEGIN
        INSERT INTO messages_fts (rowid, body) VALUES (NEW.id, NEW.body);
      END;

      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
      WHEN OLD.body IS NOT NULL AND OLD.deleted_at IS NULL BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', OLD.id, OLD.body);
      END;

      CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, deleted_at ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body)
          SELECT 'delete', OLD.id, OLD.body WHERE OLD.body IS NOT NULL AND OLD.deleted_at IS NULL;
        INSERT INTO messages_fts (rowid, body)
          SELECT NEW.id, NEW.body WHERE NEW.body IS NOT NULL AND NEW.deleted_at IS NULL;
      END;

      -- Existing rows (a profile upgraded from schema 2).
      INSERT INTO messages_fts (rowid, body)
        SELECT id, body FROM messages WHERE body IS NOT NULL AND deleted_at IS NULL;
    `);
  },
};
