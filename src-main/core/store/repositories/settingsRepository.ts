import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

const UPSERT =
  'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value';

/**
 * The `settings` table: small values by key (privacy, the own profile card,
 * the backup schedule, presence). Callers own the shape of their value and
 * parse it themselves, damaged values included.
 */
export class SettingsRepository {
  constructor(private readonly db: Db) {}

  /** The stored value, or null when the key was never written. */
  get(key: string): string | null {
    const row = prepared(this.db, 'SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value ?? null;
  }

  set(key: string, value: string): void {
    prepared(this.db, UPSERT).run(key, value);
  }

  /** Forgets a value (a secret kept only until it was used, say). */
  delete(key: string): void {
    prepared(this.db, 'DELETE FROM settings WHERE key = ?').run(key);
  }

  /** Writes several values in one transaction: all of them or, on a failure, none. */
  setAll(entries: readonly (readonly [key: string, value: string])[]): void {
    const upsert = prepared(this.db, UPSERT);
    this.db.transaction(() => {
      for (const [key, value] of entries) upsert.run(key, value);
    })();
  }
}
