import { parentPort, workerData } from 'node:worker_threads';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import { fillHistorySnapshot } from '../store/historySnapshot';
import type { HistorySnapshotJob, HistorySnapshotReport } from '../history/historySnapshot';

/**
 * The history snapshot for a newly linked device (store/historySnapshot.ts,
 * docs/protocol.md §13.7) on a second connection to the live database, off
 * the event loop that serves the bridge and the network. Posts one report.
 */
const input = workerData as HistorySnapshotJob;
let report: HistorySnapshotReport;
try {
  const db = openEncryptedDatabase(input.path, Buffer.from(input.key), {
    create: false,
    ...(input.nativeBinding ? { nativeBinding: input.nativeBinding } : {}),
  });
  try {
    report = { ok: true, counts: fillHistorySnapshot(db, input.dest, Buffer.from(input.snapshotKey)) };
  } finally {
    db.close();
  }
} catch (err) {
  const code = (err as { code?: unknown }).code;
  report = {
    ok: false,
    errorCode: typeof code === 'string' ? code : 'UNKNOWN',
    message: err instanceof Error ? err.message : String(err),
  };
}
parentPort?.postMessage(report);
