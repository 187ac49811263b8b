import { createHash } from 'node:crypto';
import { ParleyError } from '../errors';
import { CommitAcks, decodeAck, encodeAck } from './commitAcks';
import { runIntent, type CommitIntent, type ProposalIntent } from './commitIntent';
import { ownCommitChanges, summarize } from './commitSummary';
import type { Role } from './extensions';
import { encrypt, exportRatchetTree, leave, proposeAdd, type ProposalOutcome } from './groupEngine';
import { MlsGroupState, type MlsMember } from './groupState';
import { processMessage, type ProcessOutcome } from './incoming';
import { isMlsRejection, MlsRejection } from './rejection';
import {
  decodeLog,
  decodeMeta,
  decodeSnapshot,
  decodeWelcome,
  encodeLog,
  encodeMeta,
  encodeSnapshot,
  encodeWelcome,
} from './sequencerParts';
import {
  DEFAULT_ACCEPT_MS,
  DEFAULT_LOG_SIZE,
  DEFAULT_MAX_HELD,
  emptyUpdate,
  type AppliedCommit,
  type ReleasedWelcome,
  type SequencerOptions,
  type SequencerParts,
  type SequencerRevisions,
  type SequencerUpdate,
  type UnsettledSend,
} from './sequencerTypes';
import { decodeGroupMessage } from './wire';

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
 * (every member that could hold a better commit acked it, see
 * commitAcks.ts; else the ACCEPT window; or a commit for the next epoch
 * built on it arrived), so a member
 * that applied a losing commit switches to the winner. Application messages
 * this member sent in a not yet accepted epoch are kept in plaintext and
 * re-encrypted after a switch; messages that do not decrypt yet (a future
 * epoch, or the other branch of an undecided epoch) are held and retried.
 *
 * The sequencer is an in-memory object. Its current state is persisted by
 * the caller like any state (MlsStore, with its cheap per-message ratchet
 * journal); the rest (the previous state, the applied commit, held
 * messages, unsettled sends, the held Welcome, the commit log) is persisted
 * as four parts, each only when its revision changed (`revisions`,
 * `metaBytes()`, `logBytes()`, `welcomeBytes()`, `previousState`), in the
 * same transaction as
 * the caller's rows; GroupSequencer.fromParts() brings it back after a
 * restart. snapshot()/restore() give all of it as one blob (tests, backups).
 */

interface Applied {
  readonly commit: Uint8Array;
  readonly hash: string;
  readonly rank: number;
  readonly own: CommitIntent | null;
}

interface Held {
  readonly bytes: Uint8Array;
  readonly epoch: number;
}

interface Unsettled {
  readonly plaintext: Uint8Array;
  readonly authenticatedData: Uint8Array;
}

const RANK: Record<Role, number> = { owner: 3, admin: 2, member: 1 };
const EXTERNAL_RANK = 0;
const rankOf = (m: MlsMember) => RANK[m.role];

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** True when commit a beats commit b for the same epoch (the rule, docs/protocol.md §10). */
export function beats(a: { rank: number; hash: string }, b: { rank: number; hash: string }): boolean {
  if (a.rank !== b.rank) return a.rank > b.rank;
  return a.hash < b.hash;
}

function headerOf(bytes: Uint8Array): { epoch: number; contentType: string } {
  const m = decodeGroupMessage(bytes);
  const h = m.wireformat === 'mls_private_message' ? m.privateMessage : m.publicMessage.content;
  return { epoch: Number(h.epoch), contentType: h.contentType };
}

