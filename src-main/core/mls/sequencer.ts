import { ParleyError } from '../errors';
import { CommitAcks, decodeAck, encodeAck } from './commitAcks';
import { runIntent, type CommitIntent, type ProposalIntent } from './commitIntent';
import { ownCommitChanges, summarize } from './commitSummary';
import { commitHash, EXTERNAL_RANK, headerOf, RANK } from './commitOrder';
import { encrypt, exportRatchetTree, leave, proposeAdd, type ProposalOutcome } from './groupEngine';
import { MlsGroupState } from './groupState';
import { processMessage, type ProcessOutcome } from './incoming';
import { isMlsRejection, MlsRejection } from './rejection';
import { decodeSnapshot, encodeSnapshot } from './sequencerParts';
import { takeRivalCommit, type RivalAccess } from './rivalCommit';
import { SequencerRecord } from './sequencerRecord';
import {
  DEFAULT_ACCEPT_MS,
  DEFAULT_LOG_SIZE,
  DEFAULT_MAX_HELD,
  emptyUpdate,
  mergeRetried,
  type AppliedCommit,
  type SequencerOptions,
  type SequencerParts,
  type SequencerRevisions,
  type SequencerUpdate,
  type UnsettledSend,
} from './sequencerTypes';

/**
 * Ordering without a server (docs/protocol.md §10, RFC 9420 §14). One
 * GroupSequencer per group wraps the pure engine and decides, from the bytes
 * alone, which of several concurrent commits for one epoch every member
 * ends up on:
 *
 *   winner = highest committer rank (owner > admin > member > external
 *            commit), then the smallest SHA-256 of the commit's MLSMessage.
 *
 * The state before the last commit is kept until that commit is accepted
 * (every member that could hold a better commit acked it, commitAcks.ts; or
 * the ACCEPT window passed; or a commit built on it arrived), so a member
 * that applied a losing commit switches to the winner. Application messages
 * this member sent in a not yet accepted epoch are kept in plaintext and
 * re-encrypted after a switch; messages that do not decrypt yet (a future
 * epoch, or the other branch of an undecided epoch) are held and retried.
 *
 * The sequencer is an in-memory object. Its current state is persisted by
 * the caller like any state (MlsStore); the rest is its SequencerRecord
 * (sequencerRecord.ts), persisted in parts beside it.
 */

// The ordering rule is commitOrder.ts; `beats` is named here too for its callers.
export { beats } from './commitOrder';

export class GroupSequencer {
  private current: MlsGroupState;
  private readonly acceptMs: number;
  /** What is persisted of the ordering beside the current state (sequencerRecord.ts). */
  private readonly r: SequencerRecord;

  constructor(state: MlsGroupState, options: SequencerOptions = {}) {
    this.current = state;
    this.acceptMs = options.acceptMs ?? DEFAULT_ACCEPT_MS;
    this.r = new SequencerRecord(options.logSize ?? DEFAULT_LOG_SIZE, options.maxHeld ?? DEFAULT_MAX_HELD);
  }

  get state(): MlsGroupState {
    return this.current;
  }
  get epoch(): number {
    return this.current.epoch;
  }

  /** True when the commit that started the current epoch can no longer be replaced. */
  get accepted(): boolean {
    return this.r.previous === null && !this.r.rejoinPending;
  }

  /** Messages held for a retry. */
  get heldCount(): number {
    return this.r.held.length;
  }
  /** The latest epoch among held messages (0 when none): ahead of `epoch` means a commit is missing. */
  get heldMaxEpoch(): number {
    return this.r.held.reduce((max, h) => Math.max(max, h.epoch), 0);
  }

  /** When the current epoch will be accepted if nothing else happens (null: it is). */
  get acceptDueAt(): number | null {
    return this.accepted ? null : this.r.appliedAt + this.acceptMs;
  }

