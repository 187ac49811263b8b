import type { Migration } from '../migration';

/**
 * Issue 13 (stable, current addresses): the latest signed address record of
 * every device we know (ours included), handed on to mutual contacts on
 * request, the keys of the contacts' LAN beacons (the mDNS announcement only
 * contacts can recognise, docs/protocol.md "Address records"), and when a
 * contact's device was last seen going offline ("offline since").
 */
export const migration0016: Migration = {
  version: 16,
  name: 'address-records',
  up(db) {
    db.exec(`
      -- A libp2p signed peer record (RFC 0003 in a RFC 0002 envelope), kept as received
      -- so it can be passed on and checked again by whoever gets it; seq orders them.
      CREATE TABLE address_records (
        peer_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL CHECK (seq >= 0),
        envelope BLOB NOT NULL,
        received_at INTEGER NOT NULL
      ) STRICT;

      -- A contact device's current LAN beacon key (32 bytes, given to us by that device).
      CREATE TABLE lan_beacon_keys (
        peer_id TEXT PRIMARY KEY,
        key BLOB NOT NULL CHECK (length(key) = 32),
        received_at INTEGER NOT NULL
      ) STRICT;

      -- The devices our own current beacon key was given to: once one of them is no
      -- longer a contact (removed, blocked), the key is replaced.
      CREATE TABLE lan_beacon_given (
        peer_id TEXT PRIMARY KEY
      ) STRICT, WITHOUT ROWID;

      -- When this device stopped being online to us (it was, then its connection went or we
      -- stopped); NULL when never seen online (an invisible contact only ever reports a bucket).
      ALTER TABLE devices ADD COLUMN offline_since INTEGER;
    `);
  },
};
