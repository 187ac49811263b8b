import type { Migration } from '../migration';

/**
 * Which disappearing-timer change is in effect (content/timers.ts). MLS
 * orders commits but not application messages across senders, and a change
 * can arrive a day late from a mailbox; applying changes in arrival order
 * would leave devices disagreeing about the timer. Each change carries a
 * Lamport-style stamp (the sender's clock, raised above every change it has
 * seen); every device keeps the greatest (stamp, sender key) it applied and
 * ignores anything older, so all converge on the same setting.
 */
export const migration0012: Migration = {
  version: 12,
  name: 'timer-order',
  up(db) {
    db.exec(`
      ALTER TABLE conversations ADD COLUMN disappear_changed_at INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE conversations ADD COLUMN disappear_changed_by BLOB
        CHECK (disappear_changed_by IS NULL OR length(disappear_changed_by) = 32);
    `);
  },
};
