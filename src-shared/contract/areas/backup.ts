import { z } from 'zod';
import { PASSPHRASE_MAX_LENGTH } from '../passphrase';
import { RestoreWaiting } from '../store';
import { HostHandle } from './host';
import type { EventTable, RequestTable } from './table';

/**
 * Encrypted backup, verify and restore (issue #8; docs/backup-format.md).
 * Long jobs are plain requests that answer when the job ends; the caller
 * names the job (`jobId`) so it can follow `backup.progress` and call
 * `backup.cancel` while the request is still pending. Files are read and
 * written by the core: the CLI names paths; the desktop app and the web shell
 * pass handles (areas/host.ts), or ask for a browser download.
 */

export const BackupJobId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'A job id is 1 to 64 letters, digits, - or _.');

const FilePath = z
  .string()
  .trim()
  .min(1, 'Enter the path of a file.')
  .max(4096, 'That path is too long.')
  .refine((s) => !s.includes('\u0000'), 'A path cannot contain a NUL character.');

/** The backup password: separate from the unlock passphrase, never stored (the core checks its strength). */
const BackupPassword = z.string().min(1, 'Enter the backup password.').max(PASSPHRASE_MAX_LENGTH);

export const BackupPhase = z.enum(['snapshot', 'writing', 'verifying', 'restoring', 'done']);
export type BackupPhase = z.infer<typeof BackupPhase>;

export const BackupProgressEvent = z.object({
  jobId: BackupJobId,
  phase: BackupPhase,
  bytesDone: z.number().int().min(0),
  bytesTotal: z.number().int().min(0),
});
export type BackupProgressEvent = z.infer<typeof BackupProgressEvent>;

export const BackupCreated = z.object({
  /** The archive's file name. */
  name: z.string(),
  /** Where it was written (CLI only: a renderer never learns paths). */
  path: z.string().optional(),
  /** `target: 'download'`: the one-time URL the browser downloads it from. */
  download: z.string().optional(),
  archiveBytes: z.number().int().min(0),
  contentBytes: z.number().int().min(0),
  files: z.number().int().min(0),
});
export type BackupCreated = z.infer<typeof BackupCreated>;

export const BackupVerified = z.object({
  createdAt: z.string(),
  appVersion: z.string(),
  files: z.number().int().min(0),
  contentBytes: z.number().int().min(0),
  archiveBytes: z.number().int().min(0),
});
export type BackupVerified = z.infer<typeof BackupVerified>;

export const BackupRestored = BackupVerified.extend({
  /** Conversations that are read-only until this device rejoined them (docs/backup-format.md §6). */
  groupsToResync: z.number().int().min(0),
});
export type BackupRestored = z.infer<typeof BackupRestored>;

/**
 * The "restored" context of the first unlock after a restore (issue #17 item
 * 9): what happened and what is still rejoining. Shown until dismissed.
 */
export const RestoreNotice = z.object({
  restoredAt: z.number(),
  /** When the backup was made (ISO 8601). */
  backupCreatedAt: z.string(),
  /** Conversations that had to rejoin as this new device. */
  total: z.number().int().min(0),
  /** Those still waiting, each with whom it waits for (the renderer says it: readOnlyWords). */
  waiting: z.array(
    z.object({ conversationId: z.number().int(), title: z.string(), waitingFor: RestoreWaiting }),
  ),
});
export type RestoreNotice = z.infer<typeof RestoreNotice>;

export const SCHEDULE_MAX_KEEP = 100;
export const SCHEDULE_MAX_INTERVAL_HOURS = 24 * 30;

export const BackupSchedule = z.object({
  enabled: z.boolean(),
  folder: z.string(),
  intervalHours: z.number().int().min(1).max(SCHEDULE_MAX_INTERVAL_HOURS),
  keep: z.number().int().min(1).max(SCHEDULE_MAX_KEEP),
  /** The password is kept in memory only: after each unlock it must be entered again. */
  hasPassword: z.boolean(),
  lastRunAt: z.number().int().optional(),
  lastError: z.string().optional(),
  nextRunAt: z.number().int().optional(),
});
export type BackupSchedule = z.infer<typeof BackupSchedule>;

