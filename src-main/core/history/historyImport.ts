import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { HistoryImportCounts } from '../store/historyImport';
import { workerEntry } from '../workers/runWorker';
import { HistoryError } from './historyError';

/** What the import worker is given (workers/historyImport.worker.ts). */
export interface HistoryImportJob {
  /** The live database and its key: a second connection (ProfileService.secondConnection()). */
  path: string;
  key: Uint8Array;
  nativeBinding?: string;
  snapshotPath: string;
  snapshotKey: Uint8Array;
  sourcePeerId: string;
  batchRows?: number;
}

export type HistoryImportMessage =
  | { type: 'progress'; messagesDone: number; messagesTotal: number }
  | { type: 'done'; counts: HistoryImportCounts }
  | { type: 'error'; invalid: boolean; errorCode: string; message: string };

export interface ImportHistoryOptions {
  connection: { path: string; key: Buffer; nativeBinding?: string };
  snapshotPath: string;
  snapshotKey: Buffer;
  sourcePeerId: string;
  batchRows?: number;
  onProgress?: (messagesDone: number, messagesTotal: number) => void;
  timeoutMs?: number;
}

/**
 * Imports a received snapshot into the live profile on a worker thread
 * (store/historyImport.ts: bulk SQL, batches of 10,000 messages, FTS by the
 * triggers, imported messages count as read), then deletes the snapshot file
 * and its journal whatever happened. Progress comes at most every 100 ms.
 */
export async function importHistory(options: ImportHistoryOptions): Promise<HistoryImportCounts> {
  const job: HistoryImportJob = {
    path: options.connection.path,
    key: options.connection.key,
    ...(options.connection.nativeBinding ? { nativeBinding: options.connection.nativeBinding } : {}),
    snapshotPath: options.snapshotPath,
    snapshotKey: options.snapshotKey,
    sourcePeerId: options.sourcePeerId,
    ...(options.batchRows ? { batchRows: options.batchRows } : {}),
  };
  try {
    const entry = workerEntry('historyImport');
    return await new Promise<HistoryImportCounts>((resolve, reject) => {
      const worker = new Worker(entry.script, { workerData: job, eval: entry.eval });
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
        void worker.terminate();
      };
      const timer = setTimeout(
        () => settle(() => reject(new Error('history import timed out'))),
        options.timeoutMs ?? 30 * 60_000,
      );
      timer.unref();
      worker.on('message', (message: HistoryImportMessage) => {
        if (message.type === 'progress') options.onProgress?.(message.messagesDone, message.messagesTotal);
        else if (message.type === 'done') settle(() => resolve(message.counts));
        else {
          settle(() =>
            reject(
              message.invalid
                ? new HistoryError('damaged', 'The history from the other device is not a valid snapshot.')
                : new HistoryError(
                    'import_failed',
                    message.errorCode === 'SQLITE_FULL'
                      ? 'Could not import the history: the disk is full.'
                      : `Could not import the history (${message.errorCode}).`,
                  ),
            ),
          );
        }
      });
      worker.once('error', (err) => settle(() => reject(err)));
      worker.once('exit', (code) =>
        settle(() => reject(new Error(`history import worker exited with ${code}`))),
      );
    });
  } finally {
    for (const suffix of ['', '-journal', '-wal', '-shm'])
      rmSync(options.snapshotPath + suffix, { force: true });
  }
}
