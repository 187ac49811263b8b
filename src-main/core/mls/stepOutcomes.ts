import type { MlsGroupState } from './groupState';

/**
 * What a step on a group state gives back (groupEngine.ts, incoming.ts,
 * join.ts): the new state, the bytes to send, and the secrets the step used
 * up, to wipe once the new state is on disk (RFC 9420 §9.2).
 */

export interface Consumed {
  /**
   * Zeroes the secrets this step used up (RFC 9420 §9.2 deletion schedule),
   * as ts-mls hands them back. Call once the new state is on disk; the
   * input state must not be used afterwards (its copy on disk is intact).
   */
  wipeConsumed(): void;
}

export interface CommitOutcome extends Consumed {
  readonly state: MlsGroupState;
  /** MLSMessage (PrivateMessage) for every other member. */
  readonly commit: Uint8Array;
  /**
   * MLSMessage (Welcome) for added devices, or null. Send it only after the
   * commit is accepted (DESIGN.md §2: a Welcome for a losing commit would put
   * the joiner in a group nobody else is in).
   */
  readonly welcome: Uint8Array | null;
  /** True when the commit carried an UpdatePath: this device's keys are fresh (post-compromise security). */
  readonly refreshedOwnKeys: boolean;
}

export interface ProposalOutcome extends Consumed {
  readonly state: MlsGroupState;
  /** MLSMessage (PrivateMessage) for every other member. */
  readonly proposal: Uint8Array;
}

export interface EncryptOutcome extends Consumed {
  readonly state: MlsGroupState;
  /** MLSMessage (PrivateMessage). */
  readonly message: Uint8Array;
}

/** A wipeConsumed() that zeroes `consumed` once, however often it is called. */
export function wiper(consumed: Uint8Array[]): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const secret of consumed) secret.fill(0);
  };
}