  /** Devices whose ack the current epoch still waits for (empty once accepted, or when only the window can accept it). */
  get awaitingAcks(): readonly string[] {
    if (this.accepted || !this.r.acks || this.r.acks.windowOnly) return [];
    return this.r.acks.missing;
  }
  /** Devices a held (not yet released) Welcome is for: they are not in the group for others yet. */
  get awaitingWelcome(): readonly string[] {
    return this.r.heldWelcome?.recipients ?? [];
  }

  /**
   * Commits that led to epochs after `epoch`, oldest first, for a member
   * coming back online at `epoch`; null when the log no longer reaches back
   * that far (that member rejoins by external commit).
   */
  commitsAfter(epoch: number): Uint8Array[] | null {
    return this.r.commitsAfter(epoch, this.current.epoch);
  }

  get revisions(): SequencerRevisions {
    return { ...this.r.revs };
  }

  /** This member's sends in the undecided epoch, oldest first (persisted apart, append-only). */
  get unsettledSends(): readonly UnsettledSend[] {
    return this.r.unsettled;
  }

  /** The state before the last commit, kept until that commit is accepted. */
  get previousState(): MlsGroupState | null {
    return this.r.previous;
  }

  /** Marks the current epoch accepted if it was acked by all or its window has passed; releases Welcomes. */
  tick(now: number): SequencerUpdate {
    const update = emptyUpdate();
    this.settle(now, update);
    return update;
  }

  /**
   * Encrypts an application message. Sent in an epoch that is not accepted
   * yet, its plaintext is kept until it is, to re-encrypt if the epoch loses.
   */
  async send(
    plaintext: Uint8Array,
    authenticatedData: Uint8Array = new Uint8Array(0),
    now: number = Date.now(),
  ): Promise<{ message: Uint8Array; update: SequencerUpdate }> {
    const update = emptyUpdate();
    this.settle(now, update);
    const out = await encrypt(this.current, plaintext, authenticatedData);
    this.current = out.state;
    this.r.wipe(out.wipeConsumed);
    // Appended, not rewritten: see SequencerRevisions.unsettled.
    if (!this.accepted) this.r.unsettled.push({ plaintext, authenticatedData });
    return { message: out.message, update };
  }

  /**
   * Makes a proposal in the current epoch (a leave, or a member's Add for an
   * admin to commit). Proposals lapse with their epoch (RFC 9420 §12.1): if
   * this epoch loses, the caller proposes again.
   */
  async propose(
    intent: ProposalIntent,
    now: number = Date.now(),
  ): Promise<{ proposal: Uint8Array; update: SequencerUpdate }> {
    const update = emptyUpdate();
    this.settle(now, update);
    const out: ProposalOutcome =
      intent.type === 'leave' ? await leave(this.current) : await proposeAdd(this.current, intent.keyPackage);
    this.current = out.state;
    this.r.wipe(out.wipeConsumed);
    return { proposal: out.proposal, update };
  }

  /**
   * Makes a commit. Only once the current epoch is accepted: a commit on top
   * of an epoch that may still be replaced could be lost with it.
   */
  async commit(
    intent: CommitIntent,
    now: number = Date.now(),
  ): Promise<{
    commit: Uint8Array;
    update: SequencerUpdate;
    applied: AppliedCommit;
    /** The commit carried this device's UpdatePath (post-compromise security, RFC 9420 §12.4). */
    refreshedOwnKeys: boolean;
  } | null> {
    const update = emptyUpdate();
    this.settle(now, update);
    if (!this.accepted) {
      throw new ParleyError(
        'INVALID_STATE',
        'The last commit is not accepted yet; commit again after it is.',
      );
    }
    const before = this.current;
    const out = await runIntent(before, intent);
    if (!out) return null;
    const rank = RANK[before.self.role];
    const changes = ownCommitChanges(before, out.state, out.refreshedOwnKeys);
    const applied: AppliedCommit = {
      epoch: out.state.epoch,
      sender: before.self,
      changes,
      replacedAnother: false,
      summary: summarize(before, out.state, changes),
    };
    this.advance(out.state, out.commit, { rank, peerId: before.self.peerId }, intent, now, out.wipeConsumed);
    if (out.welcome) {
      this.r.setHeldWelcome({
        welcome: out.welcome,
        ratchetTree: exportRatchetTree(out.state),
        recipients: [...new Set(changes.added.map((m) => m.peerId))],
      });
    }
    await this.drain(now, update);
    return { commit: out.commit, update, applied, refreshedOwnKeys: out.refreshedOwnKeys };
  }

