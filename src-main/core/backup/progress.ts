/** Where a backup job is; the same shape travels in the contract's backup.progress event. */
export type BackupPhase = 'snapshot' | 'writing' | 'verifying' | 'restoring' | 'done';

export interface BackupProgress {
  phase: BackupPhase;
  bytesDone: number;
  bytesTotal: number;
}

export type ProgressListener = (progress: BackupProgress) => void;

/** Reports at most every `step` bytes (and always the first and last), so a 1 GB job sends ~1,000 events, not 1,000,000. */
export function throttled(listener: ProgressListener | undefined, step = 1024 * 1024): ProgressListener {
  let lastPhase: BackupPhase | null = null;
  let lastBytes = 0;
  return (p) => {
    if (!listener) return;
    if (p.phase !== lastPhase || p.bytesDone - lastBytes >= step || p.bytesDone >= p.bytesTotal) {
      lastPhase = p.phase;
      lastBytes = p.bytesDone;
      listener(p);
    }
  };
}
