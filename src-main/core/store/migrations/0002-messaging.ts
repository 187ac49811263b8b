import type { Migration } from '../migration';

/**
 * Everything a conversation needs at rest. Users are named by their 32-byte
 * Ed25519 identity key, devices by their libp2p PeerId. Times are Unix ms.
 * Triggers keep each conversation's activity, last message and unread count
 * right whatever writes the rows (live traffic, bulk import, restore).
 */
export const migration0002: Migration = {
  version: 2,
  name: 'messaging',
  up(db) {
    db.exec(`
      CREATE TABLE devices (
        peer_id TEXT PRIMARY KEY,
        identity_key BLOB NOT NULL CHECK (length(identity_key) = 32),
        -- The identity key's signature over this device key (device certification).
        certificate BLOB,
        name TEXT,
        is_self INTEGER NOT NULL DEFAULT 0 CHECK (is_self IN (0, 1)),
        -- JSON array of multiaddrs this device was last reachable at.
        addresses TEXT NOT NULL DEFAULT '[]',
        last_seen_at INTEGER,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX devices_identity ON devices (identity_key);

      CREATE TABLE contacts (
        id INTEGER PRIMARY KEY,
        identity_key BLOB NOT NULL UNIQUE CHECK (length(identity_key) = 32),
        display_name TEXT NOT NULL,
        local_name TEXT,
        status_text TEXT,
        avatar BLOB,
        profile_version INTEGER NOT NULL DEFAULT 0,
        verified_at INTEGER,
        blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
        -- We hold store-and-forward envelopes for this contact.
        relay_for INTEGER NOT NULL DEFAULT 1 CHECK (relay_for IN (0, 1)),
        -- Trust on first use: the key we knew before a change, for the key-change alert.
        previous_identity_key BLOB,
        key_changed_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('dm', 'group')),
        -- The MLS group id; NULL until the group exists.
        group_id BLOB UNIQUE,
        name TEXT,
        -- The other person of a DM.
        contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
        ciphersuite INTEGER,
        created_at INTEGER NOT NULL,
        last_activity_at INTEGER NOT NULL,
        last_message_id INTEGER,
        last_read_message_id INTEGER NOT NULL DEFAULT 0,
        unread_count INTEGER NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
        disappear_after_ms INTEGER CHECK (disappear_after_ms IS NULL OR disappear_after_ms > 0),
        notify TEXT NOT NULL DEFAULT 'all' CHECK (notify IN ('all', 'mentions', 'muted')),
        archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
        left_at INTEGER
      ) STRICT;
      CREATE INDEX conversations_activity ON conversations (last_activity_at DESC, id DESC);

      CREATE TABLE members (
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        identity_key BLOB NOT NULL CHECK (length(identity_key) = 32),
        role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, identity_key)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        -- The id every member's copy shares (edits, replies, reactions and receipts name it).
        uid TEXT NOT NULL UNIQUE,
        sender_key BLOB NOT NULL CHECK (length(sender_key) = 32),
        outgoing INTEGER NOT NULL CHECK (outgoing IN (0, 1)),
        kind TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'file', 'system')),
        -- NULL once deleted for everyone; the row stays as a "deleted" marker.
        body TEXT,
        reply_to_uid TEXT,
        -- JSON array of mentioned identity keys (hex).
        mentions TEXT,
        -- Timeline position: the sender's clock, clamped to when we received it.
        sent_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        edited_at INTEGER,
        deleted_at INTEGER,
        expires_at INTEGER,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'held', 'delivered', 'read', 'received', 'failed')),
        held_by TEXT,
        has_file INTEGER NOT NULL DEFAULT 0 CHECK (has_file IN (0, 1))
      ) STRICT;
      CREATE INDEX messages_timeline ON messages (conversation_id, sent_at, id);
      CREATE INDEX messages_expiry ON messages (expires_at) WHERE expires_at IS NOT NULL;
      CREATE INDEX messages_sender ON messages (sender_key);

      CREATE TABLE message_edits (
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        -- The text before this edit, and when it was replaced.
        replaced_at INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (message_id, replaced_at)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE reactions (
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        reactor_key BLOB NOT NULL CHECK (length(reactor_key) = 32),
        emoji TEXT NOT NULL CHECK (length(emoji) BETWEEN 1 AND 32),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, reactor_key, emoji)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE receipts (
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        member_key BLOB NOT NULL CHECK (length(member_key) = 32),
        state TEXT NOT NULL CHECK (state IN ('delivered', 'read')),
        at INTEGER NOT NULL,
        PRIMARY KEY (message_id, member_key)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        mime TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        sha256 BLOB NOT NULL CHECK (length(sha256) = 32),
        -- The per-file key carried in the MLS message.
        file_key BLOB NOT NULL,
        -- Relative to the profile's attachments folder; NULL until bytes exist on disk.
        path TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending', 'transferring', 'complete', 'failed', 'cancelled')),
        transferred INTEGER NOT NULL DEFAULT 0,
        width INTEGER,
        height INTEGER,
        thumbnail BLOB,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX attachments_message ON attachments (message_id);

      CREATE TABLE mls_groups (
        conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        group_id BLOB NOT NULL UNIQUE,
        epoch INTEGER NOT NULL,
        state BLOB NOT NULL,
        -- The state before the last commit, kept for a bounded time so a member
        -- that applied the losing one of two concurrent commits can switch.
        previous_epoch INTEGER,
        previous_state BLOB,
        previous_kept_until INTEGER,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE mls_commits (
        group_id BLOB NOT NULL,
        epoch INTEGER NOT NULL,
        message BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (group_id, epoch)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE key_packages (
        id INTEGER PRIMARY KEY,
        ref BLOB NOT NULL UNIQUE,
        key_package BLOB NOT NULL,
        -- Wiped (NULL) once used; the last-resort package keeps its key.
        private_keys BLOB,
        last_resort INTEGER NOT NULL DEFAULT 0 CHECK (last_resort IN (0, 1)),
        created_at INTEGER NOT NULL,
        handed_out_at INTEGER,
        consumed_at INTEGER
      ) STRICT;

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        envelope_id TEXT NOT NULL UNIQUE,
        conversation_id INTEGER REFERENCES conversations (id) ON DELETE CASCADE,
        message_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
        recipient TEXT NOT NULL,
        payload BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'held', 'delivered', 'failed')),
        held_by TEXT,
        last_error TEXT
      ) STRICT;
      CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

      CREATE TABLE mailbox (
        id INTEGER PRIMARY KEY,
        envelope_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        depositor TEXT NOT NULL,
        payload BLOB NOT NULL,
        size INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        UNIQUE (recipient, envelope_id)
      ) STRICT;
      CREATE INDEX mailbox_expiry ON mailbox (expires_at);
      CREATE INDEX mailbox_depositor ON mailbox (depositor);

      -- Envelope ids already processed: duplicate suppression for at-least-once delivery.
      CREATE TABLE seen_envelopes (
        envelope_id TEXT PRIMARY KEY,
        seen_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TRIGGER messages_activity AFTER INSERT ON messages BEGIN
        UPDATE conversations SET
          last_activity_at = max(last_activity_at, NEW.sent_at),
          last_message_id = CASE
            WHEN last_message_id IS NULL THEN NEW.id
            WHEN NEW.sent_at >= (SELECT sent_at FROM messages WHERE id = last_message_id) THEN NEW.id
            ELSE last_message_id END,
          unread_count = unread_count + (NEW.outgoing = 0 AND NEW.kind != 'system')
        WHERE id = NEW.conversation_id;
      END;

      CREATE TRIGGER messages_unread_on_delete AFTER DELETE ON messages
      WHEN OLD.outgoing = 0 AND OLD.kind != 'system' BEGIN
        UPDATE conversations SET unread_count = max(unread_count - 1, 0)
        WHERE id = OLD.conversation_id AND OLD.id > last_read_message_id;
      END;

      CREATE TRIGGER messages_last_on_delete AFTER DELETE ON messages BEGIN
        UPDATE conversations SET last_message_id = (
          SELECT id FROM messages WHERE conversation_id = OLD.conversation_id ORDER BY sent_at DESC, id DESC LIMIT 1
        ) WHERE id = OLD.conversation_id AND last_message_id = OLD.id;
      END;
    `);
  },
};