  /**
   * Starts from a state this member just created by external commit
   * (rejoin.ts): that commit competes like any other until accepted.
   */
  static afterRejoin(
    state: MlsGroupState,
    commit: Uint8Array,
    now: number,
    options: SequencerOptions = {},
  ): GroupSequencer {
    const seq = new GroupSequencer(state, options);
    // There is no previous state to switch back to: a rejoiner whose commit
    // loses simply rejoins again; it is still marked unsettled so its own
    // messages are kept until the commit is accepted.
    seq.r.applied = { commit, hash: commitHash(commit), rank: EXTERNAL_RANK, own: null };
    seq.r.appliedAt = now;
    seq.r.acks = CommitAcks.windowOnly();
    seq.r.rejoinPending = true;
    seq.r.pushLog(state.epoch - 1, commit);
    seq.r.revs = { meta: 1, log: 1, previous: 1, welcome: 1, unsettled: 1 };
    return seq;
  }

  /** Takes one message from the group: a commit, proposal or application message. */
  async receive(bytes: Uint8Array, now: number = Date.now()): Promise<SequencerUpdate> {
    return this.step(now, async (update) => {
      const result = await this.take(bytes, now, update);
      if (result === 'held') this.r.hold(bytes);
      // A new proposal may be the one a held commit waits for.
      const proposal = update.proposals.length > 0 && this.r.held.some((h) => h.epoch === this.current.epoch);
      if (result === 'progress' || proposal) await this.drain(now, update);
    });
  }

  /** Tries held messages again: after device-list entries came, or their wait ran out (§13.6). */
  retryHeld(now: number = Date.now()): Promise<SequencerUpdate> {
    return this.step(now, (update) => this.drain(now, update, true));
  }

  private async step(now: number, body: (u: SequencerUpdate) => Promise<void>): Promise<SequencerUpdate> {
    const update = emptyUpdate();
    this.settle(now, update);
    const appliedBefore = this.r.applied?.hash ?? null;
    await body(update);
    await this.ackIfApplied(appliedBefore, update);
    // Acks taken in this step (or held ones retried) may complete the epoch.
    this.settle(now, update);
    return update;
  }

  // --- internals ------------------------------------------------------------

