import type { Migration } from '../migration';

/** The identity of this install and a key/value settings table. */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        display_name TEXT NOT NULL,
        -- Ed25519 identity key: raw 32-byte public key, PKCS#8 DER private key.
        public_key BLOB NOT NULL CHECK (length(public_key) = 32),
        private_key BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `);
  },
};
