import type { Migration } from '../migration';

/**
 * Two write paths that grew with history (found by bench/net.bench.ts):
 *
 * - A member's sends in an epoch not accepted yet are kept to re-encrypt
 *   after a switch (docs/protocol.md §10). They lived inside
 *   mls_sequencer.meta, rewritten whole on every send: after a self-update
 *   (which opens a 60 s window) a run of n sends cost O(n²) and throughput
 *   fell to a third. They now get a row each, appended as they are sent and
 *   deleted together when the epoch settles.
 * - Outbox.syncMessage recomputes a message's state from its envelopes on
 *   every change and scanned the whole outbox to find them.
 */
export const migration0014: Migration = {
  version: 14,
  name: 'unsettled-sends',
  up(db) {
    db.exec(`
      CREATE TABLE mls_unsettled (
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL CHECK (seq >= 0),
        plaintext BLOB NOT NULL,
        authenticated_data BLOB NOT NULL,
        PRIMARY KEY (conversation_id, seq)
      ) STRICT, WITHOUT ROWID;

      CREATE INDEX outbox_message ON outbox (message_id) WHERE message_id IS NOT NULL;
    `);
  },
};
