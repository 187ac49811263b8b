import { parentPort, workerData } from 'node:worker_threads';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import type { SnapshotInput, SnapshotReport } from '../backup/snapshot';

/**
 * `VACUUM INTO` on a second connection: one read transaction, so the copy is
 * a consistent snapshot of the live database while the app keeps writing (WAL
 * readers do not block writers). SQLite3 Multiple Ciphers encrypts the copy
 * with the source's cipher and key, so no plaintext page reaches the disk.
 * Posts one SnapshotReport.
 */
const input = workerData as SnapshotInput;
let report: SnapshotReport;
try {
  const db = openEncryptedDatabase(input.path, Buffer.from(input.key), {
    create: false,
    ...(input.nativeBinding ? { nativeBinding: input.nativeBinding } : {}),
  });
  try {
    db.prepare('VACUUM INTO ?').run(input.dest);
    report = { ok: true };
  } finally {
    db.close();
  }
} catch (err) {
  const code = (err as { code?: unknown }).code;
  report = { ok: false, errorCode: typeof code === 'string' ? code : 'UNKNOWN' };
}
parentPort?.postMessage(report);
