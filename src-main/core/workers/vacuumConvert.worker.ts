import { parentPort, workerData } from 'node:worker_threads';
import { convertToIncrementalVacuum } from '../store/databaseMaintenance';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import type { VacuumConvertInput, VacuumConvertReport } from './vacuumConvert';

/**
 * Turns on incremental auto-vacuum in a database created without it: the
 * setting takes effect only through a full VACUUM, which rewrites every page
 * (the pages stay encrypted; SQLCipher re-encrypts them with the same key).
 * Runs once per profile, before the app's connection opens, so nothing else
 * writes meanwhile. Posts one VacuumConvertReport.
 */
const input = workerData as VacuumConvertInput;
let report: VacuumConvertReport;
try {
  const db = openEncryptedDatabase(input.path, Buffer.from(input.key), {
    create: false,
    ...(input.nativeBinding ? { nativeBinding: input.nativeBinding } : {}),
  });
  try {
    report = { ok: true, ...convertToIncrementalVacuum(db) };
  } finally {
    db.close();
  }
} catch (err) {
  const code = (err as { code?: unknown }).code;
  report = { ok: false, converted: false, errorCode: typeof code === 'string' ? code : 'UNKNOWN' };
}
parentPort?.postMessage(report);
