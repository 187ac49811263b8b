import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { migration0010 } from './0010-pending-content';
import { migrations } from './index';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

/** Everything before 0010, whatever other migrations landed in between. */
const before = migrations.filter((m) => m.version < 10);

describe('migration 0010 (pending content)', () => {
  it('keeps messages and adds the pending table, dropped with its conversation', () => {
    t = tempDatabase(before);
    const db = t.db;
    db.prepare(
      "INSERT INTO conversations (id, kind, created_at, last_activity_at) VALUES (1, 'group', 0, 0)",
    ).run();
    db.prepare(
      `INSERT INTO messages (conversation_id, uid, sender_key, outgoing, body, sent_at, received_at, state)
       VALUES (1, 'u1', zeroblob(32), 0, 'hello', 1, 1, 'received')`,
    ).run();
    migrate(db, [...before, migration0010]);
    expect(schemaVersion(db)).toBe(10);
    expect(db.prepare('SELECT body FROM messages').get()).toEqual({ body: 'hello' });
    db.prepare(
      `INSERT INTO pending_content (conversation_id, target_uid, sender_key, content, received_at)
       VALUES (1, 'u2', zeroblob(32), '{}', 5)`,
    ).run();
    expect(() =>
      db
        .prepare(
          `INSERT INTO pending_content (conversation_id, target_uid, sender_key, content, received_at)
           VALUES (1, 'u2', zeroblob(31), '{}', 5)`,
        )
        .run(),
    ).toThrow(/CHECK/);
    db.prepare('DELETE FROM conversations WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM pending_content').get()).toEqual({ n: 0 });
  });
});
