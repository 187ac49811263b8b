import type { Db } from './encryptedDatabase';
import { prepared } from './prepared';

/**
 * Runs work in one SQLite transaction on the profile's connection, so a
 * service can write through several repositories atomically without holding
 * the raw database (DESIGN.md §1: SQL lives in store/ repositories).
 * better-sqlite3 transactions are synchronous; nested ones become savepoints,
 * and a throw rolls back everything written inside.
 */
export class Transactor {
  constructor(private readonly db: Db) {}

  /** Runs `work` in a transaction (a savepoint when one is open) and returns what it returns. */
  run<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /**
   * An explicit transaction for work that awaits in between (delivery's
   * batch of inbound envelopes, group commit): `run()` cannot span an
   * await. The caller must end it with commit() or rollback().
   */
  begin(): void {
    prepared(this.db, 'BEGIN').run();
  }

  commit(): void {
    prepared(this.db, 'COMMIT').run();
  }

  rollback(): void {
    prepared(this.db, 'ROLLBACK').run();
  }

  /** A transaction is open on the connection (a caller's write may still roll back). */
  get active(): boolean {
    return this.db.inTransaction;
  }

  /** The connection is open (false once the profile is locked). */
  get open(): boolean {
    return this.db.open;
  }
}
