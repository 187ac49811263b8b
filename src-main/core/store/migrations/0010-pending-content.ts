import type { Migration } from '../migration';

/**
 * Rich content (reactions, edits, deletes, read receipts) that names a
 * message this device does not have yet. Messages reach a member from each
 * sender in order, but not in order ACROSS senders: Bob can react to Ada's
 * message before Ada's message, held by a mailbox, reaches Cy. Dropping the
 * reaction would lose it for good (Bob never sends it again), so it waits
 * here until its target arrives (content/richContent.ts applies it then),
 * bounded per conversation and in time so a hostile member cannot fill the
 * disk with content for messages that never come.
 */
export const migration0010: Migration = {
  version: 10,
  name: 'pending-content',
  up(db) {
    db.exec(`
      CREATE TABLE pending_content (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        -- The message uid the content is waiting for.
        target_uid TEXT NOT NULL,
        -- Who sent it (MLS-authenticated when it arrived).
        sender_key BLOB NOT NULL CHECK (length(sender_key) = 32),
        -- The validated content, JSON (content/content.ts).
        content TEXT NOT NULL CHECK (length(content) <= 65536),
        received_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX pending_content_target ON pending_content (target_uid);
      CREATE INDEX pending_content_conversation ON pending_content (conversation_id, id);
    `);
  },
};
