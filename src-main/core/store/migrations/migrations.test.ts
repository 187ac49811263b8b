import { afterEach, describe, expect, it } from 'vitest';
import { isParleyError } from '../../errors';
import { migrate, schemaVersion } from '../migrate';
import type { Migration } from '../migration';
import { ADA, ME, insertIdentity, tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { migrations } from '.';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

const upTo = (v: number) => migrations.filter((m) => m.version <= v);
const tables = (t: TempDatabase) =>
  (
    t.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as Array<{
      name: string;
    }>
  ).map((r) => r.name);

describe('migrations', () => {
  it('are numbered 1..n in order, one per file', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('0001 creates identity and settings as STRICT tables', () => {
    t = tempDatabase(upTo(1));
    expect(schemaVersion(t.db)).toBe(1);
    insertIdentity(t.db);
    // STRICT: a type that cannot be converted losslessly is refused instead of stored as is.
    expect(() => t!.db.prepare("INSERT INTO settings (key, value) VALUES ('k', x'00ff')").run()).toThrow(
      /cannot store BLOB/,
    );
  });

  it('0002 keeps version-1 rows and adds the messaging tables with working triggers', () => {
    t = tempDatabase(upTo(1));
    insertIdentity(t.db, 'Fixture');
    t.db.prepare("INSERT INTO settings (key, value) VALUES ('theme', 'dark')").run();
    migrate(t.db, upTo(2));
    expect(schemaVersion(t.db)).toBe(2);
    expect(t.db.prepare('SELECT display_name FROM identity').get()).toEqual({ display_name: 'Fixture' });
    expect(t.db.prepare('SELECT value FROM settings').get()).toEqual({ value: 'dark' });
    for (const table of [
      'contacts',
      'conversations',
      'members',
      'messages',
      'message_edits',
      'reactions',
      'receipts',
      'attachments',
      'mls_groups',
      'mls_commits',
      'key_packages',
      'outbox',
      'mailbox',
      'devices',
      'seen_envelopes',
    ]) {
      expect(tables(t)).toContain(table);
    }
    t.db
      .prepare(
        "INSERT INTO conversations (id, kind, name, created_at, last_activity_at) VALUES (1, 'group', 'G', 0, 0)",
      )
      .run();
    t.db
      .prepare(
        "INSERT INTO messages (conversation_id, uid, sender_key, outgoing, body, sent_at, received_at, state) VALUES (1, 'u1', ?, 0, 'hi', 50, 50, 'received')",
      )
      .run(ADA);
    expect(
      t.db.prepare('SELECT last_activity_at, unread_count, last_message_id FROM conversations').get(),
    ).toEqual({
      last_activity_at: 50,
      unread_count: 1,
      last_message_id: 1,
    });
  });

  it('0003 indexes the messages that existed before it and every later change', () => {
    t = tempDatabase(upTo(2));
    insertIdentity(t.db);
    t.db
      .prepare(
        "INSERT INTO conversations (id, kind, name, created_at, last_activity_at) VALUES (1, 'group', 'G', 0, 0)",
      )
      .run();
    const ins = t.db.prepare(
      "INSERT INTO messages (conversation_id, uid, sender_key, outgoing, body, sent_at, received_at, state, deleted_at) VALUES (1, ?, ?, 0, ?, 1, 1, 'received', ?)",
    );
    ins.run('old', ADA, 'Rendezvous at the crème brûlée stand', null);
    ins.run('gone', ME, null, 5);
    migrate(t.db, upTo(3));
    const match = (q: string) =>
      (t!.db.prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?').all(q) as unknown[]).length;
    expect(match('creme')).toBe(1);
    expect(match('rendezvous')).toBe(1);
    ins.run('new', ADA, 'fresh words', null);
    expect(match('fresh')).toBe(1);
  });

  it('0005 re-indexes existing messages with their conversation and sender scope', () => {
    t = tempDatabase(upTo(4));
    insertIdentity(t.db);
    t.db
      .prepare(
        "INSERT INTO conversations (id, kind, name, created_at, last_activity_at) VALUES (7, 'group', 'G', 0, 0)",
      )
      .run();
    const ins = t.db.prepare(
      "INSERT INTO messages (conversation_id, uid, sender_key, outgoing, body, sent_at, received_at, state) VALUES (7, ?, ?, 0, ?, 1, 1, 'received')",
    );
    ins.run('a', ADA, 'quokka sighting');
    ins.run('b', ME, 'quokka again');
    migrate(t.db, upTo(5));
    const match = (q: string) =>
      (t!.db.prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?').all(q) as unknown[]).length;
    expect(match('body : quokka')).toBe(2);
    expect(match(`body : quokka AND scope : "c7" AND scope : "s${ADA.subarray(0, 8).toString('hex')}"`)).toBe(
      1,
    );
    ins.run('c', ADA, 'later quokka');
    expect(match('body : quokka AND scope : "c7"')).toBe(3);
    t.db.prepare("UPDATE messages SET body = NULL, deleted_at = 5 WHERE uid = 'a'").run();
    expect(match('body : quokka')).toBe(2);
  });

  it('0007 indexes only the outbox rows still waiting', () => {
    t = tempDatabase(upTo(6));
    t.db
      .prepare("INSERT INTO conversations (id, kind, created_at, last_activity_at) VALUES (1, 'dm', 0, 0)")
      .run();
    const ins = t.db.prepare(
      "INSERT INTO outbox (envelope_id, conversation_id, recipient, payload, created_at, next_attempt_at, state) VALUES (?, 1, 'r', x'00', 0, 0, ?)",
    );
    ins.run('e1', 'delivered');
    ins.run('e2', 'pending');
    migrate(t.db, upTo(7));
    const indexed = t.db
      .prepare(
        "SELECT count(*) AS n FROM outbox INDEXED BY outbox_open_queue WHERE state IN ('pending', 'sent', 'held') AND recipient = 'r'",
      )
      .get() as { n: number };
    expect(indexed.n).toBe(1);
  });

  it('refuses a database from a newer Parley and leaves it untouched', () => {
    t = tempDatabase();
    t.db.pragma('user_version = 99');
    let code = '';
    try {
      migrate(t.db);
    } catch (err) {
      code = isParleyError(err) ? err.code : String(err);
    }
    expect(code).toBe('PROFILE_TOO_NEW');
    expect(schemaVersion(t.db)).toBe(99);
  });

  it('rolls back a migration that fails midway, so the next start retries it', () => {
    t = tempDatabase(upTo(1));
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_done (x INTEGER) STRICT');
        throw new Error('power cut');
      },
    };
    expect(() => migrate(t!.db, [...upTo(1), broken])).toThrow('power cut');
    expect(schemaVersion(t.db)).toBe(1);
    expect(tables(t)).not.toContain('half_done');
    migrate(t.db);
    expect(schemaVersion(t.db)).toBe(migrations.length);
  });
});
