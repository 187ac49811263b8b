import type Database from 'better-sqlite3-multiple-ciphers';
import { errorFields, type LogFields, type Logger } from '../util/logger';
import type { Db } from './encryptedDatabase';

/**
 * Copies the write-ahead log into the database file soon after a burst of
 * writes goes quiet (issue #14 item 6).
 *
 * SQLite checkpoints by itself only when the log reaches
 * `wal_autocheckpoint` pages (8,192 here, 32 MiB: small steps cost a quarter
 * of a sending stream's time, encryptedDatabase.ts). Until then a committed,
 * acknowledged message lives only in `parley.db-wal`: a probe killed the app
 * (kill -9), lost that file, and 50 of 50 delivered messages were gone while
 * integrity_check still said ok. Now, once nothing was committed for
 * `quietMs`, a PASSIVE checkpoint runs on a worker thread's own connection
 * (`checkpoint`), so neither the bridge nor the network waits for it and no
 * reader or writer is blocked.
 *
 * Commits are noticed through `total_changes()` of the app's connection, read
 * every `tickMs`: a counter, so the check costs nothing.
 */
export interface WalCheckpointerOptions {
  db: Db;
  /** Runs one PASSIVE checkpoint elsewhere (workers/walCheckpoint.ts). */
  checkpoint: () => Promise<{
    ok: boolean;
    logFrames: number;
    checkpointedFrames: number;
    freedPages?: number;
    errorCode?: string;
  }>;
  logger: Logger;
  /** How long nothing must be committed before the checkpoint runs (default 2 s). */
  quietMs?: number;
  tickMs?: number;
  clock?: () => number;
}

export class WalCheckpointer {
  private readonly changes: Database.Statement;
  private readonly quietMs: number;
  private readonly clock: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private seen = -1;
  private lastChangeAt = 0;
  /** Commits since the last checkpoint started. */
  private dirty = false;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** After a failed checkpoint (disk full, I/O error): not before this time; doubles up to 30 s. */
  private retryAt = 0;
  private retryDelayMs = 0;

  constructor(private readonly options: WalCheckpointerOptions) {
    this.changes = options.db.prepare('SELECT total_changes() AS n').pluck();
    this.quietMs = options.quietMs ?? 2_000;
    this.clock = options.clock ?? Date.now;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.stopped = false;
    this.seen = this.read();
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? Math.max(50, this.quietMs / 4));
    this.timer.unref?.();
  }

  /** Stops; resolves once a checkpoint in flight has finished (its connection is closed). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Exposed for tests: one look at the counter. */
  tick(): void {
    if (this.stopped || this.running) return;
    const now = this.clock();
    const n = this.read();
    if (n !== this.seen) {
      this.seen = n;
      this.lastChangeAt = now;
      this.dirty = true;
      return;
    }
    if (!this.dirty || now - this.lastChangeAt < this.quietMs || now < this.retryAt) return;
    this.dirty = false;
    const failed = (fields: LogFields): void => {
      // Dirty again, and retried soon: on a full disk, the moment a little space is freed the
      // checkpoint completes, the log starts over in the space it already has, and writes resume.
      this.dirty = true;
      this.retryDelayMs = Math.min(30_000, Math.max(1_000, this.retryDelayMs * 2));
      this.retryAt = this.clock() + this.retryDelayMs;
      this.options.logger.log('warn', 'store.checkpoint_failed', fields);
    };
    this.running = this.options
      .checkpoint()
      .then((report) => {
        if (!report.ok) failed({ errorCode: report.errorCode });
        // A reader's snapshot held some frames back: try again a little later.
        else if (report.checkpointedFrames < report.logFrames) failed({ incomplete: true });
        else {
          this.retryDelayMs = 0;
          // Free pages went back in one time-boxed run: look again after the next quiet period.
          if ((report.freedPages ?? 0) > 0) {
            this.dirty = true;
            this.lastChangeAt = this.clock();
          }
        }
      })
      .catch((err: unknown) => failed(errorFields(err)))
      .finally(() => {
        this.running = null;
      });
  }

  private read(): number {
    try {
      return Number(this.changes.get());
    } catch {
      // Closed or damaged: nothing to watch.
      return this.seen;
    }
  }
}
