import { ParleyError } from '../errors';
import type { Db } from './encryptedDatabase';
import type { Migration } from './migration';
import { migrations as allMigrations } from './migrations';

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema up to the newest version, one migration per transaction so
 * an interrupted upgrade resumes at the step that did not commit. A database
 * from a newer Parley is refused, never downgraded.
 */
export function migrate(
  db: Db,
  migrations: readonly Migration[] = allMigrations,
): { from: number; to: number } {
  const latest = migrations.at(-1)?.version ?? 0;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new ParleyError(
      'PROFILE_TOO_NEW',
      `This profile's database was written by a newer version of Parley (schema ${from}, this version knows ${latest}). Update Parley to open it.`,
    );
  }
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: Math.max(from, latest) };
}
