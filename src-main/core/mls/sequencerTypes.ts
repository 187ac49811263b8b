import type { CommitIntent } from './commitIntent';
import type { MissingEntries } from './deviceDirectory';
import type { MlsMember } from './groupState';
import type { CommitChanges, ProposalSummary } from './incoming';
import type { MlsRejection } from './rejection';
import type { CommitSummary } from './commitSummary';

/** What GroupSequencer (sequencer.ts) takes and returns: docs/protocol.md §10. */

export interface SequencerOptions {
  /**
   * How long after applying a commit a competing commit for the same epoch
   * can still replace it; after that the commit counts as accepted, the
   * previous state is dropped and held Welcomes are released.
   */
  readonly acceptMs?: number;
  /** Commits kept to hand to members coming back online. */
  readonly logSize?: number;
  /** Undecryptable-yet messages held for a retry; the oldest go first. */
  readonly maxHeld?: number;
}

/** Defaults: docs/protocol.md §10 gives the reasoning. */
export const DEFAULT_ACCEPT_MS = 60_000;
export const DEFAULT_LOG_SIZE = 64;
export const DEFAULT_MAX_HELD = 512;

export interface DeliveredMessage {
  readonly epoch: number;
  readonly sender: MlsMember;
  readonly plaintext: Uint8Array;
  readonly authenticatedData: Uint8Array;
}

export interface AppliedCommit {
  /** The epoch the commit led to. */
  readonly epoch: number;
  readonly sender: MlsMember | null;
  readonly changes: CommitChanges;
  /** True when this commit replaced a losing one this member had applied. */
  readonly replacedAnother: boolean;
  /** The commit as the chat describes it (name after, leavers, role changes). */
  readonly summary: CommitSummary;
}

export interface ReceivedProposal {
  readonly sender: MlsMember;
  readonly proposal: ProposalSummary;
}

export interface ReleasedWelcome {
  readonly welcome: Uint8Array;
  /** The ratchet tree the joiner needs beside the Welcome (RFC 9420 §12.4.3.3). */
  readonly ratchetTree: Uint8Array;
  /** PeerIds of the devices the commit added: who the Welcome is for. */
  readonly recipients: readonly string[];
}

/** Which persisted parts changed: compare with the revisions last written. */
export interface SequencerRevisions {
  readonly meta: number;
  readonly log: number;
  readonly previous: number;
  readonly welcome: number;
  /**
   * Bumped when the unsettled sends were cleared or rebuilt. Between two
   * bumps the list only grows, so a caller appends what it has not written
   * yet (unsettledSends) instead of rewriting them all on every send, which
   * made a run of sends in an undecided epoch cost O(n²).
   */
  readonly unsettled: number;
}

/** A message this member sent in an epoch not accepted yet (kept to re-encrypt after a switch). */
export interface UnsettledSend {
  readonly plaintext: Uint8Array;
  readonly authenticatedData: Uint8Array;
}

/** The persisted parts besides the current state (null: none stored yet). */
export interface SequencerParts {
  readonly meta: Uint8Array | null;
  readonly log: Uint8Array | null;
  readonly previous: Uint8Array | null;
  /** Unsettled sends stored apart from meta, oldest first. */
  readonly unsettled?: readonly UnsettledSend[];
  /** The held Welcome: its own part, since with its ratchet tree it is large (~1.5 MB at 1,000 X-Wing members). */
  readonly welcome?: Uint8Array | null;
}

/** Everything one call produced; the caller persists snapshot() first, then acts on it. */
export interface SequencerUpdate {
  readonly delivered: DeliveredMessage[];
  readonly commits: AppliedCommit[];
  /** Proposals taken into the current epoch (an admin may commit them, commitPending). */
  readonly proposals: ReceivedProposal[];
  /** Application messages re-encrypted after a switch: send them to the group. */
  readonly resend: Uint8Array[];
  /** Welcomes whose commit is now accepted: send them to the joiners. */
  readonly welcomes: ReleasedWelcome[];
  /** This member's commits that lost: make them again (commit()) if still wanted. */
  readonly lost: CommitIntent[];
  /** The last message given to receive() was refused (null when taken or held). */
  rejected: MlsRejection | null;
  /**
   * This member's external commit lost to another commit for its epoch:
   * its state is on a branch nobody else is on. Rejoin (rejoin.ts) with a
   * fresh GroupInfo.
   */
  mustRejoin: boolean;
  /**
   * Acks of the commit this step applied (docs/protocol.md §10, commitAcks.ts):
   * application messages in the new epoch, to send to the group's other devices.
   */
  readonly acks: Uint8Array[];
  /** This step accepted the current epoch (all acks in, or its window passed): queued changes may go now. */
  settled: boolean;
  /**
   * Device-list entries a held message needs (`missing-entries`,
   * docs/protocol.md §13.6): fetch them from the sender, then `retryHeld()`.
   */
  readonly missingEntries: MissingEntries[];
}

/** How long a message waits for device-list entries before it is refused as `uncertified` (§13.6). */
export const MISSING_ENTRIES_WAIT_MS = 30_000;

/** An update with nothing in it. */
export function emptyUpdate(): SequencerUpdate {
  return {
    delivered: [],
    commits: [],
    proposals: [],
    resend: [],
    welcomes: [],
    lost: [],
    rejected: null,
    mustRejoin: false,
    acks: [],
    settled: false,
    missingEntries: [],
  };
}

/**
 * Adds what retrying one held message did to the step's update. Acks and
 * `settled` are the step's own; a retried message's refusal is reported only
 * when asked (retryHeld), since a held message was already answered once.
 */
export function mergeRetried(into: SequencerUpdate, sub: SequencerUpdate, reportRefusals: boolean): void {
  into.delivered.push(...sub.delivered);
  into.commits.push(...sub.commits);
  into.proposals.push(...sub.proposals);
  into.resend.push(...sub.resend);
  into.welcomes.push(...sub.welcomes);
  into.lost.push(...sub.lost);
  into.mustRejoin ||= sub.mustRejoin;
  into.missingEntries.push(...sub.missingEntries);
  if (sub.rejected && reportRefusals) into.rejected = sub.rejected;
}
