import type { Migration } from '../migration';

/**
 * Delivery and messaging bookkeeping (src-main/core/delivery, messaging):
 * this device's network key and seal key pair (so the PeerId and the key
 * contacts seal to survive restarts), each known device's seal public key
 * and the relays it told us about, one-time invite tokens, contact requests
 * from strangers, and an index that serves the outbox's per-conversation order.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'delivery',
  up(db) {
    db.exec(`
      CREATE TABLE device_secrets (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        -- libp2p Ed25519 private key (protobuf): the PeerId.
        device_key BLOB NOT NULL,
        -- X-Wing seal key pair for store-and-forward envelopes.
        seal_secret BLOB NOT NULL CHECK (length(seal_secret) = 32),
        seal_public BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      ALTER TABLE devices ADD COLUMN seal_public BLOB;

      -- The relays a device announced (its profile frame): where to deposit for it.
      CREATE TABLE device_relays (
        peer_id TEXT NOT NULL,
        relay_peer_id TEXT NOT NULL,
        PRIMARY KEY (peer_id, relay_peer_id)
      ) STRICT, WITHOUT ROWID;

      -- One-time invite tokens we handed out; only their SHA-256 is kept.
      CREATE TABLE invites (
        token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
        used_by TEXT
      ) STRICT, WITHOUT ROWID;

      -- Contact requests from peers without a valid invite token: the user decides.
      CREATE TABLE contact_requests (
        id INTEGER PRIMARY KEY,
        peer_id TEXT NOT NULL UNIQUE,
        identity_key BLOB NOT NULL CHECK (length(identity_key) = 32),
        display_name TEXT NOT NULL,
        message TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined'))
      ) STRICT;

      -- Holders an envelope was deposited with (JSON array of PeerIds).
      ALTER TABLE outbox ADD COLUMN deposited_with TEXT;
      CREATE INDEX outbox_queue ON outbox (recipient, conversation_id, id);
      CREATE INDEX mailbox_recipient ON mailbox (recipient, id);
    `);
  },
};
