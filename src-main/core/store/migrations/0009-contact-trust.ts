import type { Migration } from '../migration';

/**
 * Contact trust (issue #4): a key change waiting for the user's decision and
 * removal.
 *
 * Trust on first use (docs/threat-model.md, "Key changes"): a contact's
 * device PeerId that shows up with a different identity key is never rebound
 * silently. The new key and the device that presented it wait here until the
 * user accepts them (then previous_identity_key / key_changed_at record the
 * move) or dismisses them.
 *
 * Removal hides a contact without deleting the row: the DM's history keeps
 * its sender names, and the conversation's contact_id stays valid.
 */
export const migration0009: Migration = {
  version: 9,
  name: 'contact-trust',
  up(db) {
    db.exec(`
      ALTER TABLE contacts ADD COLUMN pending_identity_key BLOB
        CHECK (pending_identity_key IS NULL OR length(pending_identity_key) = 32);
      ALTER TABLE contacts ADD COLUMN pending_peer_id TEXT;
      ALTER TABLE contacts ADD COLUMN pending_key_at INTEGER;
      ALTER TABLE contacts ADD COLUMN removed_at INTEGER;
    `);
  },
};
