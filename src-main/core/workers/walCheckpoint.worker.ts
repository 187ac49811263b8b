import { parentPort, workerData } from 'node:worker_threads';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import type { CheckpointInput, CheckpointReport } from './walCheckpoint';

/**
 * Incremental vacuum, then PRAGMA wal_checkpoint(PASSIVE), on a second
 * connection: gives pages freed by deletes back to the file system and copies
 * the pages the write-ahead log holds into the database file, without
 * blocking the app's connection (a PASSIVE checkpoint waits for nobody;
 * frames newer than a reader's snapshot wait for the next one). Posts one
 * CheckpointReport.
 */

/** Free pages left alone (the next writes reuse them without growing the file), one step, one run's time. */
const VACUUM_KEEP_PAGES = 256;
const VACUUM_STEP_PAGES = 512;
const VACUUM_BUDGET_MS = 500;

const input = workerData as CheckpointInput;
let report: CheckpointReport;
try {
  const db = openEncryptedDatabase(input.path, Buffer.from(input.key), {
    create: false,
    ...(input.nativeBinding ? { nativeBinding: input.nativeBinding } : {}),
  });
  try {
    // Pages freed by deletes (delivered mailbox deposits, expired messages) go back in small
    // steps, each its own short write transaction, so the app's connection waits at most one
    // step if it writes meanwhile (issue #14 item 13). The checkpoint below copies the moves
    // into the database file and cuts it to its new size. Needs auto_vacuum = INCREMENTAL
    // (encryptedDatabase.ts); without it freelist_count stays and nothing happens.
    const deadline = Date.now() + VACUUM_BUDGET_MS;
    let freedPages = 0;
    if (Number(db.pragma('auto_vacuum', { simple: true })) === 2) {
      for (;;) {
        const free = Number(db.pragma('freelist_count', { simple: true }));
        if (free <= VACUUM_KEEP_PAGES || Date.now() > deadline) break;
        const step = Math.min(VACUUM_STEP_PAGES, free - VACUUM_KEEP_PAGES);
        db.pragma(`incremental_vacuum(${step})`);
        freedPages += step;
      }
    }
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    // A reader's snapshot can hold some frames back: not a failure, the caller tries again later.
    report = { ok: true, logFrames: row?.log ?? 0, checkpointedFrames: row?.checkpointed ?? 0, freedPages };
  } finally {
    db.close();
  }
} catch (err) {
  const code = (err as { code?: unknown }).code;
  report = {
    ok: false,
    logFrames: 0,
    checkpointedFrames: 0,
    freedPages: 0,
    errorCode: typeof code === 'string' ? code : 'UNKNOWN',
  };
}
parentPort?.postMessage(report);