export class GroupSequencer {
  private current: MlsGroupState;
  /** The state the last commit was applied to; null once that commit is accepted. */
  private previous: MlsGroupState | null = null;
  /** This member rejoined by external commit, not yet accepted (no previous state to switch to). */
  private rejoinPending = false;
  private applied: Applied | null = null;
  private appliedAt = 0;
  /** Who acked the applied commit (null: none applied, or parts from before acks: the window decides). */
  private acks: CommitAcks | null = null;
  /** Hashes of commits for previous.epoch already tried (losers, duplicates). */
  private rivals = new Set<string>();
  private heldWelcome: ReleasedWelcome | null = null;
  private unsettled: Unsettled[] = [];
  private held: Held[] = [];
  private log: { epoch: number; commit: Uint8Array }[] = [];
  /**
   * Secret wipes (RFC 9420 §9.2) deferred while the previous state is kept:
   * ts-mls shares objects between a state and the one derived from it, so
   * zeroing what the newer state consumed would damage the older one we may
   * still switch back to.
   */
  private deferredWipes: (() => void)[] = [];
  private readonly acceptMs: number;
  private readonly logSize: number;
  private readonly maxHeld: number;
  /** Bumped whenever the part changes, so the caller writes only what changed. */
  private revs = { meta: 0, log: 0, previous: 0, welcome: 0, unsettled: 0 };

  constructor(state: MlsGroupState, options: SequencerOptions = {}) {
    this.current = state;
    this.acceptMs = options.acceptMs ?? DEFAULT_ACCEPT_MS;
    this.logSize = options.logSize ?? DEFAULT_LOG_SIZE;
    this.maxHeld = options.maxHeld ?? DEFAULT_MAX_HELD;
  }

  get state(): MlsGroupState {
    return this.current;
  }

  get epoch(): number {
    return this.current.epoch;
  }

  /** True when the commit that started the current epoch can no longer be replaced. */
  get accepted(): boolean {
    return this.previous === null && !this.rejoinPending;
  }

  /** Messages held for a retry. */
  get heldCount(): number {
    return this.held.length;
  }

  /** The latest epoch among held messages (0 when none): ahead of `epoch` means a commit is missing. */
  get heldMaxEpoch(): number {
    return this.held.reduce((max, h) => Math.max(max, h.epoch), 0);
  }

  /** When the current epoch will be accepted if nothing else happens (null: it is). */
  get acceptDueAt(): number | null {
    return this.accepted ? null : this.appliedAt + this.acceptMs;
  }

  /** Devices whose ack the current epoch still waits for (empty once accepted, or when only the window can accept it). */
  get awaitingAcks(): readonly string[] {
    if (this.accepted || !this.acks || this.acks.windowOnly) return [];
    return this.acks.missing;
  }

  /** Devices a held (not yet released) Welcome is for: they are not in the group for others yet. */
  get awaitingWelcome(): readonly string[] {
    return this.heldWelcome?.recipients ?? [];
  }

  get revisions(): SequencerRevisions {
    return { ...this.revs };
  }

  /** This member's sends in the undecided epoch, oldest first (persisted apart, append-only). */
  get unsettledSends(): readonly UnsettledSend[] {
    return this.unsettled;
  }

  /** The state before the last commit, kept until that commit is accepted. */
  get previousState(): MlsGroupState | null {
    return this.previous;
  }

