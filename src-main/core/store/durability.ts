import type Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from './encryptedDatabase';

/**
 * Durability on the sender's hot path (DESIGN.md §1 rule 6, §5).
 *
 * The database runs with `synchronous = FULL`: every commit waits for an fsync
 * of the write-ahead log. That is what a receiver needs before it acks, and
 * what a sender needs before a message leaves: once MLS has encrypted under a
 * ratchet generation and the ciphertext is out, losing the state that
 * consumed it would make the next message reuse its key and nonce
 * (RFC 9420 §9.1).
 *
 * But nothing requires the fsync at the moment of the commit, only before its
 * effect is visible outside this device. `lazy(fn)` runs fn's transactions
 * with `synchronous = NORMAL` (in WAL mode: atomic and durable across a crash
 * of the app, not yet across a power loss); `sync()` then commits one small
 * write with FULL, whose fsync of the log covers every frame written before
 * it (SQLite syncs the whole file). Delivery calls `sync()` right before it
 * puts envelopes on the wire, so a burst of sends and acks costs one fsync
 * instead of one each. A power loss in between loses only what never left,
 * exactly as if it had happened a moment earlier.
 *
 * Inside an outer transaction, `lazy` just runs fn: the outer transaction's
 * commit decides (and it is FULL).
 */
export class Durability {
  /** The connection's own setting (FULL in the app: 2), restored after each lazy run. */
  private readonly restoreSql: string;
  private mark: Database.Statement | null = null;
  /** Lazy commits since the last sync (or since the last FULL commit this class saw). */
  private unsynced = 0;

  constructor(private readonly db: Db) {
    const current = db.pragma('synchronous', { simple: true }) as number;
    this.restoreSql = `PRAGMA synchronous = ${Number(current)}`;
  }

  /** Runs fn; the transactions it commits do not wait for the disk (see the class comment). */
  lazy<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    // exec, not a kept prepared statement: SQLite applies this pragma when
    // the statement is compiled, so running a prepared one again does nothing.
    this.db.exec('PRAGMA synchronous = NORMAL');
    try {
      const result = fn();
      this.unsynced++;
      return result;
    } finally {
      this.db.exec(this.restoreSql);
    }
  }

  /** Whether lazy commits are waiting for a sync. */
  get pending(): boolean {
    return this.unsynced > 0;
  }

  /**
   * Makes every earlier lazy commit durable: one FULL commit (its fsync covers
   * the whole log). A no-op when there was none, and inside a transaction
   * (whose own commit is the barrier: nothing it wrote has left yet).
   */
  sync(): void {
    if (this.unsynced === 0 || this.db.inTransaction) return;
    this.mark ??= this.db.prepare('UPDATE durability_mark SET n = n + 1 WHERE id = 1');
    this.mark.run();
    this.unsynced = 0;
  }
}

const instances = new WeakMap<Db, Durability>();

/** The one Durability of a connection (its lazy-commit count must be shared by every writer). */
export function durabilityOf(db: Db): Durability {
  let d = instances.get(db);
  if (d === undefined) {
    d = new Durability(db);
    instances.set(db, d);
  }
  return d;
}
