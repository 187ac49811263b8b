import { ParleyError } from '../errors';
import type { ErrorCode } from '../../../src-shared/contract';

/** Why an archive was refused; tests and the CLI branch on it, users read the message. */
export type BackupProblem =
  | 'not_archive'
  | 'wrong_password'
  | 'too_new'
  | 'truncated'
  | 'corrupt'
  | 'cancelled'
  | 'target_exists'
  /** The header asks for an unusually costly KDF: only after the user confirmed. */
  | 'costly_kdf';

/*
 * The contract has no backup-specific error codes yet; each problem maps onto
 * the closest existing one (the message says exactly what happened):
 * a wrong password is WRONG_PASSPHRASE, a newer format PROFILE_TOO_NEW,
 * a damaged archive DATABASE_CORRUPT ("damaged although the key is right").
 */
const CODE: Record<BackupProblem, ErrorCode> = {
  not_archive: 'INVALID_PARAMS',
  wrong_password: 'WRONG_PASSPHRASE',
  too_new: 'PROFILE_TOO_NEW',
  truncated: 'DATABASE_CORRUPT',
  corrupt: 'DATABASE_CORRUPT',
  cancelled: 'INVALID_STATE',
  target_exists: 'PROFILE_EXISTS',
  costly_kdf: 'NEEDS_CONFIRMATION',
};

export class BackupError extends ParleyError {
  constructor(
    readonly problem: BackupProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(CODE[problem], message, options);
    this.name = 'BackupError';
  }
}

export function isBackupError(err: unknown, problem?: BackupProblem): err is BackupError {
  return err instanceof BackupError && (problem === undefined || err.problem === problem);
}
