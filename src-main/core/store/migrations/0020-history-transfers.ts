import type { Migration } from '../migration';

/**
 * History transfers to and from a newly linked device (issue 18,
 * docs/protocol.md §13.7), both sides in one table:
 *
 * - `role = 'send'` (on E): the transfer granted to `peer_id`, its key, the
 *   stream header once the stream file (`.history-<id>.stream`) is written;
 *   served while `state` is 'ready', GONE after `expires_at` (24 hours).
 * - `role = 'receive'` (on N): the device it comes from, its key, the header
 *   and the manifest (with the snapshot key: here, in the encrypted database,
 *   never in a file), and `next_chunk`, recorded only after every byte before
 *   it was fsynced (as file downloads do, §12), so a restart resumes there.
 *
 * `k_history` is the 32-byte key from the link exchange (§13.5).
 */
export const migration0020: Migration = {
  version: 20,
  name: 'history-transfers',
  up(db) {
    db.exec(`
      CREATE TABLE history_transfers (
        transfer_id BLOB PRIMARY KEY CHECK (length(transfer_id) = 16),
        role TEXT NOT NULL CHECK (role IN ('send', 'receive')),
        peer_id TEXT NOT NULL,
        k_history BLOB NOT NULL CHECK (length(k_history) = 32),
        header BLOB CHECK (header IS NULL OR length(header) = 51),
        manifest TEXT,
        database_start INTEGER,
        next_chunk INTEGER NOT NULL DEFAULT 0 CHECK (next_chunk >= 0),
        bytes_done INTEGER NOT NULL DEFAULT 0,
        with_files INTEGER NOT NULL DEFAULT 1 CHECK (with_files IN (0, 1)),
        state TEXT NOT NULL CHECK (state IN ('preparing', 'ready', 'receiving', 'importing', 'files', 'done', 'failed', 'gone')),
        error TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
