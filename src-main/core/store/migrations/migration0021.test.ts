import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { migration0021 } from './0021-timer-device';
import { migrations } from './index';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

/** Everything before 0021, whatever other migrations landed in between. */
const before = migrations.filter((m) => m.version < 21);

describe('migration 0021 (timer device)', () => {
  it('keeps the change in effect, names no device for it, and checks the PeerId column', () => {
    t = tempDatabase(before);
    const db = t.db;
    db.prepare(
      `INSERT INTO conversations (id, kind, created_at, last_activity_at, disappear_after_ms,
         disappear_changed_at, disappear_changed_by)
       VALUES (1, 'dm', 0, 0, 60000, 7, zeroblob(32))`,
    ).run();
    migrate(db, [...before, migration0021]);
    expect(schemaVersion(db)).toBe(21);
    expect(
      db
        .prepare(
          `SELECT disappear_after_ms AS ms, disappear_changed_at AS at, length(disappear_changed_by) AS by,
             disappear_changed_peer AS peer FROM conversations`,
        )
        .get(),
    ).toEqual({ ms: 60000, at: 7, by: 32, peer: null });
    db.prepare("UPDATE conversations SET disappear_changed_peer = '12D3KooWexample'").run();
    expect(() => db.prepare("UPDATE conversations SET disappear_changed_peer = ''").run()).toThrow(/CHECK/);
    expect(() =>
      db.prepare('UPDATE conversations SET disappear_changed_peer = ?').run('x'.repeat(129)),
    ).toThrow(/CHECK/);
  });
});
