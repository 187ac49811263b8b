import type Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../store/encryptedDatabase';

export type Params = Record<string, string | number | Buffer>;
export type Statement = Database.Statement<[Params], unknown>;

/**
 * Search's statements, prepared once per query shape and reused: `key` names
 * the shape (which filters, which plan), so each distinct SQL text is
 * compiled once per connection.
 */
export class SearchStatements {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  get(key: string, sql: string): Statement {
    let statement = this.statements.get(key);
    if (!statement) {
      statement = this.db.prepare(sql) as Statement;
      this.statements.set(key, statement);
    }
    return statement;
  }
}