  /** 'progress' when the epoch changed, 'held' to retry later, 'done' otherwise. */
  private async take(
    bytes: Uint8Array,
    now: number,
    update: SequencerUpdate,
  ): Promise<'progress' | 'held' | 'done'> {
    let header: { epoch: number; contentType: string };
    try {
      header = headerOf(bytes);
    } catch (err) {
      update.rejected = isMlsRejection(err) ? err : new MlsRejection('malformed', String(err));
      return 'done';
    }
    const epoch = this.current.epoch;
    if (header.epoch > epoch) return 'held';
    if (header.contentType === 'commit' && header.epoch === epoch - 1) {
      return takeRivalCommit(this.rivalAccess(), bytes, now, update);
    }
    let out: ProcessOutcome;
    try {
      out = await processMessage(this.current, bytes);
    } catch (err) {
      const r = isMlsRejection(err) ? err : new MlsRejection('invalid', String(err));
      if (r.reason === 'missing-entries') return this.r.waitForEntries(bytes, r, now, update);
      // While the epoch is undecided, a message may belong to the branch we
      // have not switched to yet: keep it for a retry after a switch.
      if (!this.accepted && header.epoch === epoch && r.reason === 'authentication') return 'held';
      // A commit of a proposal that has not arrived yet (another sender's):
      // retried when a proposal comes (receive drains then).
      if (header.epoch === epoch && r.reason === 'missing-proposal') return 'held';
      // Accepted on acks before its window ended: a message of this epoch
      // that does not decrypt was sent on a branch that lost (its sender
      // resends it on this one). Dropped as a held one would have been.
      if (this.inAckedWindow(now) && header.epoch === epoch && r.reason === 'authentication') return 'done';
      update.rejected = r;
      return 'done';
    }
    if (out.kind === 'application') {
      this.current = out.state;
      this.r.wipe(out.wipeConsumed);
      const acked = decodeAck(out.plaintext);
      if (acked !== null) {
        // An ack is the sequencer's own: never delivered to the application.
        if (acked === this.r.applied?.hash && this.r.acks?.record(out.sender.peerId)) this.r.revs.meta++;
        return 'done';
      }
      update.delivered.push({
        epoch: out.epoch,
        sender: out.sender,
        plaintext: out.plaintext,
        authenticatedData: out.authenticatedData,
      });
      return 'done';
    }
    if (out.kind === 'proposal') {
      this.current = out.state;
      this.r.wipe(out.wipeConsumed);
      update.proposals.push({ sender: out.sender, proposal: out.proposal });
      return 'done';
    }
    // A commit for the current epoch. If the current epoch was still open,
    // this commit is built on it: its author accepted it, so do we.
    if (this.r.applied?.own && this.r.heldWelcome) update.welcomes.push(this.r.heldWelcome);
    this.r.setHeldWelcome(null);
    this.r.previous = null;
    this.r.rejoinPending = false;
    this.r.runDeferredWipes();
    const before = this.current;
    this.advance(
      out.state,
      bytes,
      { rank: out.sender ? RANK[out.sender.role] : EXTERNAL_RANK, peerId: out.sender?.peerId ?? null },
      null,
      now,
      out.wipeConsumed,
    );
    update.commits.push({
      epoch: out.epoch,
      sender: out.sender,
      changes: out.changes,
      replacedAnother: false,
      summary: summarize(before, out.state, out.changes),
    });
    return 'progress';
  }

  /** What the rival-commit step may read and change (rivalCommit.ts). */
  private rivalAccess(): RivalAccess {
    return {
      record: this.r,
      current: () => this.current,
      setCurrent: (state) => {
        this.current = state;
      },
      inAckedWindow: (now) => this.inAckedWindow(now),
    };
  }

  private advance(
    next: MlsGroupState,
    commit: Uint8Array,
    committer: { rank: number; peerId: string | null },
    own: CommitIntent | null,
    now: number,
    wipeConsumed: () => void,
  ): void {
    this.r.beginEpoch(this.current, next, commit, committer, own, now, wipeConsumed);
    this.current = next;
  }

  /**
   * Accepts the current epoch once every member that could hold a better
   * commit acked it (commitAcks.ts), or its window has passed.
   */
  private settle(now: number, update: SequencerUpdate): void {
    if (this.accepted) return;
    if (!(this.r.acks?.complete ?? false) && now < this.r.appliedAt + this.acceptMs) return;
    update.settled = true;
    const welcome = this.r.accept(this.current.epoch);
    if (welcome) update.welcomes.push(welcome);
  }

