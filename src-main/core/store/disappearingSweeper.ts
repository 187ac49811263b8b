import { rm } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { Db } from './encryptedDatabase';
import { errorFields, type Logger } from '../util/logger';

/** Rows per transaction: small enough that the bridge and the network never wait long behind a sweep. */
const BATCH = 500;
/** Even with nothing due, look again this often (clock changes, timers set by other devices). */
const MAX_IDLE_MS = 60_000;

export interface SweeperOptions {
  db: Db;
  attachmentsDir: string;
  logger: Logger;
  now?: () => number;
}

/**
 * Deletes messages whose disappearing timer ran out: the rows, their search
 * index entries (secure-delete FTS5, via the triggers), edit history,
 * reactions, receipts, attachment rows (cascade) and attachment files. Runs
 * right after unlock and then whenever the next message is due.
 */
export class DisappearingSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = true;
  /** When the scheduled run fires (ms); Infinity when none is scheduled. */
  private nextAt = Number.POSITIVE_INFINITY;
  private readonly now: () => number;

  constructor(private readonly options: SweeperOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): Promise<number> {
    this.stopped = false;
    return this.runAndReschedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * A message now expires at `at` (a new message in a conversation with a
   * timer): runs then if that is before the next planned run, so a 5-minute
   * timer does not wait for the idle re-check.
   */
  wakeBy(at: number): void {
    if (this.stopped || at >= this.nextAt) return;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(at - this.now(), 0) + 5;
    this.nextAt = this.now() + wait;
    this.timer = setTimeout(() => void this.runAndReschedule(), wait);
    this.timer.unref();
  }

  /** Sweeps now (for example after a timer was shortened); resolves with the number of messages deleted. */
  sweepNow(): Promise<number> {
    return this.runAndReschedule();
  }

  private async runAndReschedule(): Promise<number> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = Number.POSITIVE_INFINITY;
    this.running ??= this.sweep().finally(() => {
      this.running = null;
    });
    const deleted = await this.running;
    if (!this.stopped) {
      const next = this.options.db
        .prepare('SELECT min(expires_at) AS t FROM messages WHERE expires_at IS NOT NULL')
        .get() as { t: number | null };
      const wait =
        next.t === null ? MAX_IDLE_MS : Math.min(Math.max(next.t - this.now(), 0) + 5, MAX_IDLE_MS);
      // wakeBy() may have planned a run while this one was sweeping; this plan covers it.
      if (this.timer) clearTimeout(this.timer);
      this.nextAt = this.now() + wait;
      this.timer = setTimeout(() => void this.runAndReschedule(), wait);
      this.timer.unref();
    }
    return deleted;
  }

  private async sweep(): Promise<number> {
    const { db } = this.options;
    const due = db.prepare('SELECT id FROM messages WHERE expires_at <= ? ORDER BY expires_at LIMIT ?');
    const files = db.prepare('SELECT path FROM attachments WHERE message_id = ? AND path IS NOT NULL');
    const del = db.prepare('DELETE FROM messages WHERE id = ?');
    let total = 0;
    for (;;) {
      if (!db.open) return total;
      const ids = (due.all(this.now(), BATCH) as Array<{ id: number }>).map((r) => r.id);
      if (ids.length === 0) break;
      const paths = db.transaction(() => {
        const out = ids.flatMap((id) => (files.all(id) as Array<{ path: string }>).map((r) => r.path));
        for (const id of ids) del.run(id);
        return out;
      })();
      total += ids.length;
      await this.removeFiles(paths);
      // Let the bridge and the network run between batches.
      await new Promise((r) => setImmediate(r));
    }
    if (total > 0) this.options.logger.log('info', 'store.expired_swept', { count: total });
    return total;
  }

  private async removeFiles(paths: string[]): Promise<void> {
    for (const p of paths) {
      const full = resolveInside(this.options.attachmentsDir, p);
      if (!full) continue;
      try {
        await rm(full, { force: true });
      } catch (err) {
        this.options.logger.log('warn', 'store.attachment_delete_failed', errorFields(err));
      }
    }
  }
}

/** Attachment paths are relative to the attachments folder; anything else is never deleted. */
export function resolveInside(dir: string, relative: string): string | null {
  if (isAbsolute(relative)) return null;
  const full = normalize(join(dir, relative));
  return full.startsWith(normalize(dir) + sep) ? full : null;
}
