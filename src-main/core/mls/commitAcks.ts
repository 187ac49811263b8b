import type { MlsGroupState, MlsMember } from './groupState';

/**
 * Commit acks (docs/protocol.md §10, "Acceptance"): every member that
 * applied a commit of someone else as the winner of its epoch says so to
 * the group with an ack, an MLS application message in the new epoch whose
 * plaintext is ACK_PREFIX ‖ SHA-256(commit). A commit is accepted as soon as
 * every member that could still hold a better commit for its epoch acked it,
 * instead of after the whole acceptance window.
 *
 * Why this keeps the ordering rule safe: a rival that beats commit C for
 * epoch E can only come from a member of epoch E, made before it applied C
 * (after applying C a member is at epoch E+1; it cannot commit for E any
 * more). Such a member keeps its own commit, never acks C, and C waits for
 * the window as before. So C is accepted early only when
 * - every member of E that is still in the group (the committer aside: its
 *   commit is its ack) acked C — each one either made no rival or saw its
 *   own lose to C, and everyone computes the same rule; and
 * - no member C removed could have beaten it: a removed member gets no
 *   leaf in E+1 to ack from, so if its role ranked at least the committer's
 *   (`windowOnly`), only the window accepts C. A removed member of lower
 *   rank cannot win whatever its hash.
 * An external commit (a rejoin) always waits for the window: it ranks
 * lowest, so any member's commit beats it, and it removes the rejoiner's
 * old leaf, which cannot ack.
 *
 * Members added by C are not asked (they were not in E). A member that
 * never acks (offline, an older version) makes C wait for the window, which
 * stays the upper bound.
 */

/** `\0pack` and a format byte: never the first bytes of chat content (JSON) or a Welcome relay. */
export const ACK_PREFIX = Uint8Array.of(0x00, 0x70, 0x61, 0x63, 0x6b, 0x01);
const HASH_BYTES = 32;

/** The plaintext of an ack for the commit whose SHA-256 is `commitHash` (hex). */
export function encodeAck(commitHash: string): Uint8Array {
  const hash = Buffer.from(commitHash, 'hex');
  if (hash.length !== HASH_BYTES) throw new RangeError('a commit hash is 32 bytes');
  const out = new Uint8Array(ACK_PREFIX.length + HASH_BYTES);
  out.set(ACK_PREFIX);
  out.set(hash, ACK_PREFIX.length);
  return out;
}

/** The acked commit's hash (hex) when `plaintext` is an ack, else null. */
export function decodeAck(plaintext: Uint8Array): string | null {
  if (plaintext.length !== ACK_PREFIX.length + HASH_BYTES) return null;
  for (let i = 0; i < ACK_PREFIX.length; i++) if (plaintext[i] !== ACK_PREFIX[i]) return null;
  return Buffer.from(plaintext.subarray(ACK_PREFIX.length)).toString('hex');
}

/** Persisted inside the sequencer's meta part. */
export interface AcksJson {
  required: string[];
  acked: string[];
  windowOnly: boolean;
}

/** Who must ack the applied commit, who did, and whether only the window can accept it. */
export class CommitAcks {
  private constructor(
    private readonly required: ReadonlySet<string>,
    private readonly acked: Set<string>,
    readonly windowOnly: boolean,
  ) {}

  /**
   * What accepting a commit from epoch `before` to `after` takes.
   * `committer` is the committing device (null for an external commit) and
   * `rank` its rank; `rankOf` ranks a member of `before`.
   */
  static expect(
    before: MlsGroupState,
    after: MlsGroupState,
    committer: { peerId: string | null; rank: number; external: boolean },
    rankOf: (m: MlsMember) => number,
  ): CommitAcks {
    const stays = new Set(after.members.map((m) => m.peerId));
    // `before`: a member the commit removed has no leaf (and no self) after it.
    const self = before.self.peerId;
    const required = new Set(
      before.members
        .filter((m) => stays.has(m.peerId) && m.peerId !== self && m.peerId !== committer.peerId)
        .map((m) => m.peerId),
    );
    const removedCouldWin = before.members.some(
      (m) => !stays.has(m.peerId) && m.peerId !== committer.peerId && rankOf(m) >= committer.rank,
    );
    return new CommitAcks(required, new Set(), committer.external || removedCouldWin);
  }

  /** A rejoin by external commit: nothing but the window accepts it. */
  static windowOnly(): CommitAcks {
    return new CommitAcks(new Set(), new Set(), true);
  }

  static fromJson(j: AcksJson): CommitAcks {
    const required = new Set(j.required);
    return new CommitAcks(required, new Set(j.acked.filter((p) => required.has(p))), j.windowOnly);
  }

  toJson(): AcksJson {
    return { required: [...this.required], acked: [...this.acked], windowOnly: this.windowOnly };
  }

  /** Records `peerId`'s ack; true when it was one still missing. */
  record(peerId: string): boolean {
    if (!this.required.has(peerId) || this.acked.has(peerId)) return false;
    this.acked.add(peerId);
    return true;
  }

  /** Every member that had to ack did, and nothing needs the window. */
  get complete(): boolean {
    return !this.windowOnly && this.acked.size === this.required.size;
  }

  /** Devices whose ack is still missing. */
  get missing(): string[] {
    return [...this.required].filter((p) => !this.acked.has(p));
  }
}
