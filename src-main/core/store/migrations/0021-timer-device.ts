import type { Migration } from '../migration';

/**
 * The device that made the disappearing-timer change in effect (issue 18,
 * docs/protocol.md §13.6 "What one device sends"). Migration 0012 orders
 * changes by (stamp, sender identity key); two devices of one person share
 * the identity key, so two changes they make at the same stamp tied and each
 * device kept its own. The sender's PeerId breaks that tie: the pair becomes
 * (stamp, identity key, PeerId), compared alike on every device. NULL for
 * changes applied before this migration (they rank below any named device).
 */
export const migration0021: Migration = {
  version: 21,
  name: 'timer-device',
  up(db) {
    db.exec(`
      ALTER TABLE conversations ADD COLUMN disappear_changed_peer TEXT
        CHECK (disappear_changed_peer IS NULL OR length(disappear_changed_peer) BETWEEN 1 AND 128);
    `);
  },
};
