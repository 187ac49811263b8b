import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ParleyError, isParleyError, storageError } from '../errors';
import { DATABASE_FILE } from '../profile/profileService';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import { migrate } from '../store/migrate';
import { PROFILE_HEADER_FILE, parseProfileHeader } from '../store/profileHeader';
import { fsyncDir, writeFileAtomic } from '../util/atomicFile';
import { openArchive } from './archiveStream';
import { BackupError } from './backupError';
import { ATTACHMENTS_DIR, DATABASE_ENTRY, readPayload, type Manifest, type PayloadSink } from './payload';
import { throttled, type ProgressListener } from './progress';
import { markGroupsForResync } from '../groups/resync';
import { ProfileRepositories } from '../store/profileRepositories';
import { rotateRestoredDevice } from './restoredDevice';

export interface ReadOptions {
  /** The archive. */
  file: string;
  password: string;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** The user confirmed a header asking for more KDF cost than Parley writes (archiveFormat.ts). */
  allowCostlyKdf?: boolean;
}

export interface VerifyResult {
  createdAt: string;
  appVersion: string;
  files: number;
  contentBytes: number;
  archiveBytes: number;
}

async function openInput(path: string): Promise<{ file: FileHandle; size: number }> {
  let file: FileHandle;
  try {
    file = await open(resolve(path), 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ParleyError('INVALID_PARAMS', `There is no file at ${path}.`);
    if (code === 'EISDIR') throw new ParleyError('INVALID_PARAMS', `${path} is a folder, not a backup file.`);
    throw storageError(err, 'open the backup');
  }
  const size = (await file.stat()).size;
  return { file, size };
}

/**
 * Reads the whole archive through a sink: header, password, every chunk, the
 * authenticated end, and the records' consistency. Throws BackupError on the
 * first problem.
 */
async function readArchive(
  options: ReadOptions,
  phase: 'verifying' | 'restoring',
  sink: PayloadSink,
): Promise<VerifyResult> {
  const { file, size } = await openInput(options.file);
  const progress = throttled(options.onProgress);
  try {
    const archive = await openArchive(file, options.password, {
      allowCostlyKdf: options.allowCostlyKdf === true,
    });
    progress({ phase, bytesDone: 0, bytesTotal: size });
    const signal = options.signal;
    async function* watched(): AsyncGenerator<Buffer, void, undefined> {
      for await (const chunk of archive.chunks) {
        if (signal?.aborted) throw new BackupError('cancelled', 'Cancelled. Nothing was restored.');
        yield chunk;
        progress({ phase, bytesDone: archive.position(), bytesTotal: size });
      }
    }
    const manifest = await readPayload(watched(), sink);
    return {
      createdAt: manifest.createdAt,
      appVersion: manifest.appVersion,
      files: manifest.files,
      contentBytes: manifest.bytes,
      archiveBytes: size,
    };
  } finally {
    await file.close();
  }
}

/** Checks the password and every chunk without writing anything (`parley backup verify`). */
export async function verifyBackup(options: ReadOptions): Promise<VerifyResult> {
  let manifestSeen: Manifest | null = null;
  const result = await readArchive(options, 'verifying', {
    manifest: async (m) => {
      parseProfileHeader(m.profileHeader);
      manifestSeen = m;
    },
    openFile: async () => {},
    data: async () => {},
    closeFile: async () => {},
  });
  if (!manifestSeen) throw new BackupError('corrupt', 'This backup has no contents.');
  options.onProgress?.({ phase: 'done', bytesDone: result.archiveBytes, bytesTotal: result.archiveBytes });
  return result;
}

export interface RestoreOptions extends ReadOptions {
  /** The profile folder to restore into. */
  targetDir: string;
  /**
   * The user confirmed replacing an existing profile there. The old files are
   * kept beside it (`<dir>.before-restore-<time>` or `<dir>/before-restore-<time>/`), never deleted.
   */
  replace?: boolean;
  /** The caller holds the target's profile lock (the running core restores into its own folder). */
  lockHeldByCaller?: boolean;
  nativeBinding?: string;
  now?: () => Date;
}

export interface RestoreResult extends VerifyResult {
  profileDir: string;
  /** The restored device's new PeerId, and the one it had before. */
  peerId: string;
  previousPeerId: string | null;
  /** Groups that need a resync before this device can send in them. */
  groupsToResync: number;
  /** Where the replaced profile was moved, when one was replaced. */
  replacedTo?: string;
}

const PROFILE_ENTRIES = [PROFILE_HEADER_FILE, DATABASE_FILE, ATTACHMENTS_DIR];

function hasProfile(dir: string): boolean {
  return existsSync(join(dir, PROFILE_HEADER_FILE));
}

function lockOwner(dir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(dir, 'parley.pid'), 'utf8').trim(), 10);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
    try {
      process.kill(pid, 0);
      return pid;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
    }
  } catch {
    return null;
  }
}

