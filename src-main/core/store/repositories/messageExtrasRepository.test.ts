import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { MessageExtrasRepository } from './messageExtrasRepository';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

/** A database with two conversations; the first holds `count` messages. */
function seeded(count: number): TempDatabase {
  const d = tempDatabase();
  const db = d.db;
  db.prepare(
    `INSERT INTO conversations (id, kind, created_at, last_activity_at) VALUES (1, 'dm', 0, 0), (2, 'dm', 0, 0)`,
  ).run();
  const insert = db.prepare(
    `INSERT INTO messages (id, conversation_id, uid, sender_key, outgoing, kind, body, sent_at, received_at, state, reply_to_uid)
     VALUES (?, ?, ?, zeroblob(32), 0, 'text', 'hi', ?, ?, 'received', ?)`,
  );
  db.transaction(() => {
    for (let i = 1; i <= count; i++) insert.run(i, 1, `u${i}`, i, i, i % 10 === 0 ? `u${i - 1}` : null);
    insert.run(count + 1, 2, `other`, 1, 1, null);
  })();
  return d;
}

describe('MessageExtrasRepository.links', () => {
  it("returns the page's rows of this conversation only, with their reply targets", () => {
    t = seeded(50);
    const repo = new MessageExtrasRepository(t.db);
    const rows = repo.links(1, [9, 10, 51]);
    expect(rows.map((r) => [r.id, r.replyToUid]).sort()).toEqual([
      [10, 'u9'],
      [9, null],
    ]);
  });

  // Opening a 100k-message conversation waited ~100 ms on this read: SQLite chose the timeline
  // index for `conversation_id = ?` and walked the whole conversation instead of looking up the
  // page's ids (issue 17, "open a 100k conversation").
  it("looks a page's ids up by primary key, not by walking the conversation", () => {
    t = seeded(200);
    const db = t.db;
    const prepared: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as typeof db.prepare;
    const ids = Array.from({ length: 100 }, (_, i) => 101 + i);
    new MessageExtrasRepository(db).links(1, ids);
    const sql = prepared.find((s) => s.includes('reply_to_uid'));
    expect(sql).toBeDefined();
    const plan = (prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1, ...ids) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toContain('INTEGER PRIMARY KEY');
    expect(plan).not.toContain('messages_timeline');
  });
});
