import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { passphraseProblem } from '../../../src-shared/contract';
import { ParleyError, isParleyError, storageError } from '../errors';
import { PROFILE_HEADER_FILE } from '../store/profileHeader';
import type { KdfCost } from '../store/keyDerivation';
import { fsyncDir } from '../util/atomicFile';
import { newArchive, DEFAULT_ARCHIVE_KDF, DEFAULT_CHUNK_BYTES } from './archiveFormat';
import { ArchiveWriter } from './archiveStream';
import { BackupError } from './backupError';
import {
  ATTACHMENTS_DIR,
  BACKUP_FORMAT,
  DATABASE_ENTRY,
  endRecord,
  fileRecordHead,
  manifestRecord,
} from './payload';
import { throttled, type ProgressListener } from './progress';
import { snapshotDatabase, type SnapshotInput, type SnapshotReport } from './snapshot';

export interface CreateBackupOptions {
  profileDir: string;
  /** The live database and its key: ProfileService.secondConnection(). The key is not kept. */
  connection: { path: string; key: Buffer; nativeBinding?: string };
  /** The archive to write; it must not exist yet unless `replace`. */
  out: string;
  /** A save dialog already asked before replacing `out`: it is replaced in one rename. */
  replace?: boolean;
  /** The backup password (not the unlock passphrase; never stored). */
  password: string;
  appVersion: string;
  kdf?: KdfCost;
  chunkBytes?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Tests substitute the worker; the default runs VACUUM INTO on a worker thread. */
  snapshot?: (input: SnapshotInput) => Promise<SnapshotReport>;
  now?: () => Date;
}

export interface BackupResult {
  path: string;
  /** Size of the archive on disk. */
  archiveBytes: number;
  /** Plaintext bytes inside (database snapshot and attachments). */
  contentBytes: number;
  files: number;
}

const READ_BYTES = 1024 * 1024;

function cancelled(): BackupError {
  return new BackupError('cancelled', 'The backup was cancelled. No archive was written.');
}

/** Regular files under the attachments folder (symlinks and anything else are skipped: never followed out of the profile). */
function listAttachments(profileDir: string): { path: string; abs: string; size: number }[] {
  const root = join(profileDir, ATTACHMENTS_DIR);
  const out: { path: string; abs: string; size: number }[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 16) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names) {
      const abs = join(dir, name);
      const st = lstatSync(abs);
      if (st.isDirectory()) walk(abs, depth + 1);
      else if (st.isFile()) {
        out.push({
          path: `${ATTACHMENTS_DIR}/${relative(root, abs).split(sep).join('/')}`,
          abs,
          size: st.size,
        });
      }
    }
  };
  walk(root, 0);
  return out;
}

/**
 * Writes one encrypted archive of the profile (docs/backup-format.md): a
 * snapshot of the live database taken on a worker thread (still encrypted by
 * SQLCipher, deleted afterwards), then the attachments, streamed through
 * AES-256-GCM chunks into `<out>.partial-…`, fsynced and renamed into place.
 * Memory stays at a few chunks whatever the profile size. A failure or a
 * cancel removes the partial file: the archive either exists whole or not.
 */
