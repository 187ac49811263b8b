import type { ErrorCode, ErrorPayload } from '../../src-shared/contract';

/**
 * The one error type the core throws on purpose. The dispatcher turns it into
 * `{ code, message }` at the boundary; anything else becomes INTERNAL with a
 * generic message, so no stack, path or secret leaks to the renderer.
 */
export class ParleyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ParleyError';
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }
}

export function isParleyError(err: unknown, code?: ErrorCode): err is ParleyError {
  return err instanceof ParleyError && (code === undefined || err.code === code);
}

/** Node's errno codes that mean "the disk said no": reported as STORAGE_UNAVAILABLE. */
const STORAGE_ERRNO = new Set([
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EACCES',
  'EPERM',
  'EIO',
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
]);

export function storageError(err: unknown, what: string): ParleyError {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && STORAGE_ERRNO.has(code)) {
    const why =
      code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL'
        ? 'the disk is full'
        : code === 'EROFS' || code === 'SQLITE_READONLY'
          ? 'the disk is read-only'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission was denied'
            : 'the disk reported an error';
    return new ParleyError('STORAGE_UNAVAILABLE', `Could not ${what}: ${why}. Nothing was changed.`, {
      cause: err,
    });
  }
  return new ParleyError('INTERNAL', `Could not ${what}.`, { cause: err });
}

/**
 * SQLite's verdict on a failed statement, in words a user can act on, or
 * null when it is not about the disk or the file (a bug, then). better-sqlite3
 * reports extended codes ("SQLITE_IOERR_WRITE", "SQLITE_CORRUPT_VTAB", …),
 * so the primary code is matched as a prefix.
 */
export function databaseError(err: unknown): ParleyError | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const is = (primary: string): boolean => code === primary || code.startsWith(`${primary}_`);
  if (is('SQLITE_CORRUPT') || is('SQLITE_NOTADB')) {
    return new ParleyError(
      'DATABASE_CORRUPT',
      'The database of this profile is damaged. Restore the profile from a backup.',
      { cause: err },
    );
  }
  if (is('SQLITE_FULL')) {
    return new ParleyError(
      'STORAGE_UNAVAILABLE',
      'The disk is full. Free some space and try again; nothing was lost.',
      { cause: err },
    );
  }
  if (is('SQLITE_READONLY')) {
    return new ParleyError(
      'STORAGE_UNAVAILABLE',
      'The profile folder is read-only, so nothing can be saved. Make it writable and try again.',
      { cause: err },
    );
  }
  if (is('SQLITE_IOERR') || is('SQLITE_CANTOPEN') || is('SQLITE_PERM')) {
    return new ParleyError(
      'STORAGE_UNAVAILABLE',
      'The disk reported an error, so nothing was saved. Check the disk and try again.',
      { cause: err },
    );
  }
  return null;
}
