import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { passphraseProblem } from '../../../src-preload/contract';
import type { backupRequests, BackupSchedule } from '../../../src-preload/contract/areas/backup';
import { createBackup } from '../backup/createBackup';
import type { BackupProgress } from '../backup/progress';
import { restoreBackup, verifyBackup } from '../backup/restoreBackup';
import { BackupScheduler, DEFAULT_SCHEDULE, type ScheduleSettings } from '../backup/scheduler';
import { ParleyError } from '../errors';
import type { HandlerDeps, HandlersFor } from './deps';

const SCHEDULE_KEY = 'backup.schedule';

/** Handlers of contract/areas/backup.ts. */
export function backupHandlers(deps: HandlerDeps): HandlersFor<keyof typeof backupRequests> {
  const jobs = new Map<string, AbortController>();

  /** Runs one job under its id: progress goes to every window, cancel aborts it. */
  async function job<T>(
    jobId: string,
    work: (signal: AbortSignal, progress: (p: BackupProgress) => void) => Promise<T>,
  ) {
    if (jobs.has(jobId)) throw new ParleyError('INVALID_STATE', 'A job with this id is already running.');
    const controller = new AbortController();
    jobs.set(jobId, controller);
    try {
      return await work(controller.signal, (p) => deps.bus.emit('backup.progress', { jobId, ...p }));
    } finally {
      jobs.delete(jobId);
    }
  }

  function requireAbsolute(path: string): string {
    if (!isAbsolute(path))
      throw new ParleyError('INVALID_PARAMS', 'Enter a full path (starting with / or a drive letter).');
    return path;
  }

  function loadSchedule(): ScheduleSettings {
    const row = deps.store().db.prepare('SELECT value FROM settings WHERE key = ?').get(SCHEDULE_KEY) as
      { value: string } | undefined;
    if (!row) return { ...DEFAULT_SCHEDULE };
    try {
      return { ...DEFAULT_SCHEDULE, ...(JSON.parse(row.value) as Partial<ScheduleSettings>) };
    } catch {
      return { ...DEFAULT_SCHEDULE };
    }
  }

  function saveSchedule(s: ScheduleSettings): void {
    deps
      .store()
      .db.prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(SCHEDULE_KEY, JSON.stringify(s));
  }

  async function backupTo(
    out: string,
    password: string,
    signal?: AbortSignal,
    onProgress?: (p: BackupProgress) => void,
  ) {
    deps.store();
    const connection = deps.profile.secondConnection();
    try {
      return await createBackup({
        profileDir: deps.profileDir,
        connection,
        out,
        password,
        appVersion: deps.info.version,
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
    } finally {
      connection.key.fill(0);
    }
  }

  const scheduler = new BackupScheduler({
    load: loadSchedule,
    save: saveSchedule,
    backup: async (out, password) => {
      await backupTo(out, password);
    },
    onChange: () => deps.bus.emit('backup.scheduleChanged', {}),
    logger: deps.logger,
  });
  // The timer lives in the core and runs only while unlocked.
  deps.bus.on((name, payload) => {
    if (name !== 'profile.changed') return;
    if ((payload as { state: string }).state === 'unlocked') scheduler.start();
    else scheduler.stop();
  });

  const scheduleView = (): BackupSchedule => scheduler.status();

  return {
    'backup.create': ({ jobId, path, password }) =>
      job(jobId, (signal, progress) => backupTo(requireAbsolute(path), password, signal, progress)),

    'backup.cancel': ({ jobId }) => {
      const controller = jobs.get(jobId);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },

    'backup.verify': ({ jobId, path, password }) =>
      job(jobId, (signal, onProgress) =>
        verifyBackup({ file: requireAbsolute(path), password, signal, onProgress }),
      ),

    'backup.restore': async ({ jobId, path, password, replace }) => {
      const state = deps.profile.status().state;
      if (state === 'unlocked') {
        throw new ParleyError('INVALID_STATE', 'Lock Parley before restoring a backup over this profile.');
      }
      if (state !== 'none' && replace !== true) {
        throw new ParleyError(
          'PROFILE_EXISTS',
          'A profile already exists here. Confirm replacing it (it is kept aside, not deleted), or restore into another folder.',
        );
      }
      const binding = deps.profile.nativeBinding;
      const result = await job(jobId, (signal, onProgress) =>
        restoreBackup({
          file: requireAbsolute(path),
          password,
          targetDir: deps.profileDir,
          lockHeldByCaller: true,
          replace: state !== 'none',
          signal,
          onProgress,
          ...(binding ? { nativeBinding: binding } : {}),
        }),
      );
      deps.profile.announce();
      deps.logger.log('info', 'backup.restored', { groups: result.groupsToResync });
      return {
        createdAt: result.createdAt,
        appVersion: result.appVersion,
        files: result.files,
        contentBytes: result.contentBytes,
        archiveBytes: result.archiveBytes,
        groupsToResync: result.groupsToResync,
      };
    },

    'backup.getSchedule': () => scheduleView(),

    'backup.setSchedule': ({ enabled, folder, intervalHours, keep, password }) => {
      deps.store();
      if (enabled && (!folder || !isAbsolute(folder))) {
        throw new ParleyError('INVALID_PARAMS', 'Choose a folder (a full path) for scheduled backups.');
      }
      if (enabled && !existsSync(folder)) {
        throw new ParleyError('INVALID_PARAMS', `The folder ${folder} does not exist.`);
      }
      if (password !== undefined) {
        const problem = passphraseProblem(password);
        if (problem) throw new ParleyError('WEAK_PASSPHRASE', `Backup password: ${problem}`);
        scheduler.setPassword(password);
      }
      const current = loadSchedule();
      saveSchedule({ ...current, enabled, folder, intervalHours, keep });
      deps.bus.emit('backup.scheduleChanged', {});
      void scheduler.tick();
      return scheduleView();
    },
  };
}
