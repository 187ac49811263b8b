import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { migration0014 } from './0014-unsettled-sends';
import { migrations } from './index';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

const before = migrations.filter((m) => m.version < 14);

describe('migration 0014 (unsettled sends, outbox by message)', () => {
  it('keeps outbox rows, adds the unsettled table (cascading with its conversation) and the index', () => {
    t = tempDatabase(before);
    const db = t.db;
    db.prepare(
      `INSERT INTO conversations (id, kind, created_at, last_activity_at) VALUES (1, 'dm', 0, 0)`,
    ).run();
    const outboxBefore = db.prepare('SELECT count(*) AS n FROM outbox').get();
    migrate(db, [...before, migration0014]);
    expect(schemaVersion(db)).toBe(14);
    expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual(outboxBefore);
    db.prepare(
      `INSERT INTO mls_unsettled (conversation_id, seq, plaintext, authenticated_data) VALUES (1, 0, x'01', x'')`,
    ).run();
    db.prepare('DELETE FROM conversations WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM mls_unsettled').get()).toEqual({ n: 0 });
    const plan = (
      db.prepare('EXPLAIN QUERY PLAN SELECT state FROM outbox WHERE message_id = ?').all(5) as {
        detail: string;
      }[]
    )
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toContain('outbox_message');
  });
});
