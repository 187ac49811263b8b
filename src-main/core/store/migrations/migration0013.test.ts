import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { migration0013 } from './0013-read-receipt-index';
import { migrations } from './index';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

const before = migrations.filter((m) => m.version < 13);

describe('migration 0013 (read-receipt index)', () => {
  it('keeps messages, and recordRead walks only unread outgoing messages through the new index', () => {
    t = tempDatabase(before);
    const db = t.db;
    db.prepare(
      `INSERT INTO conversations (id, kind, created_at, last_activity_at) VALUES (1, 'dm', 0, 0)`,
    ).run();
    db.prepare(
      `INSERT INTO messages (id, conversation_id, uid, sender_key, outgoing, kind, body, sent_at, received_at, state)
       VALUES (1, 1, 'u1', zeroblob(32), 1, 'text', 'hi', 1, 1, 'delivered')`,
    ).run();
    migrate(db, [...before, migration0013]);
    expect(schemaVersion(db)).toBe(13);
    expect(db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 1 });
    const plan = (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT id FROM messages
           WHERE conversation_id = ? AND outgoing = 1 AND deleted_at IS NULL AND (sent_at, id) <= (?, ?)
             AND state IN ('pending', 'sent', 'held', 'delivered')`,
        )
        .all(1, 5, 5) as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toContain('messages_unread_out');
  });
});
