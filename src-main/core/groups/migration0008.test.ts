import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../store/migrate';
import { migrations } from '../store/migrations';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';

/** Migration 0008 (store/migrations/0008-group-sequencer.ts) lives with the code that uses it. */
let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

const upTo = (v: number) => migrations.filter((m) => m.version <= v);

describe('migration 0008 (group sequencer)', () => {
  it('keeps group states and adds mls_sequencer, removed with its group', () => {
    t = tempDatabase(upTo(7));
    const db = t.db;
    db.prepare(
      `INSERT INTO conversations (id, kind, name, group_id, created_at, last_activity_at)
       VALUES (1, 'group', 'g', x'01', 0, 0)`,
    ).run();
    db.prepare(
      `INSERT INTO mls_groups (conversation_id, group_id, epoch, state, updated_at) VALUES (1, x'01', 3, x'00', 0)`,
    ).run();
    migrate(db, upTo(8));
    expect(schemaVersion(db)).toBe(8);
    expect(db.prepare('SELECT epoch FROM mls_groups').get()).toEqual({ epoch: 3 });
    db.prepare(
      `INSERT INTO mls_sequencer (conversation_id, meta, log, previous, pending, updated_at)
       VALUES (1, x'7b7d', NULL, NULL, NULL, 0)`,
    ).run();
    // Only for an existing group; STRICT types.
    expect(() =>
      db.prepare('INSERT INTO mls_sequencer (conversation_id, updated_at) VALUES (2, 0)').run(),
    ).toThrow(/FOREIGN KEY/);
    expect(() =>
      db.prepare(`UPDATE mls_sequencer SET updated_at = 'soon' WHERE conversation_id = 1`).run(),
    ).toThrow(/cannot store TEXT/);
    db.prepare('DELETE FROM mls_groups WHERE conversation_id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM mls_sequencer').get()).toEqual({ n: 0 });
  });
});
