import type { Migration } from '../migration';

/**
 * The self group and what one's own devices tell each other (issue 18,
 * docs/protocol.md §13.6 "The self group"):
 *
 * - `conversations.self_group`: the conversation row of a group of kind
 *   `self` (0xFA01 kind 2). The MLS machinery keys every group by its
 *   conversation row, so the self group has one, but it is never listed,
 *   searched, counted or notified; the column lets every list query leave
 *   it out without reading the MLS state. (`kind` stays 'group': its CHECK
 *   cannot change without rebuilding the table every message refers to.)
 * - `sync_stamps`: the last-writer-wins stamp `(at, peer_id)` of every
 *   synced field (`contact:<hex>:blocked`, `setting:<key>`, …): a change
 *   applies only when its stamp is higher, so devices converge whatever
 *   order the changes arrive in.
 * - `sync_outbox`: sync messages written in the transaction of the change
 *   they describe and sent into the self group afterwards (the send's own
 *   transaction deletes the row), so a change is never lost between the
 *   two, across a crash or while the self group does not exist yet.
 */
export const migration0022: Migration = {
  version: 22,
  name: 'self-group',
  up(db) {
    db.exec(`
      ALTER TABLE conversations ADD COLUMN self_group INTEGER NOT NULL DEFAULT 0 CHECK (self_group IN (0, 1));
      CREATE TABLE sync_stamps (
        key TEXT PRIMARY KEY CHECK (length(key) <= 512),
        at INTEGER NOT NULL CHECK (at >= 0),
        peer_id TEXT NOT NULL CHECK (length(peer_id) BETWEEN 1 AND 128)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE sync_outbox (
        id INTEGER PRIMARY KEY,
        body TEXT NOT NULL CHECK (length(body) <= 16384),
        created_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
