import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/**
 * The file limits a user sets (the contract's FileSettings), kept in the
 * `settings` table so they are readable and settable with networking off.
 */
export interface FileLimits {
  /** Larger incoming files are refused before a byte is fetched. */
  maxReceiveBytes: number;
  /** Files up to this size travel inside their message. */
  inlineMaxBytes: number;
  /** Incoming files up to this size download without being asked. */
  autoDownloadMaxBytes: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxReceiveBytes: 100 * 1024 * 1024,
  inlineMaxBytes: 128 * 1024,
  autoDownloadMaxBytes: 16 * 1024 * 1024,
};

const SETTING_KEYS: Record<keyof FileLimits, string> = {
  maxReceiveBytes: 'files.maxReceiveBytes',
  inlineMaxBytes: 'files.inlineMaxBytes',
  autoDownloadMaxBytes: 'files.autoDownloadMaxBytes',
};

const NAMES = Object.keys(SETTING_KEYS) as (keyof FileLimits)[];

export class FileSettingsRepository {
  constructor(private readonly db: Db) {}

  /** The stored limits; a missing or unreadable value is its default. */
  get(): FileLimits {
    const out = { ...DEFAULT_FILE_LIMITS };
    const read = prepared(this.db, 'SELECT value FROM settings WHERE key = ?');
    for (const name of NAMES) {
      const row = read.get(SETTING_KEYS[name]) as { value: string } | undefined;
      const n = row ? Number(row.value) : NaN;
      if (Number.isSafeInteger(n) && n >= 0) out[name] = n;
    }
    return out;
  }

  /** Stores the given limits in one transaction and returns them all. */
  set(patch: Partial<FileLimits>): FileLimits {
    const put = this.db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => {
      for (const name of NAMES) {
        const value = patch[name];
        if (value !== undefined) put.run(SETTING_KEYS[name], String(value));
      }
    })();
    return this.get();
  }
}