/** Writes the archive's files under `root`, refusing anything but new regular files inside it. */
class FolderSink {
  seenManifest: Manifest | null = null;
  private current: FileHandle | null = null;
  /** Set once the folder was created: only after the header, the password and the first chunk checked out. */
  created = false;

  constructor(private readonly root: string) {}

  async manifestSeen(m: Manifest): Promise<void> {
    // The header must parse (and not be from a newer Parley) before a single byte is written.
    try {
      parseProfileHeader(m.profileHeader);
    } catch (err) {
      if (isParleyError(err, 'PROFILE_TOO_NEW')) throw new BackupError('too_new', err.message);
      throw new BackupError('corrupt', 'This backup is damaged (its profile header is invalid).');
    }
    mkdirSync(this.root, { mode: 0o700 });
    this.created = true;
    this.seenManifest = m;
  }

  async openFile(path: string, _size: number): Promise<void> {
    const target = join(this.root, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    this.current = await open(target, 'wx', 0o600);
  }

  async data(bytes: Buffer): Promise<void> {
    if (!this.current) throw new BackupError('corrupt', 'This backup is damaged.');
    let at = 0;
    while (at < bytes.length) {
      const { bytesWritten } = await this.current.write(bytes, at, bytes.length - at);
      at += bytesWritten;
    }
  }

  async closeFile(): Promise<void> {
    if (!this.current) return;
    const f = this.current;
    this.current = null;
    try {
      await f.sync();
    } finally {
      await f.close();
    }
  }

  async abort(): Promise<void> {
    if (this.current) await this.current.close().catch(() => undefined);
    this.current = null;
  }
}

/**
 * Restores an archive into a profile folder (docs/backup-format.md §5).
 * Everything is decrypted and checked into a temporary folder beside the
 * target first; only when the whole stream authenticated, the database opens
 * with the archived key and the device was rotated, are the files fsynced and
 * moved into place, `profile.json` last (until it exists the folder holds no
 * profile). Any failure removes the temporary folder and leaves the target as
 * it was. An existing profile is replaced only with `replace: true`.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const target = resolve(options.targetDir);
  const exists = existsSync(target);
  if (exists && !statSync(target).isDirectory()) {
    throw new ParleyError('INVALID_PARAMS', `${target} is a file, not a profile folder.`);
  }
  if (exists && !options.lockHeldByCaller) {
    const owner = lockOwner(target);
    if (owner !== null) {
      throw new ParleyError(
        'PROFILE_IN_USE',
        `The profile in ${target} is open in another Parley process (pid ${owner}). Quit it first.`,
      );
    }
  }
  if (exists && hasProfile(target) && !options.replace) {
    throw new BackupError(
      'target_exists',
      `A profile already exists in ${target}. It is never overwritten unless you confirm replacing it.`,
    );
  }
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const tag = randomBytes(6).toString('hex');
  const temp = join(parent, `.${basename(target)}.restoring-${tag}`);
  const sink = new FolderSink(temp);
  let published = false;
  try {
    const verified = await readArchive(options, 'restoring', {
      manifest: (m) => sink.manifestSeen(m),
      openFile: (p, s) => sink.openFile(p, s),
      data: (b) => sink.data(b),
      closeFile: () => sink.closeFile(),
    });
    const manifest = sink.seenManifest;
    if (!manifest) throw new BackupError('corrupt', 'This backup has no contents.');
    const now = (options.now ?? (() => new Date()))();
    const dataKey = Buffer.from(manifest.dataKey, 'base64');
    const dbPath = join(temp, DATABASE_FILE);
    if (DATABASE_ENTRY !== DATABASE_FILE) renameSync(join(temp, DATABASE_ENTRY), dbPath);
    let rotated: Awaited<ReturnType<typeof rotateRestoredDevice>>;
    try {
      const db = openEncryptedDatabase(dbPath, dataKey, {
        create: false,
        ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      });
      try {
        migrate(db);
        const repos = new ProfileRepositories(db);
        rotated = await rotateRestoredDevice(
          repos,
          (previousPeerId) => markGroupsForResync(repos.resync, previousPeerId),
          now.getTime(),
        );
        // What the first unlock tells the user: restored from when, and what is still rejoining.
        repos.restoreNotices.record({
          restoredAt: now.getTime(),
          backupCreatedAt: manifest.createdAt,
          conversations: rotated.groups,
        });
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
      }
    } catch (err) {
      if (isParleyError(err, 'STORAGE_UNAVAILABLE')) throw err;
      throw new BackupError('corrupt', 'The database inside this backup cannot be opened.', { cause: err });
    } finally {
      dataKey.fill(0);
    }
    writeFileAtomic(join(temp, PROFILE_HEADER_FILE), manifest.profileHeader);
    fsyncDir(temp);
    const replacedTo = moveIntoPlace(temp, target, exists, now);
    published = true;
    options.onProgress?.({
      phase: 'done',
      bytesDone: verified.archiveBytes,
      bytesTotal: verified.archiveBytes,
    });
    return {
      ...verified,
      profileDir: target,
      peerId: rotated.peerId,
      previousPeerId: rotated.previousPeerId,
      groupsToResync: rotated.groups,
      ...(replacedTo ? { replacedTo } : {}),
    };
  } catch (err) {
    await sink.abort();
    if (isParleyError(err)) throw err;
    throw storageError(err, 'restore the backup');
  } finally {
    if (sink.created && !published) rmSync(temp, { recursive: true, force: true });
  }
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/**
 * Publishes the restored files. A target that does not exist is replaced by
 * one rename. Into an existing folder (the running core's, or one confirmed
 * for replacing) the entries move one by one with `profile.json` last, after
 * the previous profile's entries were moved into `before-restore-<time>/`.
 */
function moveIntoPlace(temp: string, target: string, exists: boolean, now: Date): string | undefined {
  if (!exists) {
    renameSync(temp, target);
    fsyncDir(dirname(target));
    return undefined;
  }
  let replacedTo: string | undefined;
  const hadProfile = hasProfile(target);
  if (hadProfile) {
    replacedTo = join(target, `before-restore-${stamp(now)}`);
    mkdirSync(replacedTo, { mode: 0o700 });
    // profile.json first: from here on the folder holds no profile until the new header lands.
    for (const name of [PROFILE_HEADER_FILE, ...readdirSync(target)]) {
      if (name === basename(replacedTo) || name === 'parley.pid' || name.startsWith('before-restore-'))
        continue;
      if (!existsSync(join(target, name))) continue;
      renameSync(join(target, name), join(replacedTo, name));
    }
  } else {
    // No profile: whatever is there is the leftover of an unfinished creation, not the user's data.
    for (const name of readdirSync(target)) {
      if (name.startsWith(DATABASE_FILE) || name === ATTACHMENTS_DIR) {
        rmSync(join(target, name), { recursive: true, force: true });
      }
    }
  }
  for (const name of PROFILE_ENTRIES.slice(1)) {
    if (existsSync(join(temp, name))) renameSync(join(temp, name), join(target, name));
  }
  fsyncDir(target);
  renameSync(join(temp, PROFILE_HEADER_FILE), join(target, PROFILE_HEADER_FILE));
  fsyncDir(target);
  rmSync(temp, { recursive: true, force: true });
  return replacedTo;
}
