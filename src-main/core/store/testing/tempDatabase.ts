import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEncryptedDatabase, type Db } from '../encryptedDatabase';
import { migrate } from '../migrate';
import type { Migration } from '../migration';

export interface TempDatabase {
  db: Db;
  dir: string;
  path: string;
  key: Buffer;
  /** Closes and deletes everything. */
  dispose(): void;
}

/** A real encrypted database in a fresh temp folder, migrated to `migrations` (default: all). */
export function tempDatabase(migrations?: readonly Migration[]): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
  const path = join(dir, 'parley.db');
  const key = randomBytes(32);
  const db = openEncryptedDatabase(path, key, { create: true });
  migrate(db, migrations);
  return {
    db,
    dir,
    path,
    key,
    dispose() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const ME = Buffer.alloc(32, 1);
export const ADA = Buffer.alloc(32, 2);
export const BOB = Buffer.alloc(32, 3);

/** The identity row every profile has (migration 0001). */
export function insertIdentity(db: Db, name = 'Me', key: Buffer = ME): void {
  db.prepare(
    'INSERT INTO identity (id, display_name, public_key, private_key, created_at) VALUES (1, ?, ?, ?, 0)',
  ).run(name, key, Buffer.alloc(48));
}
