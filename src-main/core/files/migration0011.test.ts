import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../store/migrate';
import { migrations } from '../store/migrations';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';

/** Migration 0011 (store/migrations/0011-file-transfers.ts) lives with the code that uses it. */
let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

const before = migrations.filter((m) => m.version < 11);
const upTo11 = migrations.filter((m) => m.version <= 11);

describe('migration 0011 (file transfers)', () => {
  it('keeps attachment rows and adds chunking, source and error with safe defaults', () => {
    t = tempDatabase(before);
    const db = t.db;
    db.prepare(
      `INSERT INTO conversations (id, kind, created_at, last_activity_at) VALUES (1, 'dm', 0, 0)`,
    ).run();
    db.prepare(
      `INSERT INTO messages (id, conversation_id, uid, sender_key, outgoing, kind, body, sent_at, received_at, state, has_file)
       VALUES (1, 1, 'u1', zeroblob(32), 0, 'file', 'a.txt', 0, 0, 'received', 1)`,
    ).run();
    db.prepare(
      `INSERT INTO attachments (message_id, name, mime, size, sha256, file_key, state, created_at)
       VALUES (1, 'a.txt', 'text/plain', 5, zeroblob(32), zeroblob(32), 'pending', 0)`,
    ).run();
    migrate(db, upTo11);
    expect(schemaVersion(db)).toBe(11);
    expect(
      db.prepare('SELECT name, state, chunk_size, chunk_count, source_peer, error FROM attachments').get(),
    ).toEqual({
      name: 'a.txt',
      state: 'pending',
      chunk_size: 262144,
      chunk_count: 1,
      source_peer: null,
      error: null,
    });
    expect(() => db.prepare('UPDATE attachments SET chunk_size = 0').run()).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE attachments SET chunk_count = -1').run()).toThrow(/CHECK/);
  });
});
