import { parentPort, workerData } from 'node:worker_threads';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import type { CheckpointInput, CheckpointReport } from './walCheckpoint';

/**
 * PRAGMA wal_checkpoint(PASSIVE) on a second connection: copies the pages the
 * write-ahead log holds into the database file without blocking the app's
 * connection (readers and writers carry on; frames newer than a reader's
 * snapshot wait for the next one). Posts one CheckpointReport.
 */
const input = workerData as CheckpointInput;
let report: CheckpointReport;
try {
  const db = openEncryptedDatabase(input.path, Buffer.from(input.key), {
    create: false,
    ...(input.nativeBinding ? { nativeBinding: input.nativeBinding } : {}),
  });
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    report = { ok: true, logFrames: row?.log ?? 0, checkpointedFrames: row?.checkpointed ?? 0 };
  } finally {
    db.close();
  }
} catch (err) {
  const code = (err as { code?: unknown }).code;
  report = {
    ok: false,
    logFrames: 0,
    checkpointedFrames: 0,
    errorCode: typeof code === 'string' ? code : 'UNKNOWN',
  };
}
parentPort?.postMessage(report);
