import type { StateCreator } from 'zustand';
import type { ErrorPayload } from '../../../src-shared/contract';
import type { BackupPhase, BackupSchedule, RestoreNotice } from '../../../src-shared/contract/areas/backup';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';
import { formatBytes } from '../../../src-shared/contract/format';
import { browserDownload, uploadForHandle } from './hostFileTransfer';
import { formatDateTime } from '../lib/time';

/** The archive's ISO creation time in the window's one date format; the raw text if it cannot be read. */
function madeAt(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatDateTime(ms);
}

export type BackupKind = 'create' | 'verify' | 'restore';

export interface BackupJob {
  jobId: string;
  kind: BackupKind;
  /** 'uploading': the web shell sends the chosen archive to the core first. */
  phase: BackupPhase | 'uploading';
  bytesDone: number;
  bytesTotal: number;
}

/**
 * A backup archive the user chose: through a native dialog (desktop app; the
 * core holds the path) or the browser's file picker (web shell; uploaded
 * when the job starts).
 */
export type BackupSource =
  { kind: 'handle'; handle: string; name: string } | { kind: 'file'; file: File; name: string };

export interface BackupSlice {
  /** The running backup, verify or restore (one at a time per window). */
  backupJob: BackupJob | null;
  /** What the last job achieved, in words for the user. */
  backupNotice: { kind: BackupKind; message: string } | null;
  backupError: (ErrorPayload & { kind: BackupKind | 'schedule' }) | null;
  backupSchedule: BackupSchedule | null;
  /**
   * Desktop app: asks where to save (native dialog), then writes there.
   * Web shell: writes it, then hands it to the browser as a download.
   * False when it failed or the user cancelled the dialog.
   */
  startBackup(password: string): Promise<boolean>;
  verifyBackup(source: BackupSource, password: string): Promise<boolean>;
  /** Restores into this app's profile folder; `replace` only after the user confirmed. */
  restoreBackup(source: BackupSource, password: string, replace?: boolean): Promise<boolean>;
  cancelBackup(): Promise<void>;
  loadBackupSchedule(): Promise<void>;
  /** Loads the schedule now and whenever the core changes it (a run finished, another window saved); returns the unsubscribe. */
  watchBackupSchedule(): () => void;
  saveBackupSchedule(change: {
    enabled: boolean;
    /** A folder from the native folder dialog; absent keeps the current one (or the default). */
    folderHandle?: string;
    intervalHours: number;
    keep: number;
    password?: string;
  }): Promise<boolean>;
  clearBackupMessages(): void;
  /** After a restore: what happened and what still rejoins, until the user dismissed it (issue #17 item 9). */
  restoreNotice: RestoreNotice | null;
  loadRestoreNotice(): Promise<void>;
  /** "Got it": the notice is not shown again, on any window. */
  dismissRestoreNotice(): Promise<void>;
}

