import { runWorker } from '../workers/runWorker';

export interface SnapshotInput {
  /** The live database and its key (a second connection, like the integrity check). */
  path: string;
  key: Uint8Array;
  nativeBinding?: string;
  /** Where the encrypted copy goes; must not exist. */
  dest: string;
}

export interface SnapshotReport {
  ok: boolean;
  errorCode?: string;
}

/** A consistent, still encrypted copy of the live database, made off the main thread. */
export function snapshotDatabase(input: SnapshotInput): Promise<SnapshotReport> {
  return runWorker<SnapshotReport>('backupSnapshot', input, 30 * 60_000);
}
