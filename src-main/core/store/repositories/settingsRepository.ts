import type { Db } from '../encryptedDatabase';

/**
 * The `settings` table: small values by key (privacy, the own profile card,
 * the backup schedule, presence). Callers own the shape of their value and
 * parse it themselves, damaged values included.
 */
export class SettingsRepository {
  constructor(private readonly db: Db) {}

  /** The stored value, or null when the key was never written. */
  get(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value ?? null;
  }

  set(key: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      )
      .run(key, value);
  }
}
