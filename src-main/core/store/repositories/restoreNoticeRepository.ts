import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/** Settings key of the notice (JSON), written into the restored database by backup/restoreBackup.ts. */
const NOTICE_KEY = 'backup.restore_notice';

/** What a restore did, kept for the first unlock that follows it. */
export interface RestoreNoticeRecord {
  /** When this profile was restored (ms). */
  restoredAt: number;
  /** When the backup was made (ISO 8601, from the archive's manifest). */
  backupCreatedAt: string;
  /** Conversations that had to rejoin their group as this new device. */
  conversations: number;
}

/**
 * The "restored" context the app shows after a restore (issue #17 item 9):
 * kept in the restored profile's own database so it survives until the user
 * dismissed it, however many times the app is locked or restarted before.
 */
export class RestoreNoticeRepository {
  constructor(private readonly db: Db) {}

  record(notice: RestoreNoticeRecord): void {
    this.db
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(NOTICE_KEY, JSON.stringify(notice));
  }

  /** The notice, or null when there was no restore or the user dismissed it (or it is unreadable). */
  read(): RestoreNoticeRecord | null {
    const row = prepared(this.db, 'SELECT value FROM settings WHERE key = ?').get(NOTICE_KEY) as
      { value: string } | undefined;
    if (!row) return null;
    try {
      const v = JSON.parse(row.value) as Partial<RestoreNoticeRecord>;
      if (
        typeof v.restoredAt !== 'number' ||
        typeof v.backupCreatedAt !== 'string' ||
        typeof v.conversations !== 'number'
      ) {
        return null;
      }
      return { restoredAt: v.restoredAt, backupCreatedAt: v.backupCreatedAt, conversations: v.conversations };
    } catch {
      return null;
    }
  }

  dismiss(): void {
    this.db.prepare('DELETE FROM settings WHERE key = ?').run(NOTICE_KEY);
  }
}
