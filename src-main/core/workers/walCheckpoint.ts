import { runWorker } from './runWorker';

export interface CheckpointInput {
  path: string;
  key: Uint8Array;
  nativeBinding?: string;
}

export interface CheckpointReport {
  ok: boolean;
  /** Frames in the log, and how many of them are now in the database file. */
  logFrames: number;
  checkpointedFrames: number;
  /** Free pages given back to the file system before the checkpoint. */
  freedPages: number;
  errorCode?: string;
}

/** Copies the write-ahead log into the database file, off the main thread. */
export function checkpointWal(input: CheckpointInput): Promise<CheckpointReport> {
  return runWorker<CheckpointReport>('walCheckpoint', input, 60_000);
}
