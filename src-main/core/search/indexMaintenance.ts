import type { Db } from '../store/encryptedDatabase';
import { errorFields, type Logger } from '../util/logger';

/** Pages of index written per merge step: a short write transaction, so the bridge never waits long. */
const PAGES_PER_STEP = 256;

/**
 * Keeps the full-text index compact. Every batch of inserts adds an FTS5
 * segment; automerge keeps their number bounded but not small (16 at a
 * million messages), and every term lookup visits every segment, so queries
 * slow down as a history grows. While the app is idle we merge segments in
 * small steps (FTS5 §6.6 'merge' with a negative page count merges toward a
 * single segment; a `total_changes()` delta below 2 means nothing was left to
 * do), yielding to the event loop between steps.
 */
export class SearchIndexMaintainer {
  private timer: NodeJS.Timeout | null = null;
  private readonly merge;
  private readonly changes;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {
    this.merge = db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', ?)");
    this.changes = db.prepare('SELECT total_changes() AS n');
  }

  /** One bounded merge step; false when the index was already compact. */
  step(pages = PAGES_PER_STEP): boolean {
    const before = (this.changes.get() as { n: number }).n;
    this.merge.run(-pages);
    return (this.changes.get() as { n: number }).n - before >= 2;
  }

  /** Merges for at most `budgetMs`, one step per turn of the event loop; true when compact. */
  async runFor(budgetMs: number, now: () => number = Date.now): Promise<boolean> {
    const end = now() + budgetMs;
    while (now() < end) {
      if (!this.db.open) return false;
      if (!this.step()) return true;
      await new Promise((r) => setImmediate(r));
    }
    return false;
  }

  /** A little maintenance every `everyMs` while the profile is unlocked. */
  start(everyMs = 60_000, budgetMs = 250): void {
    this.stop();
    const tick = (): void => {
      void this.runFor(budgetMs)
        .catch((err: unknown) => this.logger.log('warn', 'search.maintenance_failed', errorFields(err)))
        .finally(() => {
          if (this.timer) {
            this.timer = setTimeout(tick, everyMs);
            this.timer.unref();
          }
        });
    };
    this.timer = setTimeout(tick, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
