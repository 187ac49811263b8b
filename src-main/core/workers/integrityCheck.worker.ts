import { parentPort, workerData } from 'node:worker_threads';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import type { IntegrityInput, IntegrityReport } from './integrityCheck';

/**
 * PRAGMA quick_check on a second connection: every page is read (and its
 * SQLCipher HMAC verified) and the b-tree structure checked, without the
 * index-content cross-checks of integrity_check, which cost minutes on a
 * large profile. Posts one IntegrityReport.
 */
const input = workerData as IntegrityInput;
let report: IntegrityReport;
try {
  const db = openEncryptedDatabase(input.path, Buffer.from(input.key), {
    create: false,
    ...(input.nativeBinding ? { nativeBinding: input.nativeBinding } : {}),
  });
  try {
    const rows = db.pragma('quick_check(10)') as Array<{ quick_check: string }>;
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    report = { ok: problems.length === 0, problems: problems.length };
  } finally {
    db.close();
  }
} catch (err) {
  const code = (err as { code?: unknown }).code;
  report = { ok: false, problems: 1, errorCode: typeof code === 'string' ? code : 'UNKNOWN' };
}
parentPort?.postMessage(report);
