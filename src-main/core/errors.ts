import type { ErrorCode, ErrorPayload } from '../../src-preload/contract';

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
