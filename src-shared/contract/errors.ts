import { z } from 'zod';

/**
 * Every error that can cross the bridge. Errors travel as `{ code, message }`
 * (DESIGN.md §1 rule 4), never as class instances, so the renderer can branch on
 * `code` and show `message` as is.
 */
export const errorCodes = [
  /** The request name is not part of the contract. */
  'UNKNOWN_REQUEST',
  /** The params did not match the request's schema. */
  'INVALID_PARAMS',
  /** A profile already exists in that folder; it is never overwritten. */
  'PROFILE_EXISTS',
  /** No profile has been created in that folder yet. */
  'NO_PROFILE',
  /** The profile header is missing fields, unreadable or inconsistent. */
  'PROFILE_CORRUPT',
  /** The profile was written by a newer Parley; we never downgrade it. */
  'PROFILE_TOO_NEW',
  /** Another Parley process has this profile open. */
  'PROFILE_IN_USE',
  /** The passphrase does not unlock this profile. */
  'WRONG_PASSPHRASE',
  /** The passphrase is too short or too weak to protect the keys at rest. */
  'WEAK_PASSPHRASE',
  /** The encrypted database is damaged or missing although the key is right. */
  'DATABASE_CORRUPT',
  /** The operation needs an unlocked profile. */
  'LOCKED',
  /** The operation is not possible in the current state (for example unlocking twice). */
  'INVALID_STATE',
  /** An MLS message was refused (forged, replayed, from a removed member, damaged); state unchanged. */
  'MLS_REJECTED',
  /** The user's role does not allow this change (for example a member renaming a group). */
  'FORBIDDEN',
  /** The disk refused a write (full, read-only, no permission). Nothing was changed. */
  'STORAGE_UNAVAILABLE',
  /** Networking is off in this shell, or not started yet. */
  'OFFLINE',
  /** The other device could not be reached right now (offline, refused, timed out). */
  'UNREACHABLE',
  /**
   * The request would do something costly or risky that the user has to agree
   * to first (the message says what); repeat it with the request's
   * confirmation flag once they did.
   */
  'NEEDS_CONFIRMATION',
  /** A bug or an unexpected failure; details are in the log, never in the message. */
  'INTERNAL',
  /** The bridge itself failed (connection to the core lost). */
  'DISCONNECTED',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export const ErrorPayload = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
});
export type ErrorPayload = z.infer<typeof ErrorPayload>;

/** What every request answers: a value or an error, never a throw across the bridge. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

export function replySchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: ErrorPayload }),
  ]);
}
