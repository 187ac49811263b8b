import { errorFields, type Logger } from './logger';

/**
 * Work started in the background (profile announcements, dials, follow-up
 * commits) that a service must await before it stops, so nothing outlives
 * the database it writes. A task that fails is logged, never thrown at
 * whoever happened to start it.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly failure = 'messaging.background_failed',
  ) {}

  track(p: Promise<void>): void {
    const guarded = p.catch((err: unknown) => this.logger.log('warn', this.failure, errorFields(err)));
    this.running.add(guarded);
    void guarded.finally(() => this.running.delete(guarded));
  }

  /** Waits for every task tracked so far. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
