import type { Migration } from '../migration';

/**
 * One row that store/durability.ts rewrites to make earlier commits durable.
 * Commits that nothing outside this device has seen yet (a sent message
 * waiting in the outbox, an ack recorded) are made without waiting for the
 * disk; before anything that depends on them leaves the device, one small
 * write to this row is committed with synchronous = FULL, whose fsync of the
 * write-ahead log covers every frame written before it.
 */
export const migration0015: Migration = {
  version: 15,
  name: 'durability-mark',
  up(db) {
    db.exec(`
      CREATE TABLE durability_mark (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        n INTEGER NOT NULL
      ) STRICT;
      INSERT INTO durability_mark (id, n) VALUES (1, 0);
    `);
  },
};
