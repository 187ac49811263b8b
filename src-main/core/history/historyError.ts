import { ParleyError } from '../errors';
import type { ErrorCode } from '../../../src-shared/contract';

/** Why a history transfer failed; tests and the runtime branch on it, users read the message. */
export type HistoryProblem =
  /** A chunk failed its tag twice, or the stream's records are inconsistent. */
  | 'damaged'
  /** The sender uses a newer stream format. */
  | 'too_new'
  /** The sender no longer has this transfer (done, 24 hours old, or the device was removed). */
  | 'gone'
  /** The sender refused: not the device the transfer was granted to, or a wrong MAC. */
  | 'denied'
  /** The sender could not make the snapshot (disk full, database problem). */
  | 'snapshot_failed'
  /** The import could not write (disk full, database problem). */
  | 'import_failed'
  | 'cancelled';

/* The contract has no history-specific codes; each maps onto the closest existing one (the message says what happened). */
const CODE: Record<HistoryProblem, ErrorCode> = {
  damaged: 'DATABASE_CORRUPT',
  too_new: 'PROFILE_TOO_NEW',
  gone: 'INVALID_STATE',
  denied: 'FORBIDDEN',
  snapshot_failed: 'STORAGE_UNAVAILABLE',
  import_failed: 'STORAGE_UNAVAILABLE',
  cancelled: 'INVALID_STATE',
};

export class HistoryError extends ParleyError {
  constructor(
    readonly problem: HistoryProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(CODE[problem], message, options);
    this.name = 'HistoryError';
  }
}

export function isHistoryError(err: unknown, problem?: HistoryProblem): err is HistoryError {
  return err instanceof HistoryError && (problem === undefined || err.problem === problem);
}
