import { existsSync } from 'node:fs';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import { errorFields, type Logger } from '../util/logger';
import { convertToIncrementalVacuum } from '../workers/vacuumConvert';

/**
 * Databases made before incremental auto-vacuum (issue #14 item 13) are
 * rewritten once, on a worker thread, before the app's connection opens:
 * afterwards freed pages can be given back to the file system in small steps
 * (store/walCheckpointer.ts). A failure (e.g. no room for the rewrite) only
 * leaves the file as large as it was.
 */
export async function ensureIncrementalVacuum(options: {
  path: string;
  dataKey: Buffer;
  /** A database with no tables yet is made with the right mode. */
  empty: boolean;
  nativeBinding?: string | undefined;
  logger: Logger;
}): Promise<void> {
  const { path, dataKey, nativeBinding, logger } = options;
  if (!existsSync(path) || options.empty) return;
  let mode: number;
  try {
    const probe = openEncryptedDatabase(path, dataKey, { create: false, nativeBinding });
    try {
      mode = Number(probe.pragma('auto_vacuum', { simple: true }));
    } finally {
      probe.close();
    }
  } catch {
    return; // ProfileService.open() reports what is wrong with the file.
  }
  if (mode === 2) return;
  const key = Buffer.from(dataKey);
  try {
    const report = await convertToIncrementalVacuum({
      path,
      key,
      ...(nativeBinding ? { nativeBinding } : {}),
    });
    logger.log(report.ok ? 'info' : 'warn', 'profile.vacuum_converted', {
      converted: report.converted,
      errorCode: report.errorCode,
    });
  } catch (err) {
    logger.log('warn', 'profile.vacuum_convert_failed', errorFields(err));
  } finally {
    key.fill(0);
  }
}