function newJobId(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return `ui-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

// One wording for sizes in the UI, the CLI and the core's messages.
export { formatBytes };

export const createBackupSlice: StateCreator<AppState, [], [], BackupSlice> = (set, get) => {
  /** The handle of a chosen archive, uploading it first when it came from the browser. */
  async function handleOf(source: BackupSource, jobId: string): Promise<string> {
    if (source.kind === 'handle') return source.handle;
    const total = source.file.size;
    const progress = (bytesDone: number) => {
      const job = get().backupJob;
      if (job?.jobId === jobId)
        set({ backupJob: { ...job, phase: 'uploading', bytesDone, bytesTotal: total } });
    };
    progress(0);
    return (await uploadForHandle(source.file, progress)).handle;
  }

  /** Runs one job, following its progress events until the request answers. */
  async function run<T>(
    kind: BackupKind,
    work: (jobId: string) => Promise<T>,
    describe: (value: T) => string,
  ): Promise<boolean> {
    if (get().backupJob) return false;
    const jobId = newJobId();
    set({
      backupJob: {
        jobId,
        kind,
        phase: kind === 'create' ? 'snapshot' : kind === 'verify' ? 'verifying' : 'restoring',
        bytesDone: 0,
        bytesTotal: 0,
      },
      backupNotice: null,
      backupError: null,
    });
    const off = api.onBackupProgress((p) => {
      const job = get().backupJob;
      if (job && p.jobId === job.jobId)
        set({ backupJob: { ...job, phase: p.phase, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal } });
    });
    try {
      const value = await work(jobId);
      set({ backupJob: null, backupNotice: { kind, message: describe(value) } });
      return true;
    } catch (err) {
      set({ backupJob: null, backupError: { ...toErrorPayload(err), kind } });
      return false;
    } finally {
      off();
    }
  }

  return {
    backupJob: null,
    backupNotice: null,
    backupError: null,
    backupSchedule: null,
    async startBackup(password) {
      const desktop = get().appInfo?.shell === 'electron';
      let target = 'download';
      if (desktop) {
        const chosen = await api
          .pickSaveTarget('backup', `parley-${new Date().toISOString().slice(0, 10)}.parley-backup`)
          .catch((err: unknown) => {
            set({ backupError: { ...toErrorPayload(err), kind: 'create' } });
            return null;
          });
        if (!chosen) return false;
        target = chosen.handle;
      }
      return run(
        'create',
        async (jobId) => {
          const made = await api.backupCreate(jobId, target, password);
          if (made.download) browserDownload(made.download, made.name);
          return made;
        },
        (r) =>
          r.download
            ? `Backup ready: your browser is saving ${r.name} (${formatBytes(r.archiveBytes)}). Keep the backup password safe.`
            : `Backup saved as ${r.name} (${formatBytes(r.archiveBytes)}). Keep the backup password safe.`,
      );
    },
    verifyBackup: (source, password) =>
      run(
        'verify',
        async (jobId) => api.backupVerify(jobId, await handleOf(source, jobId), password),
        (r) =>
          `The backup is intact and the password is right: made ${madeAt(r.createdAt)}, ${r.files} files, ${formatBytes(r.contentBytes)}.`,
      ),
    restoreBackup: (source, password, replace) =>
      run(
        'restore',
        async (jobId) => api.backupRestore(jobId, await handleOf(source, jobId), password, replace),
        (r) =>
          `Restored ${r.files} files. Unlock with the passphrase this profile had when it was backed up.` +
          (r.groupsToResync > 0
            ? ` ${r.groupsToResync} conversations are read-only until a member is online.`
            : ''),
      ),
    async cancelBackup() {
      const job = get().backupJob;
      if (!job) return;
      try {
        await api.backupCancel(job.jobId);
      } catch {
        // The job's own request reports how it ended.
      }
    },
    async loadBackupSchedule() {
      try {
        set({ backupSchedule: await api.backupSchedule() });
      } catch (err) {
        set({ backupError: { ...toErrorPayload(err), kind: 'schedule' } });
      }
    },
    watchBackupSchedule() {
      void get().loadBackupSchedule();
      return api.onBackupScheduleChanged(() => void get().loadBackupSchedule());
    },
    async saveBackupSchedule(change) {
      set({ backupError: null });
      try {
        set({ backupSchedule: await api.setBackupSchedule(change) });
        return true;
      } catch (err) {
        set({ backupError: { ...toErrorPayload(err), kind: 'schedule' } });
        return false;
      }
    },
    clearBackupMessages: () => set({ backupNotice: null, backupError: null }),
    restoreNotice: null,
    async loadRestoreNotice() {
      try {
        set({ restoreNotice: await api.restoreNotice() });
      } catch {
        // Only context: the conversations themselves say when they are read-only.
      }
    },
    async dismissRestoreNotice() {
      set({ restoreNotice: null });
      try {
        await api.dismissRestoreNotice();
      } catch {
        // Then it shows again after the next unlock; it is only context, nothing is lost.
      }
    },
  };
};
