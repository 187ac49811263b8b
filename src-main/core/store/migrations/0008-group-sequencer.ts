import type { Migration } from '../migration';

/**
 * What a group's GroupSequencer (mls/sequencer.ts, docs/protocol.md §10)
 * keeps besides the current state, which stays in `mls_groups` (+ its ratchet
 * journal, so a message still costs one small write). Four parts, each
 * rewritten only when it changed, in the transaction that changed it:
 *
 *  - `meta`: applied commit, acceptance time, rivals, unsettled sends
 *    (plaintext: this is the encrypted database), held messages;
 *  - `log`: the recent commits handed to members coming back online;
 *  - `previous`: the state before the last commit, while it can still lose;
 *  - `welcome`: the Welcome held until that commit is accepted, with its
 *    ratchet tree and recipients (large: apart, so sends in the window do
 *    not rewrite it).
 *
 * `pending` is messaging's own per-group bookkeeping (messaging/
 * groupSequencers.ts): changes waiting for the epoch to be accepted, and
 * group messages to hand a new member together with its Welcome.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'group-sequencer',
  up(db) {
    db.exec(`
      CREATE TABLE mls_sequencer (
        conversation_id INTEGER PRIMARY KEY REFERENCES mls_groups (conversation_id) ON DELETE CASCADE,
        meta BLOB,
        log BLOB,
        previous BLOB,
        welcome BLOB,
        pending BLOB,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
