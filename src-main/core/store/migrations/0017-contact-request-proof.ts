import type { Migration } from '../migration';

/**
 * Contact requests carry a device certificate (issue #14 item 2): whether the
 * requesting device proved the identity key it claims, and the certificate
 * itself (a later issue chains these into per-person device lists). Pending
 * requests expire and are capped, and answered ones are forgotten after a
 * while (item 4): `answered_at` says when the user answered, and an index
 * serves the oldest-first scans of both.
 */
export const migration0017: Migration = {
  version: 17,
  name: 'contact-request-proof',
  up(db) {
    db.exec(`
      ALTER TABLE contact_requests ADD COLUMN proven INTEGER NOT NULL DEFAULT 0 CHECK (proven IN (0, 1));
      ALTER TABLE contact_requests ADD COLUMN certificate BLOB;
      ALTER TABLE contact_requests ADD COLUMN answered_at INTEGER;
      UPDATE contact_requests SET answered_at = received_at WHERE state != 'pending';
      CREATE INDEX contact_requests_age ON contact_requests (state, received_at);
    `);
  },
};