export async function createBackup(options: CreateBackupOptions): Promise<BackupResult> {
  const problem = passphraseProblem(options.password);
  if (problem) throw new ParleyError('WEAK_PASSPHRASE', `Backup password: ${problem}`);
  const out = resolve(options.out);
  const profileDir = resolve(options.profileDir);
  if (out === profileDir || out.startsWith(profileDir + sep)) {
    throw new ParleyError('INVALID_PARAMS', 'Save the backup outside the profile folder.');
  }
  if (!options.replace) {
    try {
      statSync(out);
      throw new ParleyError('INVALID_PARAMS', `${basename(out)} already exists. Choose another file name.`);
    } catch (err) {
      if (isParleyError(err)) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(err, 'check the backup file');
    }
  }
  try {
    if (!statSync(dirname(out)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new ParleyError('INVALID_PARAMS', `The folder ${dirname(out)} does not exist.`);
  }
  const progress = throttled(options.onProgress);
  const signal = options.signal;
  const profileHeader = readFileSync(join(profileDir, PROFILE_HEADER_FILE), 'utf8');
  const tag = randomBytes(6).toString('hex');
  const snapshotPath = join(profileDir, `.backup-snapshot-${tag}.db`);
  const partial = `${out}.partial-${tag}`;
  let wrote = false;
  try {
    progress({ phase: 'snapshot', bytesDone: 0, bytesTotal: 0 });
    const report = await (options.snapshot ?? snapshotDatabase)({
      path: options.connection.path,
      key: options.connection.key,
      ...(options.connection.nativeBinding ? { nativeBinding: options.connection.nativeBinding } : {}),
      dest: snapshotPath,
    });
    if (!report.ok) {
      throw new ParleyError(
        report.errorCode === 'SQLITE_FULL' ? 'STORAGE_UNAVAILABLE' : 'INTERNAL',
        report.errorCode === 'SQLITE_FULL'
          ? 'Could not snapshot the database: the disk is full. No archive was written.'
          : 'Could not snapshot the database. No archive was written.',
      );
    }
    if (signal?.aborted) throw cancelled();
    const files = [
      { path: DATABASE_ENTRY, abs: snapshotPath, size: statSync(snapshotPath).size },
      ...listAttachments(profileDir),
    ];
    const contentBytes = files.reduce((n, f) => n + f.size, 0);
    const { header, headerBytes, key } = await newArchive(
      options.password,
      options.kdf ?? DEFAULT_ARCHIVE_KDF,
      options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    );
    if (signal?.aborted) throw cancelled();
    const file = await open(partial, 'wx', 0o600);
    wrote = true;
    let archiveBytes = 0;
    try {
      const writer = new ArchiveWriter(file, key, header, headerBytes);
      await writer.writeHeader();
      await writer.write(
        manifestRecord({
          format: BACKUP_FORMAT,
          version: 1,
          createdAt: (options.now ?? (() => new Date()))().toISOString(),
          appVersion: options.appVersion.slice(0, 64),
          profileHeader,
          dataKey: options.connection.key.toString('base64'),
          files: files.length,
          bytes: contentBytes,
        }),
      );
      let done = 0;
      progress({ phase: 'writing', bytesDone: 0, bytesTotal: contentBytes });
      const buffer = Buffer.allocUnsafe(READ_BYTES);
      for (const f of files) {
        await writer.write(fileRecordHead(f.path, f.size));
        const input = await open(f.abs, 'r');
        try {
          let left = f.size;
          while (left > 0) {
            if (signal?.aborted) throw cancelled();
            const { bytesRead } = await input.read(buffer, 0, Math.min(left, READ_BYTES), f.size - left);
            if (bytesRead === 0) {
              throw new ParleyError(
                'INVALID_STATE',
                'A file changed while it was being backed up. Try the backup again.',
              );
            }
            await writer.write(buffer.subarray(0, bytesRead));
            left -= bytesRead;
            done += bytesRead;
            progress({ phase: 'writing', bytesDone: done, bytesTotal: contentBytes });
          }
        } finally {
          await input.close();
        }
      }
      buffer.fill(0);
      if (signal?.aborted) throw cancelled();
      await writer.write(endRecord());
      await writer.finish();
      await file.sync();
      archiveBytes = writer.written;
    } finally {
      key.fill(0);
      await file.close();
    }
    if (signal?.aborted) throw cancelled();
    await rename(partial, out);
    wrote = false;
    fsyncDir(dirname(out));
    progress({ phase: 'done', bytesDone: contentBytes, bytesTotal: contentBytes });
    return { path: out, archiveBytes, contentBytes, files: files.length };
  } catch (err) {
    if (isParleyError(err)) throw err;
    throw storageError(err, 'write the backup');
  } finally {
    if (wrote) rmSync(partial, { force: true });
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(snapshotPath + suffix, { force: true });
  }
}
