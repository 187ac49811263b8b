import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Durability, durabilityOf } from './durability';
import { openEncryptedDatabase } from './encryptedDatabase';
import { migrate, schemaVersion } from './migrate';
import { migrations } from './migrations';
import { tempDatabase, type TempDatabase } from './testing/tempDatabase';

let t: TempDatabase;
beforeEach(() => {
  t = tempDatabase();
  t.db.exec('CREATE TABLE probe (id INTEGER PRIMARY KEY, v TEXT)');
});
afterEach(() => t.dispose());

const synchronous = () => t.db.pragma('synchronous', { simple: true });
const marks = () => (t.db.prepare('SELECT n FROM durability_mark').get() as { n: number }).n;
const insert = (v: string) => t.db.prepare('INSERT INTO probe (v) VALUES (?)').run(v);

describe('Durability', () => {
  it('commits lazily with synchronous = NORMAL and restores FULL afterwards, even on failure', () => {
    const d = new Durability(t.db);
    expect(synchronous()).toBe(2);
    let inside: unknown;
    d.lazy(() =>
      t.db.transaction(() => {
        insert('a');
        inside = synchronous();
      })(),
    );
    expect(inside).toBe(1);
    expect(synchronous()).toBe(2);
    expect(d.pending).toBe(true);
    expect(() =>
      d.lazy(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(synchronous()).toBe(2);
    expect(t.db.prepare('SELECT count(*) AS n FROM probe').get()).toEqual({ n: 1 });
  });

  it('syncs once for a burst of lazy commits, and not at all when there was none', () => {
    const d = new Durability(t.db);
    d.sync();
    expect(marks()).toBe(0);
    for (let i = 0; i < 5; i++) d.lazy(() => insert(String(i)));
    d.sync();
    expect(marks()).toBe(1);
    expect(d.pending).toBe(false);
    d.sync();
    expect(marks()).toBe(1);
  });

  it('inside a transaction leaves durability to the outer commit and rolls back with it', () => {
    const d = new Durability(t.db);
    expect(() =>
      t.db.transaction(() => {
        d.lazy(() => insert('x'));
        expect(synchronous()).toBe(2);
        d.sync();
        throw new Error('outer fails');
      })(),
    ).toThrow('outer fails');
    expect(d.pending).toBe(false);
    expect(marks()).toBe(0);
    expect(t.db.prepare('SELECT count(*) AS n FROM probe').get()).toEqual({ n: 0 });
  });

  it('is one per connection, so every writer shares the count of unsynced commits', () => {
    expect(durabilityOf(t.db)).toBe(durabilityOf(t.db));
    durabilityOf(t.db).lazy(() => insert('y'));
    expect(durabilityOf(t.db).pending).toBe(true);
  });

  it('lazy commits are there after the database is closed and opened again', () => {
    durabilityOf(t.db).lazy(() => insert('kept'));
    t.db.close();
    const reopened = openEncryptedDatabase(t.path, t.key, { create: false });
    try {
      expect(reopened.prepare('SELECT v FROM probe').all()).toEqual([{ v: 'kept' }]);
    } finally {
      reopened.close();
    }
  });
});

describe('the connection as the app opens it', () => {
  it('makes every commit durable by default and checkpoints its log in large steps', () => {
    expect(t.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(synchronous()).toBe(2);
    expect(t.db.pragma('wal_autocheckpoint', { simple: true })).toBe(8192);
    expect(t.db.pragma('journal_size_limit', { simple: true })).toBe(64 * 1024 * 1024);
  });
});

describe('migration 0015 (durability mark)', () => {
  it('adds the one mark row to a database at version 14', () => {
    const old = tempDatabase(migrations.filter((m) => m.version < 15));
    try {
      migrate(
        old.db,
        migrations.filter((m) => m.version <= 15),
      );
      expect(schemaVersion(old.db)).toBe(15);
      expect(old.db.prepare('SELECT id, n FROM durability_mark').all()).toEqual([{ id: 1, n: 0 }]);
      expect(() => old.db.prepare('INSERT INTO durability_mark (id, n) VALUES (2, 0)').run()).toThrow();
    } finally {
      old.dispose();
    }
  });
});
