import type Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from './encryptedDatabase';

type Statement = Database.Statement<unknown[], unknown>;

const caches = new WeakMap<Db, Map<string, Statement>>();

/**
 * The connection's prepared statement for `sql`, compiled once. better-sqlite3's
 * `prepare()` compiles on every call, which on the message hot paths cost more
 * than running the statements (bench/net.bench.ts profiles). For DML and
 * queries only: a PRAGMA takes effect when compiled, so a kept one does
 * nothing when run again. The statement is shared by every caller with the
 * same SQL: never switch its mode (`pluck`, `raw`, `expand`) or iterate it.
 */
export function prepared(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (cache === undefined) {
    cache = new Map();
    caches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
