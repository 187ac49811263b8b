import type { Migration } from '../migration';

/**
 * Several devices per person (issue 18, docs/protocol.md §13.3, §13.4,
 * §13.11): every person's hash-chained device list as this profile accepted
 * it, the devices those lists name, and evidence of forks.
 *
 * - `device_list_entries`: the verified entries, one row per (person, seq);
 *   `hash` is SHA-256 of `entry`, so the head is the row with the largest seq.
 * - `device_list_devices`: what the lists say of each device, kept with the
 *   entries in one transaction. PeerId and MLS signature key are unique over
 *   all lists: that is rule 5 of §13.3 ("a device claimed by someone else's
 *   chain is refused"), enforced by the verifier and backed by the index.
 *   The `devices` table keeps its job (how to reach a device, presence); a
 *   listed device of a contact gets no `devices` row here, so nothing starts
 *   talking to it before §13.6 (every device a member) says how.
 * - `device_list_forks`: two validly signed entries at one seq of one person's
 *   list: the one we hold, the other version's entries from there on, who
 *   showed it and when; `resolved_at` once the user chose.
 */
export const migration0019: Migration = {
  version: 19,
  name: 'device-lists',
  up(db) {
    db.exec(`
      CREATE TABLE device_list_entries (
        identity_key BLOB NOT NULL CHECK (length(identity_key) = 32),
        seq INTEGER NOT NULL CHECK (seq >= 0 AND seq < 1024),
        entry BLOB NOT NULL CHECK (length(entry) <= 1024),
        hash BLOB NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (identity_key, seq)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE device_list_devices (
        peer_id TEXT PRIMARY KEY,
        identity_key BLOB NOT NULL CHECK (length(identity_key) = 32),
        mls_signature_key BLOB NOT NULL UNIQUE CHECK (length(mls_signature_key) = 32),
        platform TEXT NOT NULL CHECK (platform IN ('other', 'linux', 'macos', 'windows', 'cli')),
        added_seq INTEGER NOT NULL,
        linked_at INTEGER NOT NULL,
        removed_seq INTEGER,
        removed_at INTEGER,
        remove_reason TEXT CHECK (remove_reason IN ('removed', 'replaced', 'unlinked')),
        -- The name one's own devices go by (§13.10); NULL for contacts' devices.
        name TEXT
      ) STRICT;
      CREATE INDEX device_list_devices_person ON device_list_devices (identity_key, added_seq);

      CREATE TABLE device_list_forks (
        id INTEGER PRIMARY KEY,
        identity_key BLOB NOT NULL CHECK (length(identity_key) = 32),
        seq INTEGER NOT NULL,
        -- Our entry at seq, and the other version's entries from seq on (u16 length, entry; repeated).
        ours BLOB NOT NULL,
        theirs BLOB NOT NULL,
        told_by TEXT,
        seen_at INTEGER NOT NULL,
        resolved_at INTEGER
      ) STRICT;
      CREATE UNIQUE INDEX device_list_forks_open ON device_list_forks (identity_key, seq)
        WHERE resolved_at IS NULL;
    `);
  },
};
