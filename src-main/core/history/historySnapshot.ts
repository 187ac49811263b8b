import { randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiveWriter } from '../backup/archiveStream';
import { isParleyError, storageError } from '../errors';
import type { HistorySnapshotCounts } from '../store/historySnapshot';
import { fsyncDir } from '../util/atomicFile';
import { runWorker } from '../workers/runWorker';
import { HistoryError } from './historyError';
import {
  HISTORY_FORMAT,
  payloadBytes,
  payloadPrefix,
  payloadSuffix,
  type HistoryManifest,
} from './historyPayload';
import {
  HISTORY_CHUNK_BYTES,
  TRANSFER_ID_BYTES,
  chunkCountFor,
  encodeHistoryHeader,
  historyStreamKey,
  type HistoryHeader,
} from './historyStreamFormat';

/** What the snapshot worker is given (workers/historySnapshot.worker.ts). */
export interface HistorySnapshotJob {
  /** The live database and its key: a second connection (ProfileService.secondConnection()). */
  path: string;
  key: Uint8Array;
  nativeBinding?: string;
  /** The snapshot file to create. */
  dest: string;
  snapshotKey: Uint8Array;
}

export type HistorySnapshotReport =
  { ok: true; counts: HistorySnapshotCounts } | { ok: false; errorCode: string; message: string };

export interface MakeHistoryStreamOptions {
  profileDir: string;
  connection: { path: string; key: Buffer; nativeBinding?: string };
  /** From the link exchange (docs/protocol.md §13.5). */
  kHistory: Uint8Array;
  transferId: Uint8Array;
  /** This device's PeerId, named in the manifest. */
  sourcePeerId: string;
  chunkBytes?: number;
  /** Tests substitute the worker. */
  snapshot?: (job: HistorySnapshotJob) => Promise<HistorySnapshotReport>;
}

export interface HistoryStreamFile {
  /** `.history-<transfer id>.stream` in the profile folder. */
  path: string;
  header: HistoryHeader;
  headerBytes: Buffer;
  /** Size of the stream file. */
  streamBytes: number;
  counts: HistorySnapshotCounts;
}

/** The stream file of a transfer, named by its id (hex). */
export function historyStreamPath(profileDir: string, transferId: Uint8Array): string {
  return join(profileDir, `.history-${Buffer.from(transferId).toString('hex')}.stream`);
}

export function defaultHistorySnapshot(job: HistorySnapshotJob): Promise<HistorySnapshotReport> {
  return runWorker<HistorySnapshotReport>('historySnapshot', job, 30 * 60_000);
}

/**
 * On the device that gives its history (E): takes the allowlisted snapshot
 * on a worker thread under a fresh random snapshot key, then seals it into
 * the history stream (docs/protocol.md §13.7) written ONCE to
 * `.history-<transfer id>.stream`, so every later request for chunk i gets
 * the same bytes. The snapshot file itself is deleted whatever happens; a
 * failure leaves no stream behind.
 */
export async function makeHistoryStream(options: MakeHistoryStreamOptions): Promise<HistoryStreamFile> {
  if (options.transferId.length !== TRANSFER_ID_BYTES) throw new RangeError('transfer id is 16 bytes');
  const key = historyStreamKey(options.kHistory, options.transferId);
  const id = Buffer.from(options.transferId).toString('hex');
  const snapshotPath = join(options.profileDir, `.history-${id}.snapshot.db`);
  const out = historyStreamPath(options.profileDir, options.transferId);
  const partial = `${out}.partial`;
  const snapshotKey = randomBytes(32);
  let wrote = false;
  try {
    rmSync(snapshotPath, { force: true });
    const report = await (options.snapshot ?? defaultHistorySnapshot)({
      path: options.connection.path,
      key: options.connection.key,
      ...(options.connection.nativeBinding ? { nativeBinding: options.connection.nativeBinding } : {}),
      dest: snapshotPath,
      snapshotKey,
    });
    if (!report.ok) {
      throw new HistoryError(
        'snapshot_failed',
        report.errorCode === 'SQLITE_FULL'
          ? 'Could not prepare the history for your new device: the disk is full.'
          : `Could not prepare the history for your new device (${report.errorCode}: ${report.message}).`,
      );
    }
    const databaseBytes = statSync(snapshotPath).size;
    const manifest: HistoryManifest = {
      format: HISTORY_FORMAT,
      version: 1,
      sourcePeerId: options.sourcePeerId,
      snapshotKey: snapshotKey.toString('base64'),
      ...report.counts,
      databaseBytes,
    };
    const chunkBytes = options.chunkBytes ?? HISTORY_CHUNK_BYTES;
    const plaintextBytes = payloadBytes(manifest);
    const header: HistoryHeader = {
      transferId: Buffer.from(options.transferId),
      noncePrefix: randomBytes(7),
      chunkBytes,
      chunkCount: chunkCountFor(plaintextBytes, chunkBytes),
      plaintextBytes,
    };
    const headerBytes = encodeHistoryHeader(header);
    const prefix = payloadPrefix(manifest);
    if (prefix.length > chunkBytes) throw new RangeError('the manifest must fit in the first chunk');
    rmSync(partial, { force: true });
    const file = await open(partial, 'wx', 0o600);
    wrote = true;
    let streamBytes = 0;
    try {
      const writer = new ArchiveWriter(file, key, header, headerBytes);
      await writer.writeHeader();
      await writer.write(prefix);
      const input = await open(snapshotPath, 'r');
      try {
        const buffer = Buffer.allocUnsafe(chunkBytes);
        let left = databaseBytes;
        while (left > 0) {
          const { bytesRead } = await input.read(
            buffer,
            0,
            Math.min(left, buffer.length),
            databaseBytes - left,
          );
          if (bytesRead === 0) throw new Error('the snapshot shrank while it was read');
          await writer.write(buffer.subarray(0, bytesRead));
          left -= bytesRead;
        }
      } finally {
        await input.close();
      }
      await writer.write(payloadSuffix());
      await writer.finish();
      await file.sync();
      streamBytes = writer.written;
    } finally {
      await file.close();
    }
    await rename(partial, out);
    wrote = false;
    fsyncDir(options.profileDir);
    return { path: out, header, headerBytes, streamBytes, counts: report.counts };
  } catch (err) {
    if (isParleyError(err)) throw err;
    throw storageError(err, 'prepare the history');
  } finally {
    key.fill(0);
    snapshotKey.fill(0);
    if (wrote) rmSync(partial, { force: true });
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(snapshotPath + suffix, { force: true });
  }
}
