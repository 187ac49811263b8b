import { CommitAcks } from './commitAcks';
import { commitHash, EXTERNAL_RANK, headerOf, rankOf } from './commitOrder';
import { MlsGroupState } from './groupState';
import { decodeLog, decodeMeta, decodeWelcome, encodeLog, encodeMeta, encodeWelcome } from './sequencerParts';
import type { CommitIntent } from './commitIntent';
import { MlsRejection } from './rejection';
import {
  MISSING_ENTRIES_WAIT_MS,
  type ReleasedWelcome,
  type SequencerParts,
  type SequencerUpdate,
} from './sequencerTypes';

/** The commit that started the current epoch, with what ranks it. */
export interface Applied {
  readonly commit: Uint8Array;
  readonly hash: string;
  readonly rank: number;
  readonly own: CommitIntent | null;
}

/** A message that did not decrypt yet, held for a retry. */
export interface Held {
  readonly bytes: Uint8Array;
  readonly epoch: number;
}

/** A message this member sent in an undecided epoch, kept to re-encrypt. */
export interface Unsettled {
  readonly plaintext: Uint8Array;
  readonly authenticatedData: Uint8Array;
}

/**
 * What a GroupSequencer keeps beside its current state (docs/protocol.md
 * §10): the previous state while the last commit is undecided, the applied
 * commit and its acks, rivals tried, held messages, unsettled sends, the
 * held Welcome, the commit log and deferred wipes, with a revision per
 * persisted part so the caller writes only what changed. The ordering rules
 * that change it are sequencer.ts; the byte formats, sequencerParts.ts.
 *
 * The caller persists the current state like any state (MlsStore, with its
 * cheap per-message ratchet journal) and this record as four parts, each
 * only when its revision changed (`revisions`, `metaBytes()`, `logBytes()`,
 * `welcomeBytes()`, `previousState`), in the same transaction as its rows;
 * GroupSequencer.fromParts() brings it back after a restart, and
 * snapshot()/restore() give all of it as one blob (tests, backups).
 */
export class SequencerRecord {
  /** The state the last commit was applied to; null once that commit is accepted. */
  previous: MlsGroupState | null = null;
  /** This member rejoined by external commit, not yet accepted (no previous state to switch to). */
  rejoinPending = false;
  applied: Applied | null = null;
  appliedAt = 0;
  /** Who acked the applied commit (null: none applied, or parts from before acks: the window decides). */
  acks: CommitAcks | null = null;
  /** Hashes of commits for previous.epoch already tried (losers, duplicates). */
  rivals = new Set<string>();
  heldWelcome: ReleasedWelcome | null = null;
  unsettled: Unsettled[] = [];
  held: Held[] = [];
  /**
   * Held messages waiting for device-list entries (§13.6), by hex bytes: when
   * the wait began. In memory only: after a restart a held message is
   * retried once more and its wait begins again.
   */
  readonly waiting = new Map<string, number>();
  log: { epoch: number; commit: Uint8Array }[] = [];
  /**
   * Secret wipes (RFC 9420 §9.2) deferred while the previous state is kept:
   * ts-mls shares objects between a state and the one derived from it, so
   * zeroing what the newer state consumed would damage the older one we may
   * still switch back to.
   */
  deferredWipes: (() => void)[] = [];
  /** Bumped whenever the part changes, so the caller writes only what changed. */
  revs = { meta: 0, log: 0, previous: 0, welcome: 0, unsettled: 0 };

  constructor(
    private readonly logSize: number,
    private readonly maxHeld: number,
  ) {}

  /**
   * Commits that led to epochs after `epoch`, oldest first, for a member
   * coming back online at `epoch`; null when the log no longer reaches back
   * that far (that member rejoins by external commit).
   */
  commitsAfter(epoch: number, currentEpoch: number): Uint8Array[] | null {
    if (epoch >= currentEpoch) return [];
    const first = this.log[0];
    if (!first || first.epoch > epoch) return null;
    return this.log.filter((e) => e.epoch >= epoch).map((e) => e.commit);
  }

  pushLog(epoch: number, commit: Uint8Array): void {
    this.log = this.log.filter((e) => e.epoch < epoch);
    this.log.push({ epoch, commit });
    if (this.log.length > this.logSize) this.log.splice(0, this.log.length - this.logSize);
    this.revs.log++;
  }

  replaceLog(epoch: number, commit: Uint8Array): void {
    this.pushLog(epoch, commit);
  }

  setHeldWelcome(w: ReleasedWelcome | null): void {
    if (w === this.heldWelcome) return;
    this.heldWelcome = w;
    this.revs.welcome++;
  }

  hold(bytes: Uint8Array): void {
    const { epoch } = headerOf(bytes);
    if (this.held.some((h) => Buffer.from(h.bytes).equals(Buffer.from(bytes)))) return;
    this.held.push({ bytes, epoch });
    if (this.held.length > this.maxHeld) this.held.shift();
    this.revs.meta++;
  }

