import type { StateCreator } from 'zustand';
import type { ErrorPayload } from '../../../src-preload/contract';
import type { BackupPhase, BackupSchedule } from '../../../src-preload/contract/areas/backup';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';
import { formatBytes } from '../../../src-preload/contract/format';

export type BackupKind = 'create' | 'verify' | 'restore';

export interface BackupJob {
  jobId: string;
  kind: BackupKind;
  phase: BackupPhase;
  bytesDone: number;
  bytesTotal: number;
}

export interface BackupSlice {
  /** The running backup, verify or restore (one at a time per window). */
  backupJob: BackupJob | null;
  /** What the last job achieved, in words for the user. */
  backupNotice: { kind: BackupKind; message: string } | null;
  backupError: (ErrorPayload & { kind: BackupKind | 'schedule' }) | null;
  backupSchedule: BackupSchedule | null;
  startBackup(path: string, password: string): Promise<boolean>;
  verifyBackup(path: string, password: string): Promise<boolean>;
  /** Restores into this app's profile folder; `replace` only after the user confirmed. */
  restoreBackup(path: string, password: string, replace?: boolean): Promise<boolean>;
  cancelBackup(): Promise<void>;
  loadBackupSchedule(): Promise<void>;
  saveBackupSchedule(change: {
    enabled: boolean;
    folder: string;
    intervalHours: number;
    keep: number;
    password?: string;
  }): Promise<boolean>;
  clearBackupMessages(): void;
}

function newJobId(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return `ui-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

// One wording for sizes in the UI, the CLI and the core's messages.
export { formatBytes };

export const createBackupSlice: StateCreator<AppState, [], [], BackupSlice> = (set, get) => {
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
    startBackup: (path, password) =>
      run(
        'create',
        (jobId) => api.backupCreate(jobId, path, password),
        (r) => `Backup saved to ${r.path} (${formatBytes(r.archiveBytes)}). Keep the backup password safe.`,
      ),
    verifyBackup: (path, password) =>
      run(
        'verify',
        (jobId) => api.backupVerify(jobId, path, password),
        (r) =>
          `The backup is intact and the password is right: made ${new Date(r.createdAt).toLocaleString()}, ${r.files} files, ${formatBytes(r.contentBytes)}.`,
      ),
    restoreBackup: (path, password, replace) =>
      run(
        'restore',
        (jobId) => api.backupRestore(jobId, path, password, replace),
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
  };
};
