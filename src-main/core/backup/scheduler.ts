import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isParleyError } from '../errors';
import { errorFields, type Logger } from '../util/logger';

/** What the user chose (kept in the settings table, inside the encrypted database). */
export interface ScheduleSettings {
  enabled: boolean;
  folder: string;
  intervalHours: number;
  keep: number;
  lastRunAt?: number;
  lastError?: string;
}

export interface ScheduleStatus extends ScheduleSettings {
  hasPassword: boolean;
  nextRunAt?: number;
}

export const DEFAULT_SCHEDULE: ScheduleSettings = { enabled: false, folder: '', intervalHours: 24, keep: 7 };

/** Scheduled archives are named by their time, so they sort and can be pruned without reading them. */
const NAME = /^parley-backup-(\d{8}-\d{6})\.parley-backup$/;

export function scheduledName(at: Date): string {
  const iso = at.toISOString();
  return `parley-backup-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}.parley-backup`;
}

/** Deletes the oldest scheduled archives beyond `keep`. Only files named like ours are ever touched. */
export function pruneScheduled(folder: string, keep: number): string[] {
  const ours = readdirSync(folder)
    .filter((n) => NAME.test(n))
    .filter((n) => statSync(join(folder, n)).isFile())
    .sort()
    .reverse();
  const removed = ours.slice(keep);
  for (const n of removed) rmSync(join(folder, n), { force: true });
  return removed;
}

export interface SchedulerOptions {
  load(): ScheduleSettings;
  save(settings: ScheduleSettings): void;
  /** Writes one archive to `out` with `password`. */
  backup(out: string, password: string): Promise<void>;
  onChange(): void;
  logger: Logger;
  now?: () => number;
  /** How often the timer looks whether a backup is due. */
  tickMs?: number;
}

/**
 * Runs scheduled backups while the profile is unlocked (started on unlock,
 * stopped on lock). The backup password lives only in this object's memory:
 * it is never written anywhere, so after each unlock the schedule waits until
 * the user enters it again (Settings → Backup).
 */
export class BackupScheduler {
  private timer: NodeJS.Timeout | null = null;
  private password: string | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly options: SchedulerOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? 60_000);
    this.timer.unref();
  }

  /** On lock: the timer stops and the password is forgotten. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.password = null;
  }

  setPassword(password: string | null): void {
    this.password = password;
  }

  status(settings: ScheduleSettings = this.options.load()): ScheduleStatus {
    const next =
      settings.enabled && this.password
        ? Math.max(this.now(), (settings.lastRunAt ?? 0) + settings.intervalHours * 3_600_000)
        : undefined;
    return {
      ...settings,
      hasPassword: this.password !== null,
      ...(next !== undefined ? { nextRunAt: next } : {}),
    };
  }

  /** Runs a backup if one is due; resolves when it finished (tests call this directly). */
  async tick(): Promise<void> {
    if (this.running) return this.running;
    const settings = this.options.load();
    const password = this.password;
    if (!settings.enabled || !password || !settings.folder) return;
    if (this.now() < (settings.lastRunAt ?? 0) + settings.intervalHours * 3_600_000) return;
    this.running = (async () => {
      const at = this.now();
      let lastError: string | undefined;
      try {
        await this.options.backup(join(settings.folder, scheduledName(new Date(at))), password);
        pruneScheduled(settings.folder, settings.keep);
        this.options.logger.log('info', 'backup.scheduled_done', {});
      } catch (err) {
        lastError = isParleyError(err) ? err.message : 'The scheduled backup failed.';
        this.options.logger.log('warn', 'backup.scheduled_failed', errorFields(err));
      }
      const { lastError: _drop, ...rest } = this.options.load();
      this.options.save({ ...rest, lastRunAt: at, ...(lastError ? { lastError } : {}) });
      this.options.onChange();
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
