import type { Db } from '../encryptedDatabase';

/** A stored KeyPackage as a Welcome looks it up. */
export interface StoredKeyPackage {
  ref: Buffer;
  keyPackage: Buffer;
  /** null once a Welcome used it (the one-time package's keys are deleted). */
  privateKeys: Buffer | null;
  lastResort: boolean;
}

/** A KeyPackage handed to a peer: its reference and MLSMessage bytes. */
export interface TakenKeyPackage {
  ref: Buffer;
  keyPackage: Buffer;
}

export interface KeyPackageCounts {
  available: number;
  handedOut: number;
  consumed: number;
  lastResort: number;
}

/**
 * This device's KeyPackages and their private keys (`key_packages`,
 * RFC 9420 §10, §16.8). The rules (one-time packages handed out once, the
 * last-resort one kept) are mls/keyPackagePool.ts; this is their storage.
 * Suites are their RFC 9420 ciphersuite ids.
 */
export class KeyPackageRepository {
  constructor(private readonly db: Db) {}

  /** Stores new packages in one transaction. */
  insert(
    packages: readonly {
      ref: Uint8Array;
      keyPackage: Uint8Array;
      privateKeys: Uint8Array;
      expiresAt: number;
    }[],
    suiteId: number,
    lastResort: boolean,
    now: number,
  ): void {
    const stmt = this.db.prepare(
      `INSERT INTO key_packages (ref, key_package, private_keys, last_resort, ciphersuite, expires_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const g of packages) {
        stmt.run(g.ref, g.keyPackage, g.privateKeys, lastResort ? 1 : 0, suiteId, g.expiresAt, now);
      }
    })();
  }

  /** Forgets packages (and their keys) expired by `now`. */
  deleteExpired(now: number): void {
    this.db.prepare('DELETE FROM key_packages WHERE expires_at <= ?').run(now);
  }

  /** A last-resort package of this suite is valid after `after`. */
  hasLastResortAfter(suiteId: number, after: number): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM key_packages WHERE ciphersuite = ? AND last_resort = 1 AND expires_at > ?')
        .get(suiteId, after) !== undefined
    );
  }

  /** One-time packages never handed out that are still valid after `after`. */
  countFresh(suiteId: number, after: number): number {
    const { n } = this.db
      .prepare(
        `SELECT count(*) AS n FROM key_packages
         WHERE ciphersuite = ? AND last_resort = 0 AND handed_out_at IS NULL AND expires_at > ?`,
      )
      .get(suiteId, after) as { n: number };
    return n;
  }

  /**
   * Marks and returns, in one transaction, the oldest one-time package never
   * handed out that is valid after `validAfter` (the UPDATE that marks it is
   * the statement that picks it) or, when there is none, the valid
   * last-resort package that lasts longest; null when there is neither.
   */
  take(suiteId: number, now: number, validAfter: number): (TakenKeyPackage & { lastResort: boolean }) | null {
    return this.db.transaction(() => {
      const oneTime = this.db
        .prepare(
          `UPDATE key_packages SET handed_out_at = ?
           WHERE id = (SELECT id FROM key_packages
                       WHERE ciphersuite = ? AND last_resort = 0 AND handed_out_at IS NULL AND consumed_at IS NULL
                         AND expires_at > ?
                       ORDER BY id LIMIT 1)
           RETURNING ref, key_package`,
        )
        .get(now, suiteId, validAfter) as { ref: Buffer; key_package: Buffer } | undefined;
      if (oneTime) return { ref: oneTime.ref, keyPackage: oneTime.key_package, lastResort: false };
      const lastResort = this.db
        .prepare(
          `UPDATE key_packages SET handed_out_at = ?
           WHERE id = (SELECT id FROM key_packages WHERE ciphersuite = ? AND last_resort = 1 AND expires_at > ?
                       ORDER BY expires_at DESC LIMIT 1)
           RETURNING ref, key_package`,
        )
        .get(now, suiteId, now) as { ref: Buffer; key_package: Buffer } | undefined;
      return lastResort
        ? { ref: lastResort.ref, keyPackage: lastResort.key_package, lastResort: true }
        : null;
    })();
  }

  byRef(ref: Uint8Array): StoredKeyPackage | null {
    const r = this.db
      .prepare('SELECT ref, key_package, private_keys, last_resort FROM key_packages WHERE ref = ?')
      .get(ref) as
      { ref: Buffer; key_package: Buffer; private_keys: Buffer | null; last_resort: number } | undefined;
    return r
      ? {
          ref: r.ref,
          keyPackage: r.key_package,
          privateKeys: r.private_keys,
          lastResort: r.last_resort === 1,
        }
      : null;
  }

  /**
   * Marks a package used and deletes its private keys (the last-resort one
   * keeps them). False when there is no such package.
   */
  consume(ref: Uint8Array, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE key_packages
           SET consumed_at = coalesce(consumed_at, ?), private_keys = CASE WHEN last_resort = 1 THEN private_keys END
           WHERE ref = ?`,
        )
        .run(now, ref).changes === 1
    );
  }

  counts(suiteId: number, now: number): KeyPackageCounts {
    const row = this.db
      .prepare(
        `SELECT
           sum(last_resort = 0 AND handed_out_at IS NULL AND consumed_at IS NULL) AS available,
           sum(last_resort = 0 AND handed_out_at IS NOT NULL AND consumed_at IS NULL) AS handedOut,
           sum(last_resort = 0 AND consumed_at IS NOT NULL) AS consumed,
           sum(last_resort = 1) AS lastResort
         FROM key_packages WHERE ciphersuite = ? AND expires_at > ?`,
      )
      .get(suiteId, now) as Record<keyof KeyPackageCounts, number | null>;
    return {
      available: row.available ?? 0,
      handedOut: row.handedOut ?? 0,
      consumed: row.consumed ?? 0,
      lastResort: row.lastResort ?? 0,
    };
  }

  /** Forgets every package and its private keys (they belong to the device a backup was made on). */
  clear(): void {
    this.db.prepare('DELETE FROM key_packages').run();
  }
}