/** Exactly one of a path (CLI) and a handle or download (the UI shells). */
const oneOf =
  (a: string, b: string) =>
  (p: Record<string, unknown>): boolean =>
    (p[a] === undefined) !== (p[b] === undefined);

export const backupRequests = {
  /**
   * Writes an encrypted archive of the unlocked profile: to `path` (CLI; must
   * not exist), to a save-dialog `target` handle, or, with `target:
   * 'download'`, for the browser to download (web shell).
   */
  'backup.create': {
    params: z
      .object({
        jobId: BackupJobId,
        path: FilePath.optional(),
        target: z.union([HostHandle, z.literal('download')]).optional(),
        password: BackupPassword,
      })
      .strict()
      .refine(oneOf('path', 'target'), 'Choose where to save the backup.'),
    result: BackupCreated,
  },
  /** Stops a running backup, verify or restore; nothing it started is left behind. */
  'backup.cancel': {
    params: z.object({ jobId: BackupJobId }).strict(),
    result: z.object({ cancelled: z.boolean() }),
  },
  /** Checks the password and every chunk of an archive without restoring anything. Works while locked. */
  'backup.verify': {
    params: z
      .object({
        jobId: BackupJobId,
        path: FilePath.optional(),
        source: HostHandle.optional(),
        password: BackupPassword,
        /** The user confirmed an archive whose password check costs more than Parley's own (NEEDS_CONFIRMATION). */
        allowCostlyKdf: z.boolean().optional(),
      })
      .strict()
      .refine(oneOf('path', 'source'), 'Choose the backup file.'),
    result: BackupVerified,
  },
  /**
   * Restores an archive into this app's profile folder. Allowed while no
   * profile exists; replacing a locked one needs `replace: true` (the user
   * confirmed). Leaves the profile locked: it opens with the passphrase it had.
   */
  'backup.restore': {
    params: z
      .object({
        jobId: BackupJobId,
        path: FilePath.optional(),
        source: HostHandle.optional(),
        password: BackupPassword,
        replace: z.boolean().optional(),
        allowCostlyKdf: z.boolean().optional(),
      })
      .strict()
      .refine(oneOf('path', 'source'), 'Choose the backup file.'),
    result: BackupRestored,
  },
  /** The "restored" context after a restore, until dismissed; null when there is none. */
  'backup.restoreNotice': { params: z.object({}).strict(), result: RestoreNotice.nullable() },
  /** The user read the restored context: it is not shown again. */
  'backup.dismissRestoreNotice': { params: z.object({}).strict(), result: z.object({}) },
  'backup.getSchedule': { params: z.object({}).strict(), result: BackupSchedule },
  /**
   * Scheduled backups into a folder, keeping the newest `keep`; runs only
   * while unlocked. The folder: `folder` (a path, CLI), `folderHandle` (a
   * folder dialog, desktop app), or neither (the current one, else the
   * default `backups` folder beside the profile: the web shell).
   */
  'backup.setSchedule': {
    params: z
      .object({
        enabled: z.boolean(),
        folder: z.string().trim().max(4096).optional(),
        folderHandle: HostHandle.optional(),
        intervalHours: z.number().int().min(1).max(SCHEDULE_MAX_INTERVAL_HOURS),
        keep: z.number().int().min(1).max(SCHEDULE_MAX_KEEP),
        /** Sets the in-memory password; omitted keeps the current one. */
        password: BackupPassword.optional(),
      })
      .strict(),
    result: BackupSchedule,
  },
} as const satisfies RequestTable;

export const backupEvents = {
  /** Progress of a backup, verify or restore job. */
  'backup.progress': BackupProgressEvent,
  /** The schedule changed or a scheduled backup ran (refetch with backup.getSchedule). */
  'backup.scheduleChanged': z.object({}),
} as const satisfies EventTable;