  /**
   * Commits that led to epochs after `epoch`, oldest first, for a member
   * coming back online at `epoch`; null when the log no longer reaches back
   * that far (that member rejoins by external commit).
   */
  commitsAfter(epoch: number): Uint8Array[] | null {
    if (epoch >= this.current.epoch) return [];
    const first = this.log[0];
    if (!first || first.epoch > epoch) return null;
    return this.log.filter((e) => e.epoch >= epoch).map((e) => e.commit);
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
    this.wipe(out.wipeConsumed);
    // Appended, not rewritten: see SequencerRevisions.unsettled.
    if (!this.accepted) this.unsettled.push({ plaintext, authenticatedData });
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
    this.wipe(out.wipeConsumed);
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
      this.setHeldWelcome({
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
    seq.applied = { commit, hash: sha256(commit), rank: EXTERNAL_RANK, own: null };
    seq.appliedAt = now;
    seq.acks = CommitAcks.windowOnly();
    seq.rejoinPending = true;
    seq.pushLog(state.epoch - 1, commit);
    seq.revs = { meta: 1, log: 1, previous: 1, welcome: 1, unsettled: 1 };
    return seq;
  }

  /** Takes one message from the group: a commit, proposal or application message. */
  async receive(bytes: Uint8Array, now: number = Date.now()): Promise<SequencerUpdate> {
    const update = emptyUpdate();
    this.settle(now, update);
    const appliedBefore = this.applied?.hash ?? null;
    const result = await this.take(bytes, now, update);
    if (result === 'held') this.hold(bytes);
    if (result === 'progress') await this.drain(now, update);
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
      return this.rival(bytes, now, update);
    }
    let out: ProcessOutcome;
    try {
      out = await processMessage(this.current, bytes);
    } catch (err) {
      const r = isMlsRejection(err) ? err : new MlsRejection('invalid', String(err));
      // While the epoch is undecided, a message may belong to the branch we
      // have not switched to yet: keep it for a retry after a switch.
      if (!this.accepted && header.epoch === epoch && r.reason === 'authentication') return 'held';
      // Accepted on acks before its window ended: a message of this epoch
      // that does not decrypt was sent on a branch that lost (its sender
      // resends it on this one). Dropped as a held one would have been.
      if (this.inAckedWindow(now) && header.epoch === epoch && r.reason === 'authentication') return 'done';
      update.rejected = r;
      return 'done';
    }
    if (out.kind === 'application') {
      this.current = out.state;
      this.wipe(out.wipeConsumed);
      const acked = decodeAck(out.plaintext);
      if (acked !== null) {
        // An ack is the sequencer's own: never delivered to the application.
        if (acked === this.applied?.hash && this.acks?.record(out.sender.peerId)) this.revs.meta++;
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
      this.wipe(out.wipeConsumed);
      update.proposals.push({ sender: out.sender, proposal: out.proposal });
      return 'done';
    }
    // A commit for the current epoch. If the current epoch was still open,
    // this commit is built on it: its author accepted it, so do we.
    if (this.applied?.own && this.heldWelcome) update.welcomes.push(this.heldWelcome);
    this.setHeldWelcome(null);
    this.previous = null;
    this.rejoinPending = false;
    this.runDeferredWipes();
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

  /** A commit for the epoch before the current one: a competitor of the commit we applied. */
  private async rival(bytes: Uint8Array, now: number, update: SequencerUpdate): Promise<'progress' | 'done'> {
    const hash = sha256(bytes);
    if (this.rejoinPending && this.applied && hash !== this.applied.hash) {
      // Without the previous epoch's keys the rival cannot be read, but any
      // member's commit (a PrivateMessage) outranks an external commit, and
      // between two external commits the smaller hash wins.
      const external = decodeGroupMessage(bytes).wireformat === 'mls_public_message';
      if (!external || hash < this.applied.hash) update.mustRejoin = true;
      return 'done';
    }
    if (!this.previous || !this.applied) {
      // Accepted on acks: every member that could have beaten our commit
      // acked it, so a rival arriving late lost (commitAcks.ts). After the
      // window it may be a fork (docs/protocol.md §10, Limits): say so.
      if (this.inAckedWindow(now)) return 'done';
      update.rejected = new MlsRejection('stale-epoch', 'a commit for an epoch already accepted');
      return 'done';
    }
    if (hash === this.applied.hash || this.rivals.has(hash)) return 'done';
    this.rivals.add(hash);
    this.revs.meta++;
    let out: ProcessOutcome;
    try {
      out = await processMessage(this.previous, bytes);
    } catch (err) {
      update.rejected = isMlsRejection(err) ? err : new MlsRejection('invalid', String(err));
      return 'done';
    }
    if (out.kind !== 'commit') return 'done';
    const rank = out.sender ? RANK[out.sender.role] : EXTERNAL_RANK;
    if (!beats({ rank, hash }, this.applied)) {
      this.deferredWipes.push(out.wipeConsumed);
      return 'done';
    }
    // Switch: the commit we applied lost.
    const lostOwn = this.applied.own;
    if (lostOwn) update.lost.push(lostOwn);
    this.setHeldWelcome(null);
    this.rivals.add(this.applied.hash);
    this.current = out.state;
    // The losing branch's wipes are dropped, not run: they zero secrets of
    // the epoch before, which the winning branch still reads late messages
    // with (both branches share those objects).
    this.deferredWipes = [out.wipeConsumed];
    this.applied = { commit: bytes, hash, rank, own: null };
    this.acks = CommitAcks.expect(
      this.previous,
      out.state,
      { peerId: out.sender?.peerId ?? null, rank, external: out.sender === null },
      rankOf,
    );
    this.replaceLog(this.previous.epoch, bytes);
    update.commits.push({
      epoch: out.epoch,
      sender: out.sender,
      changes: out.changes,
      replacedAnother: true,
      summary: summarize(this.previous, out.state, out.changes),
    });
    // What we sent on the losing branch is re-encrypted on the winning one;
    // receivers that got both copies dedupe by the application's message id.
    // (The list keeps the same sends in the same order: nothing to rewrite.)
    const resend = this.unsettled;
    this.unsettled = [];
    for (const m of resend) {
      const enc = await encrypt(this.current, m.plaintext, m.authenticatedData);
      this.current = enc.state;
      this.deferredWipes.push(enc.wipeConsumed);
      this.unsettled.push(m);
      update.resend.push(enc.message);
    }
    return 'progress';
  }

  private advance(
    next: MlsGroupState,
    commit: Uint8Array,
    committer: { rank: number; peerId: string | null },
    own: CommitIntent | null,
    now: number,
    wipeConsumed: () => void,
  ): void {
    const before = this.current;
    const { rank } = committer;
    this.previous = before;
    this.current = next;
    this.deferredWipes.push(wipeConsumed);
    this.applied = { commit, hash: sha256(commit), rank, own };
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
   * Accepts the current epoch once every member that could hold a better
   * commit acked it (commitAcks.ts), or its window has passed.
   */
  private settle(now: number, update: SequencerUpdate): void {
    if (this.accepted) return;
    if (!(this.acks?.complete ?? false) && now < this.appliedAt + this.acceptMs) return;
    update.settled = true;
    this.acks = null;
    this.rejoinPending = false;
    if (this.applied?.own && this.heldWelcome) update.welcomes.push(this.heldWelcome);
    this.setHeldWelcome(null);
    this.previous = null;
    this.rivals = new Set();
    this.unsettled = [];
    this.revs.unsettled++;
    // Held messages of this epoch or older that still do not decrypt came
    // from a branch that lost; their senders resend on the winning one.
    const epoch = this.current.epoch;
    this.held = this.held.filter((h) => h.epoch > epoch);
    this.revs.meta++;
    this.revs.previous++;
    this.runDeferredWipes();
  }

  private hold(bytes: Uint8Array): void {
    const { epoch } = headerOf(bytes);
    if (this.held.some((h) => Buffer.from(h.bytes).equals(Buffer.from(bytes)))) return;
    this.held.push({ bytes, epoch });
    if (this.held.length > this.maxHeld) this.held.shift();
    this.revs.meta++;
  }

  /**
   * Acks the commit this step applied (someone else's, and one that acks
   * can accept): an application message in the new epoch, sent to the
   * group by the caller (`update.acks`). Not kept as an unsettled send: if
   * the epoch loses, the member acks the winner instead.
   */
  private async ackIfApplied(appliedBefore: string | null, update: SequencerUpdate): Promise<void> {
    const applied = this.applied;
    if (!applied || applied.hash === appliedBefore || applied.own || !this.acks || this.acks.windowOnly)
      return;
    // A member the commit removed has no leaf to ack from (commitAcks.ts counts on that).
    if (!this.current.active) return;
    const out = await encrypt(this.current, encodeAck(applied.hash));
    this.current = out.state;
    this.wipe(out.wipeConsumed);
    update.acks.push(out.message);
  }

  /**
   * Accepted before its window ended, which only acks do (the window itself
   * ends at appliedAt + acceptMs; a next commit moves appliedAt).
   */
  private inAckedWindow(now: number): boolean {
    return this.accepted && this.applied !== null && now < this.appliedAt + this.acceptMs;
  }

  /** Retries held messages until none makes progress. */
  private async drain(now: number, update: SequencerUpdate): Promise<void> {
    if (this.held.length > 0) this.revs.meta++;
    for (let progress = true; progress;) {
      progress = false;
      const pending = [...this.held].sort((a, b) => a.epoch - b.epoch);
      this.held = [];
      for (let i = 0; i < pending.length; i++) {
        const h = pending[i]!;
        const sub = emptyUpdate();
        const result = await this.take(h.bytes, now, sub);
        update.delivered.push(...sub.delivered);
        update.commits.push(...sub.commits);
        update.proposals.push(...sub.proposals);
        update.resend.push(...sub.resend);
        update.welcomes.push(...sub.welcomes);
        update.lost.push(...sub.lost);
        update.mustRejoin ||= sub.mustRejoin;
        if (result === 'held') this.held.push(h);
        if (result === 'progress') {
          // The epoch changed: what is left is retried against the new state.
          this.held.push(...pending.slice(i + 1));
          progress = true;
          break;
        }
      }
    }
  }

  private wipe(w: () => void): void {
    if (this.previous) this.deferredWipes.push(w);
    else w();
  }

  private runDeferredWipes(): void {
    const wipes = this.deferredWipes;
    this.deferredWipes = [];
    for (const w of wipes) w();
  }

  private pushLog(epoch: number, commit: Uint8Array): void {
    this.log = this.log.filter((e) => e.epoch < epoch);
    this.log.push({ epoch, commit });
    if (this.log.length > this.logSize) this.log.splice(0, this.log.length - this.logSize);
    this.revs.log++;
  }

  private replaceLog(epoch: number, commit: Uint8Array): void {
    this.pushLog(epoch, commit);
  }

  private setHeldWelcome(w: ReleasedWelcome | null): void {
    if (w === this.heldWelcome) return;
    this.heldWelcome = w;
    this.revs.welcome++;
  }

  // --- persistence (formats in sequencerParts.ts) ------------------------------

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
      seq.previous = parts.previous ? MlsGroupState.deserialize(parts.previous) : null;
      if (parts.meta) {
        const meta = decodeMeta(parts.meta);
        seq.applied = meta.applied ? { ...meta.applied, hash: sha256(meta.applied.commit) } : null;
        seq.appliedAt = meta.appliedAt;
        seq.rejoinPending = meta.rejoinPending;
        seq.rivals = new Set(meta.rivals);
        seq.acks = meta.acks ? CommitAcks.fromJson(meta.acks) : null;
        seq.unsettled = [...meta.legacyUnsettled];
        seq.held = meta.held.map((bytes) => ({ bytes, epoch: headerOf(bytes).epoch }));
      }
      if (parts.unsettled) seq.unsettled.push(...parts.unsettled);
      if (parts.log) seq.log = decodeLog(parts.log);
      if (parts.welcome) seq.heldWelcome = decodeWelcome(parts.welcome);
    } catch (err) {
      throw new ParleyError('DATABASE_CORRUPT', 'The stored MLS ordering state is damaged.', { cause: err });
    }
    if (seq.previous && !seq.applied) {
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
      previous: this.previous?.serialize() ?? null,
      meta: this.metaBytes(),
      log: this.logBytes(),
      welcome: this.welcomeBytes(),
      unsettled: this.unsettled,
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
