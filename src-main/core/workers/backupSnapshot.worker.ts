import { parentPort, workerData } from 'node:worker_threads';
import { vacuumInto } from '../store/databaseMaintenance';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import type { SnapshotInput, SnapshotReport } from '../backup/snapshot';

/**
 * `VACUUM INTO` on a second connection (store/databaseMaintenance.ts): a
 * consistent, encrypted snapshot of the live database while the app keeps
 * writing. Posts one SnapshotReport.
 */
const input = workerData as SnapshotInput;
let report: SnapshotReport;
try {
  const db = openEncryptedDatabase(input.path, Buffer.from(input.key), {
    create: false,
    ...(input.nativeBinding ? { nativeBinding: input.nativeBinding } : {}),
  });
  try {
    vacuumInto(db, input.dest);
    report = { ok: true };
  } finally {
    db.close();
  }
} catch (err) {
  const code = (err as { code?: unknown }).code;
  report = { ok: false, errorCode: typeof code === 'string' ? code : 'UNKNOWN' };
}
parentPort?.postMessage(report);