  wipe(w: () => void): void {
    if (this.previous) this.deferredWipes.push(w);
    else w();
  }

  runDeferredWipes(): void {
    const wipes = this.deferredWipes;
    this.deferredWipes = [];
    for (const w of wipes) w();
  }

  /**
   * The small part: applied commit, acceptance time and acks, rivals, held
   * messages. Unsettled sends (plaintexts: only ever written where message
   * bodies are, never to a log) are kept apart, see unsettledSends.
   */
  metaBytes(): Uint8Array {
    return encodeMeta({
      applied: this.applied,
      appliedAt: this.appliedAt,
      rejoinPending: this.rejoinPending,
      rivals: [...this.rivals],
      held: this.held.map((h) => h.bytes),
      acks: this.acks?.toJson() ?? null,
    });
  }

  /** The held Welcome (with its ratchet tree), or null when none is held. */
  welcomeBytes(): Uint8Array | null {
    return encodeWelcome(this.heldWelcome);
  }

  /** The commit log (changes only with commits). */
  logBytes(): Uint8Array {
    return encodeLog(this.log);
  }

  /**
   * A commit was applied on top of `before` (ours or another member's):
   * `before` is kept to switch back to until the commit is accepted, and
   * who must ack it is worked out (commitAcks.ts).
   */
  beginEpoch(
    before: MlsGroupState,
    next: MlsGroupState,
    commit: Uint8Array,
    committer: { rank: number; peerId: string | null },
    own: CommitIntent | null,
    now: number,
    wipeConsumed: () => void,
  ): void {
    const { rank } = committer;
    this.previous = before;
    this.deferredWipes.push(wipeConsumed);
    this.applied = { commit, hash: commitHash(commit), rank, own };
    this.acks = CommitAcks.expect(
      before,
      next,
      { peerId: committer.peerId, rank, external: rank === EXTERNAL_RANK },
      rankOf,
    );
    this.appliedAt = now;
    this.rivals = new Set();
    this.revs.meta++;
    this.revs.previous++;
    // Messages sent in the epoch we leave were in an accepted epoch (a
    // commit is only made or taken on top of one that is accepted).
    if (this.unsettled.length > 0) this.revs.unsettled++;
    this.unsettled = [];
    this.pushLog(before.epoch, commit);
  }

  /**
   * A message naming device-list entries this device does not hold (§13.6):
   * held like a future-epoch one while the entries are fetched, refused as
   * `uncertified` once it has waited MISSING_ENTRIES_WAIT_MS.
   */
  waitForEntries(bytes: Uint8Array, r: MlsRejection, now: number, update: SequencerUpdate): 'held' | 'done' {
    const key = Buffer.from(bytes).toString('hex');
    const since = this.waiting.get(key) ?? now;
    if (now - since >= MISSING_ENTRIES_WAIT_MS) {
      this.waiting.delete(key);
      update.rejected = new MlsRejection('uncertified', `no device list entries came in time (${r.message})`);
      return 'done';
    }
    this.waiting.set(key, since);
    update.missingEntries.push(...r.missing);
    return 'held';
  }

  /**
   * The applied commit is accepted (all acked, or its window passed): the
   * previous state, rivals and unsettled sends go, deferred wipes run.
   * Returns the held Welcome to send now (our own commit's), if any.
   */
  accept(currentEpoch: number): ReleasedWelcome | null {
    this.acks = null;
    this.rejoinPending = false;
    const release = this.applied?.own && this.heldWelcome ? this.heldWelcome : null;
    this.setHeldWelcome(null);
    this.previous = null;
    this.rivals = new Set();
    this.unsettled = [];
    this.revs.unsettled++;
    // Held messages of this epoch or older that still do not decrypt came
    // from a branch that lost; their senders resend on the winning one.
    this.held = this.held.filter(
      (h) => h.epoch > currentEpoch || this.waiting.has(Buffer.from(h.bytes).toString('hex')),
    );
    this.revs.meta++;
    this.revs.previous++;
    this.runDeferredWipes();
    return release;
  }

  /** Reads the parts written beside the current state (sequencerParts.ts); throws on damage. */
  load(parts: SequencerParts): void {
    this.previous = parts.previous ? MlsGroupState.deserialize(parts.previous) : null;
    if (parts.meta) {
      const meta = decodeMeta(parts.meta);
      this.applied = meta.applied ? { ...meta.applied, hash: commitHash(meta.applied.commit) } : null;
      this.appliedAt = meta.appliedAt;
      this.rejoinPending = meta.rejoinPending;
      this.rivals = new Set(meta.rivals);
      this.acks = meta.acks ? CommitAcks.fromJson(meta.acks) : null;
      this.unsettled = [...meta.legacyUnsettled];
      this.held = meta.held.map((bytes) => ({ bytes, epoch: headerOf(bytes).epoch }));
    }
    if (parts.unsettled) this.unsettled.push(...parts.unsettled);
    if (parts.log) this.log = decodeLog(parts.log);
    if (parts.welcome) this.heldWelcome = decodeWelcome(parts.welcome);
  }
}
