import { ParleyError } from '../errors';

/**
 * Why an incoming MLS message (or Welcome, or KeyPackage) was refused. The
 * state it was processed against is unchanged in every case; callers may
 * branch on the reason (a future epoch is worth keeping for later, a replay
 * is dropped silently, a forgery is worth a log line).
 */
export type MlsRejectReason =
  /** Not a well-formed MLS message of the expected kind (truncated, trailing bytes, wrong wire format). */
  | 'malformed'
  /** For another group. */
  | 'wrong-group'
  /** For an epoch this state has not reached yet. */
  | 'future-epoch'
  /** For an epoch already left (a late commit or proposal, or a message older than the retained window). */
  | 'stale-epoch'
  /** Already processed (its message key was consumed). */
  | 'replay'
  /** Decryption or a signature or MAC failed: tampered, or not from a member. */
  | 'authentication'
  /** The sender's leaf is empty or the sender has been removed. */
  | 'unknown-sender'
  /** A role rule forbids it (a member committing an Add, a role change by an admin…). */
  | 'not-authorized'
  /** A member, KeyPackage or tree whose credential the identity key did not certify. */
  | 'uncertified'
  /**
   * A version 2 credential names an entry of a person's device list that this
   * verifier does not hold yet (docs/protocol.md §13.6): not a "no"; hold the
   * message, fetch the entries (`missing`), retry; refused as `uncertified`
   * after 30 s without them.
   */
  | 'missing-entries'
  /**
   * A commit names a proposal (by reference, RFC 9420 §12.4) this member has
   * not received yet: proposals and commits from different senders are not
   * ordered on the way. Held and retried when a proposal arrives.
   */
  | 'missing-proposal'
  /** This device is no longer in the group. */
  | 'not-member'
  /** No matching KeyPackage (unknown, or already used). */
  | 'unknown-key-package'
  /** Valid MLS that Parley does not use (another suite, PSK, ReInit…). */
  | 'unsupported'
  /** Fails an RFC 9420 validity rule. */
  | 'invalid';

/** Thrown for input that is refused; the state it was offered to is unchanged. */
export class MlsRejection extends ParleyError {
  constructor(
    readonly reason: MlsRejectReason,
    message: string,
    options?: { cause?: unknown; missing?: readonly { identityKey: Uint8Array; seq: number }[] },
  ) {
    super('MLS_REJECTED', `MLS message rejected (${reason}): ${message}`, options);
    this.name = 'MlsRejection';
    this.missing = options?.missing ?? [];
  }

  /** For `missing-entries`: whose list, and up to which seq, the verifier must fetch. */
  readonly missing: readonly { identityKey: Uint8Array; seq: number }[];
}

export function isMlsRejection(err: unknown, reason?: MlsRejectReason): err is MlsRejection {
  return err instanceof MlsRejection && (reason === undefined || err.reason === reason);
}
