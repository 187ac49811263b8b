import type { Migration } from '../migration';

/**
 * MLS bookkeeping (src-main/core/mls): which suite each KeyPackage is for and
 * when it expires (the pool hands out one of the right suite and rotates old
 * ones), this device's MLS signature key and its certificate, when this
 * device last refreshed its keys in each group (periodic self-update), and
 * the per-message ratchet journal that keeps large groups cheap to persist.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'mls',
  up(db) {
    db.exec(`
      ALTER TABLE key_packages ADD COLUMN ciphersuite INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE key_packages ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX key_packages_available ON key_packages (ciphersuite, last_resort, handed_out_at);

      -- This device's MLS signature key (Ed25519), certified by the identity key.
      CREATE TABLE mls_device (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        peer_id TEXT NOT NULL,
        signature_public BLOB NOT NULL CHECK (length(signature_public) = 32),
        signature_private BLOB NOT NULL,
        credential BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      ALTER TABLE mls_groups ADD COLUMN self_updated_at INTEGER;

      -- Secret-tree nodes changed since mls_groups.state was written: one row
      -- per (epoch, tree node), replacing that node of the stored state. Lets
      -- a message be persisted by writing ~200 bytes instead of the whole state.
      CREATE TABLE mls_ratchets (
        conversation_id INTEGER NOT NULL REFERENCES mls_groups (conversation_id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        node INTEGER NOT NULL,
        state BLOB NOT NULL,
        PRIMARY KEY (conversation_id, epoch, node)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
