import { parentPort, workerData } from 'node:worker_threads';
import { openEncryptedDatabase } from '../store/encryptedDatabase';
import { HistorySnapshotInvalid, importHistorySnapshot } from '../store/historyImport';
import type { HistoryImportJob, HistoryImportMessage } from '../history/historyImport';

/**
 * Imports a received history snapshot (store/historyImport.ts, docs/protocol.md
 * §13.7) on a second connection to the live database, off the event loop that
 * serves the bridge and the network. Posts progress messages, then one result.
 */
const input = workerData as HistoryImportJob;
const post = (message: HistoryImportMessage) => parentPort?.postMessage(message);
try {
  const db = openEncryptedDatabase(input.path, Buffer.from(input.key), {
    create: false,
    ...(input.nativeBinding ? { nativeBinding: input.nativeBinding } : {}),
  });
  try {
    let last = 0;
    const counts = importHistorySnapshot(db, input.snapshotPath, Buffer.from(input.snapshotKey), {
      sourcePeerId: input.sourcePeerId,
      ...(input.batchRows ? { batchRows: input.batchRows } : {}),
      onProgress: (done, total) => {
        const now = Date.now();
        if (done < total && now - last < 100) return;
        last = now;
        post({ type: 'progress', messagesDone: done, messagesTotal: total });
      },
    });
    post({ type: 'done', counts });
  } finally {
    db.close();
  }
} catch (err) {
  const code = (err as { code?: unknown }).code;
  post({
    type: 'error',
    invalid: err instanceof HistorySnapshotInvalid,
    errorCode: typeof code === 'string' ? code : 'UNKNOWN',
    message: err instanceof Error ? err.message : String(err),
  });
}
