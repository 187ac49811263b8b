import { openSync, closeSync, readSync, writeSync } from 'node:fs';
import type { Db } from '../encryptedDatabase';

/**
 * Damage for tests of what users meet on real disks: a flipped byte in a
 * page of one table (SQLCipher's per-page HMAC then refuses that page, and
 * only that page), found with SQLite's dbstat table.
 */

/** The pages (1-based) holding `table` and its indexes' b-tree, from an open database. */
export function pagesOf(db: Db, table: string): number[] {
  return (
    db.prepare('SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno').all(table) as { pageno: number }[]
  ).map((r) => r.pageno);
}

export function pageSize(db: Db): number {
  return db.pragma('page_size', { simple: true }) as number;
}

/** Flips one bit in the middle of page `pageno` of a closed database file. */
export function flipByteInPage(file: string, pageno: number, size: number): void {
  const fd = openSync(file, 'r+');
  try {
    const at = (pageno - 1) * size + Math.floor(size / 2);
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, at);
    byte[0] = (byte[0] ?? 0) ^ 0x10;
    writeSync(fd, byte, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}
