import type { Migration } from '../migration';

/**
 * What a resumable, chunked file transfer needs beyond migration 0002's
 * `attachments` row (core/files, docs/protocol.md "Files"): how the file is
 * cut (chunk size and count, both from the MLS message, so a receiver can
 * resume at a chunk boundary after a restart), which device to fetch it from
 * first (the sender's), and why it failed, in words for the user. `transferred`
 * (0002) stays the count of verified plaintext bytes.
 */
export const migration0011: Migration = {
  version: 11,
  name: 'file-transfers',
  up(db) {
    db.exec(`
      ALTER TABLE attachments ADD COLUMN chunk_size INTEGER NOT NULL DEFAULT 262144 CHECK (chunk_size > 0);
      ALTER TABLE attachments ADD COLUMN chunk_count INTEGER NOT NULL DEFAULT 1 CHECK (chunk_count > 0);
      ALTER TABLE attachments ADD COLUMN source_peer TEXT;
      ALTER TABLE attachments ADD COLUMN error TEXT;
      CREATE INDEX attachments_state ON attachments (state) WHERE state IN ('pending', 'transferring');
    `);
  },
};
