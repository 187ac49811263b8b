import type { Db } from './encryptedDatabase';

/**
 * Whole-database operations the worker threads and the profile run on a
 * connection of their own (workers/*.worker.ts, profile/, backup/): SQL
 * stays in store/ (lint/sqlInStore.js), the threads only open and close.
 */

/**
 * `VACUUM INTO`: one read transaction, so the copy is a consistent snapshot
 * of the live database while the app keeps writing (WAL readers do not block
 * writers). SQLite3 Multiple Ciphers encrypts the copy with the source's
 * cipher and key, so no plaintext page reaches the disk.
 */
export function vacuumInto(db: Db, dest: string): void {
  db.prepare('VACUUM INTO ?').run(dest);
}

/**
 * Turns on incremental auto-vacuum (mode 2) if it is off: the setting takes
 * effect only through a full VACUUM, which rewrites every page (they stay
 * encrypted with the same key). Returns false when it was on already, else
 * whether it is on now.
 */
export function convertToIncrementalVacuum(db: Db): { converted: boolean } {
  if (Number(db.pragma('auto_vacuum', { simple: true })) === 2) return { converted: false };
  db.pragma('auto_vacuum = INCREMENTAL');
  db.exec('VACUUM');
  return { converted: Number(db.pragma('auto_vacuum', { simple: true })) === 2 };
}

/** Writes the identity row of a new profile (id 1). */
export function insertIdentity(
  db: Db,
  identity: { displayName: string; publicKey: Uint8Array; privateKey: Uint8Array; createdAt: number },
): void {
  db.prepare(
    'INSERT INTO identity (id, display_name, public_key, private_key, created_at) VALUES (1, ?, ?, ?, ?)',
  ).run(identity.displayName, identity.publicKey, identity.privateKey, identity.createdAt);
}