  /**
   * Acks the commit this step applied (someone else's, and one that acks
   * can accept): an application message in the new epoch, sent to the
   * group by the caller (`update.acks`). Not kept as an unsettled send: if
   * the epoch loses, the member acks the winner instead.
   */
  private async ackIfApplied(appliedBefore: string | null, update: SequencerUpdate): Promise<void> {
    const applied = this.r.applied;
    if (!applied || applied.hash === appliedBefore || applied.own || !this.r.acks || this.r.acks.windowOnly)
      return;
    // A member the commit removed has no leaf to ack from (commitAcks.ts counts on that).
    if (!this.current.active) return;
    const out = await encrypt(this.current, encodeAck(applied.hash));
    this.current = out.state;
    this.r.wipe(out.wipeConsumed);
    update.acks.push(out.message);
  }

  /**
   * Accepted before its window ended, which only acks do (the window itself
   * ends at appliedAt + acceptMs; a next commit moves appliedAt).
   */
  private inAckedWindow(now: number): boolean {
    return this.accepted && this.r.applied !== null && now < this.r.appliedAt + this.acceptMs;
  }

  /** Retries held messages until none makes progress (their refusals reported only when asked). */
  private async drain(now: number, update: SequencerUpdate, reportRefusals = false): Promise<void> {
    if (this.r.held.length > 0) this.r.revs.meta++;
    for (let progress = true; progress;) {
      progress = false;
      const pending = [...this.r.held].sort((a, b) => a.epoch - b.epoch);
      this.r.held = [];
      for (let i = 0; i < pending.length; i++) {
        const h = pending[i]!;
        const sub = emptyUpdate();
        const result = await this.take(h.bytes, now, sub);
        mergeRetried(update, sub, reportRefusals);
        if (result === 'held') this.r.held.push(h);
        if (result === 'progress') {
          // The epoch changed: what is left is retried against the new state.
          this.r.held.push(...pending.slice(i + 1));
          progress = true;
          break;
        }
      }
    }
  }

  // --- persistence (formats in sequencerParts.ts, the record in sequencerRecord.ts) ---

  /** The small part: applied commit, acceptance time and acks, rivals, held messages. */
  metaBytes(): Uint8Array {
    return this.r.metaBytes();
  }

  /** The held Welcome (with its ratchet tree), or null when none is held. */
  welcomeBytes(): Uint8Array | null {
    return this.r.welcomeBytes();
  }

  /** The commit log (changes only with commits). */
  logBytes(): Uint8Array {
    return this.r.logBytes();
  }

  /**
   * Brings a sequencer back from its current state (as MlsStore keeps it)
   * and the parts written beside it. Damaged parts are DATABASE_CORRUPT.
   */
  static fromParts(
    current: MlsGroupState,
    parts: SequencerParts,
    options: SequencerOptions = {},
  ): GroupSequencer {
    const seq = new GroupSequencer(current, options);
    try {
      seq.r.load(parts);
    } catch (err) {
      throw new ParleyError('DATABASE_CORRUPT', 'The stored MLS ordering state is damaged.', { cause: err });
    }
    if (seq.r.previous && !seq.r.applied) {
      throw new ParleyError('DATABASE_CORRUPT', 'The stored MLS ordering state is inconsistent.');
    }
    return seq;
  }

  /**
   * Everything needed after a restart as one blob (current state included):
   * for tests and exports. Messaging persists the parts instead.
   */
  snapshot(): Uint8Array {
    return encodeSnapshot({
      current: this.current.serialize(),
      previous: this.r.previous?.serialize() ?? null,
      meta: this.r.metaBytes(),
      log: this.r.logBytes(),
      welcome: this.r.welcomeBytes(),
      unsettled: this.r.unsettled,
    });
  }

  static restore(bytes: Uint8Array, options: SequencerOptions = {}): GroupSequencer {
    let decoded: ReturnType<typeof decodeSnapshot>;
    try {
      decoded = decodeSnapshot(bytes);
    } catch (err) {
      throw new ParleyError('DATABASE_CORRUPT', 'The stored MLS ordering state is damaged.', { cause: err });
    }
    return GroupSequencer.fromParts(MlsGroupState.deserialize(decoded.current), decoded.parts, options);
  }
}
