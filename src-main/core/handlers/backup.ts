import { createReadStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { passphraseProblem, type RestoreWaiting } from '../../../src-shared/contract';
import type { backupRequests, BackupSchedule } from '../../../src-shared/contract/areas/backup';
import { createBackup } from '../backup/createBackup';
import type { BackupProgress } from '../backup/progress';
import { restoreBackup, verifyBackup } from '../backup/restoreBackup';
import { BackupScheduler, DEFAULT_SCHEDULE, type ScheduleSettings } from '../backup/scheduler';
import { ParleyError } from '../errors';
import { groupsAwaitingResync } from '../groups/resync';
import type { HandlerDeps, HandlersFor } from './deps';

const SCHEDULE_KEY = 'backup.schedule';
/** A conversation the resync list names whose summary does not (left meanwhile): it waits for a member. */
const restoringUnnamed: RestoreWaiting = { kind: 'restoring', waitingFor: [], others: 0 };

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

  /**
   * Paths are for the command line only. The desktop app and the web shell
   * pass handles of files the user chose (areas/host.ts): their renderer
   * shows other people's content, and must not be able to name any file.
   */
  function cliPath(path: string): string {
    if (deps.info.shell !== 'cli') {
      throw new ParleyError(
        'INVALID_STATE',
        'Paths can only be used from the command line; choose the file instead.',
      );
    }
    return requireAbsolute(path);
  }

  /** The archive to read: a CLI path or a chosen (or uploaded) file's handle. */
  function source(p: { path?: string | undefined; source?: string | undefined }): string {
    if (p.path !== undefined) return cliPath(p.path);
    return deps.hostFiles.use(p.source ?? '', 'read').path;
  }

  /** Scheduled backups without a chosen folder (the web shell): beside the profile. */
  const defaultScheduleFolder = () => join(dirname(deps.profileDir), 'backups');

  function loadSchedule(): ScheduleSettings {
    const value = deps.store().settings.get(SCHEDULE_KEY);
    if (value === null) return { ...DEFAULT_SCHEDULE };
    try {
      return { ...DEFAULT_SCHEDULE, ...(JSON.parse(value) as Partial<ScheduleSettings>) };
    } catch {
      return { ...DEFAULT_SCHEDULE };
    }
  }

  function saveSchedule(s: ScheduleSettings): void {
    deps.store().settings.set(SCHEDULE_KEY, JSON.stringify(s));
  }

  async function backupTo(
    out: string,
    password: string,
    signal?: AbortSignal,
    onProgress?: (p: BackupProgress) => void,
    replace = false,
  ) {
    deps.store();
    const connection = deps.profile.secondConnection();
    try {
      return await createBackup({
        profileDir: deps.profileDir,
        connection,
        out,
        replace,
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
    'backup.create': async ({ jobId, path, target, password }) => {
      const name = () => `parley-${new Date().toISOString().slice(0, 10)}.parley-backup`;
      if (path !== undefined) {
        const made = await job(jobId, (signal, progress) =>
          backupTo(cliPath(path), password, signal, progress),
        );
        return { ...made, name: made.path.split(/[\\/]/).pop() ?? made.path };
      }
      if (target === 'download') {
        // Written to a private temporary folder, then streamed to the browser once and deleted.
        const out = join(deps.hostFiles.tempDir(), `${jobId}-${name()}`);
        const made = await job(jobId, (signal, progress) => backupTo(out, password, signal, progress));
        const token = deps.hostFiles.offerDownload({
          name: name(),
          size: made.archiveBytes,
          mime: 'application/octet-stream',
          open: () => createReadStream(out),
          cleanup: () => rmSync(out, { force: true }),
        });
        const { path: _path, ...rest } = made;
        return { ...rest, name: name(), download: `/download/${token}` };
      }
      const entry = deps.hostFiles.use(target ?? '', 'write');
      const made = await job(jobId, (signal, progress) =>
        backupTo(entry.path, password, signal, progress, true),
      );
      deps.hostFiles.release(target ?? '');
      const { path: _path, ...rest } = made;
      return { ...rest, name: entry.name };
    },

    'backup.cancel': ({ jobId }) => {
      const controller = jobs.get(jobId);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },

    'backup.verify': (params) => {
      const file = source(params);
      return job(params.jobId, (signal, onProgress) =>
        verifyBackup({
          file,
          password: params.password,
          signal,
          onProgress,
          allowCostlyKdf: params.allowCostlyKdf,
        }),
      );
    },

    'backup.restore': async (params) => {
      const { jobId, password, replace, allowCostlyKdf } = params;
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
          file: source(params),
          password,
          targetDir: deps.profileDir,
          lockHeldByCaller: true,
          replace: state !== 'none',
          signal,
          onProgress,
          allowCostlyKdf,
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

    'backup.restoreNotice': () => {
      const s = deps.store();
      const notice = s.restoreNotices.read();
      if (!notice) return null;
      // Whatever still waits for a member to come online, named as the chat names it.
      const waiting = groupsAwaitingResync(s.resync).map((id) => {
        const c = s.conversations.get(id);
        const waitingFor = c.readOnly?.kind === 'restoring' ? c.readOnly : restoringUnnamed;
        return { conversationId: id, title: c.title, waitingFor };
      });
      return {
        restoredAt: notice.restoredAt,
        backupCreatedAt: notice.backupCreatedAt,
        total: notice.conversations,
        waiting,
      };
    },
    'backup.dismissRestoreNotice': () => {
      deps.store().restoreNotices.dismiss();
      return {};
    },

    'backup.getSchedule': () => scheduleView(),

    'backup.setSchedule': ({ enabled, folder: typed, folderHandle, intervalHours, keep, password }) => {
      deps.store();
      let folder: string;
      if (typed !== undefined && typed !== '') folder = cliPath(typed);
      else if (folderHandle !== undefined) folder = deps.hostFiles.use(folderHandle, 'folder').path;
      else folder = loadSchedule().folder || defaultScheduleFolder();
      if (enabled && folder === defaultScheduleFolder()) mkdirSync(folder, { recursive: true, mode: 0o700 });
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
