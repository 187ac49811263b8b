import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { migration0012 } from './0012-timer-order';
import { migrations } from './index';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

/** Everything before 0012, whatever other migrations landed in between. */
const before = migrations.filter((m) => m.version < 12);

describe('migration 0012 (timer order)', () => {
  it('keeps conversations and their timers; no change is in effect yet; the sender key is checked', () => {
    t = tempDatabase(before);
    const db = t.db;
    db.prepare(
      `INSERT INTO conversations (id, kind, created_at, last_activity_at, disappear_after_ms)
       VALUES (1, 'dm', 0, 0, 60000)`,
    ).run();
    migrate(db, [...before, migration0012]);
    expect(schemaVersion(db)).toBe(12);
    expect(
      db
        .prepare(
          'SELECT disappear_after_ms AS ms, disappear_changed_at AS at, disappear_changed_by AS by FROM conversations',
        )
        .get(),
    ).toEqual({ ms: 60000, at: 0, by: null });
    db.prepare(
      'UPDATE conversations SET disappear_changed_at = 5, disappear_changed_by = zeroblob(32)',
    ).run();
    expect(() => db.prepare('UPDATE conversations SET disappear_changed_by = zeroblob(31)').run()).toThrow(
      /CHECK/,
    );
  });
});
