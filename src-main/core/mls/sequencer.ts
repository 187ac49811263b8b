import { createHash } from 'node:crypto';
import { ParleyError } from '../errors';
import { ownCommitChanges, summarize, type CommitSummary } from './commitSummary';
import type { Role } from './extensions';
import {
  addMembers,
  commitPending,
  encrypt,
  exportRatchetTree,
  leave,
  proposeAdd,
  removeMembers,
  rename,
  selfUpdate,
  setRole,
  type CommitOutcome,
  type ProposalOutcome,
} from './groupEngine';
import { MlsGroupState, type MlsMember } from './groupState';
import { processMessage, type CommitChanges, type ProcessOutcome, type ProposalSummary } from './incoming';
import { isMlsRejection, MlsRejection } from './rejection';
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
 * (ACCEPT window, or a commit for the next epoch built on it), so a member
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

/** What a commit of this member was for, so a losing one can be made again. */
export type CommitIntent =
  | { readonly type: 'add'; readonly keyPackages: readonly Uint8Array[] }
  | { readonly type: 'remove'; readonly identityKeys: readonly Uint8Array[] }
  | { readonly type: 'rename'; readonly name: string }
  | { readonly type: 'setRole'; readonly identityKey: Uint8Array; readonly role: Role }
  | { readonly type: 'selfUpdate' }
  | { readonly type: 'commitPending' };

/** What a proposal of this member asks for (RFC 9420 §12.1): its own removal, or an Add for an admin to commit. */
export type ProposalIntent =
  { readonly type: 'leave' } | { readonly type: 'add'; readonly keyPackage: Uint8Array };

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
}

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

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** True when commit a beats commit b for the same epoch (the rule, docs/protocol.md §10). */
export function beats(a: { rank: number; hash: string }, b: { rank: number; hash: string }): boolean {
  if (a.rank !== b.rank) return a.rank > b.rank;
  return a.hash < b.hash;
}

function emptyUpdate(): SequencerUpdate {
  return {
    delivered: [],
    commits: [],
    proposals: [],
    resend: [],
    welcomes: [],
    lost: [],
    rejected: null,
    mustRejoin: false,
  };
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

  /** Marks the current epoch accepted if its window has passed; releases Welcomes. */
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
    this.advance(out.state, out.commit, rank, intent, now, out.wipeConsumed);
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
    seq.rejoinPending = true;
    seq.pushLog(state.epoch - 1, commit);
    seq.revs = { meta: 1, log: 1, previous: 1, welcome: 1, unsettled: 1 };
    return seq;
  }

  /** Takes one message from the group: a commit, proposal or application message. */
  async receive(bytes: Uint8Array, now: number = Date.now()): Promise<SequencerUpdate> {
    const update = emptyUpdate();
    this.settle(now, update);
    const result = await this.take(bytes, now, update);
    if (result === 'held') this.hold(bytes);
    if (result === 'progress') await this.drain(now, update);
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
      return this.rival(bytes, update);
    }
    let out: ProcessOutcome;
    try {
      out = await processMessage(this.current, bytes);
    } catch (err) {
      const r = isMlsRejection(err) ? err : new MlsRejection('invalid', String(err));
      // While the epoch is undecided, a message may belong to the branch we
      // have not switched to yet: keep it for a retry after a switch.
      if (!this.accepted && header.epoch === epoch && r.reason === 'authentication') return 'held';
      update.rejected = r;
      return 'done';
    }
    if (out.kind === 'application') {
      this.current = out.state;
      this.wipe(out.wipeConsumed);
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
      out.sender ? RANK[out.sender.role] : EXTERNAL_RANK,
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
  private async rival(bytes: Uint8Array, update: SequencerUpdate): Promise<'progress' | 'done'> {
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
    rank: number,
    own: CommitIntent | null,
    now: number,
    wipeConsumed: () => void,
  ): void {
    const before = this.current;
    this.previous = before;
    this.current = next;
    this.deferredWipes.push(wipeConsumed);
    this.applied = { commit, hash: sha256(commit), rank, own };
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

  private settle(now: number, update: SequencerUpdate): void {
    if (this.accepted || now < this.appliedAt + this.acceptMs) return;
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

  // --- persistence ----------------------------------------------------------

  /**
   * The small part (JSON; byte fields base64): applied commit, acceptance
   * time, rivals, held messages. Unsettled sends (plaintexts: only ever
   * written where message bodies are, never to a log) are kept apart, see
   * unsettledSends.
   */
  metaBytes(): Uint8Array {
    const data: MetaJson = {
      v: 2,
      applied: this.applied
        ? {
            commit: b64(this.applied.commit),
            rank: this.applied.rank,
            own: this.applied.own ? intentToJson(this.applied.own) : null,
          }
        : null,
      appliedAt: this.appliedAt,
      rejoinPending: this.rejoinPending,
      rivals: [...this.rivals],
      held: this.held.map((h) => b64(h.bytes)),
    };
    return new Uint8Array(Buffer.from(JSON.stringify(data), 'utf8'));
  }

  /** The held Welcome (with its ratchet tree), or null when none is held. */
  welcomeBytes(): Uint8Array | null {
    const w = this.heldWelcome;
    if (!w) return null;
    const data: WelcomeJson = {
      v: 1,
      welcome: b64(w.welcome),
      ratchetTree: b64(w.ratchetTree),
      recipients: [...w.recipients],
    };
    return new Uint8Array(Buffer.from(JSON.stringify(data), 'utf8'));
  }

  private setHeldWelcome(w: ReleasedWelcome | null): void {
    if (w === this.heldWelcome) return;
    this.heldWelcome = w;
    this.revs.welcome++;
  }

  /** The commit log (changes only with commits). */
  logBytes(): Uint8Array {
    const data: LogJson = this.log.map((e) => ({ epoch: e.epoch, commit: b64(e.commit) }));
    return new Uint8Array(Buffer.from(JSON.stringify(data), 'utf8'));
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
      if (parts.meta) seq.readMeta(parseJson<MetaJson>(parts.meta));
      if (parts.unsettled) seq.unsettled.push(...parts.unsettled);
      if (parts.log) {
        seq.log = parseJson<LogJson>(parts.log).map((e) => ({ epoch: e.epoch, commit: unb64(e.commit) }));
      }
      if (parts.welcome) {
        const w = parseJson<WelcomeJson>(parts.welcome);
        if (w.v !== 1) throw new Error('unknown held Welcome format');
        seq.heldWelcome = {
          welcome: unb64(w.welcome),
          ratchetTree: unb64(w.ratchetTree),
          recipients: w.recipients,
        };
      }
    } catch (err) {
      throw new ParleyError('DATABASE_CORRUPT', 'The stored MLS ordering state is damaged.', { cause: err });
    }
    if (seq.previous && !seq.applied) {
      throw new ParleyError('DATABASE_CORRUPT', 'The stored MLS ordering state is inconsistent.');
    }
    return seq;
  }

  private readMeta(data: MetaJson): void {
    if (data.v !== 2) throw new Error('unknown MLS ordering state format');
    if (data.applied) {
      const commit = unb64(data.applied.commit);
      this.applied = {
        commit,
        hash: sha256(commit),
        rank: data.applied.rank,
        own: data.applied.own ? intentFromJson(data.applied.own) : null,
      };
    }
    this.appliedAt = data.appliedAt;
    this.rejoinPending = data.rejoinPending;
    this.rivals = new Set(data.rivals);
    // Older rows kept unsettled sends inside meta.
    this.unsettled = (data.unsettled ?? []).map((m) => ({
      plaintext: unb64(m.p),
      authenticatedData: unb64(m.a),
    }));
    this.held = data.held.map((h) => {
      const raw = unb64(h);
      return { bytes: raw, epoch: headerOf(raw).epoch };
    });
  }

  /**
   * Everything needed after a restart as one blob (current state included):
   * for tests and exports. Messaging persists the parts instead.
   */
  snapshot(): Uint8Array {
    const data: SnapshotJson = {
      v: 2,
      current: b64(this.current.serialize()),
      previous: this.previous ? b64(this.previous.serialize()) : null,
      meta: b64(this.metaBytes()),
      log: b64(this.logBytes()),
      welcome: this.welcomeBytes() ? b64(this.welcomeBytes() ?? new Uint8Array()) : null,
      unsettled: this.unsettled.map((m) => ({ p: b64(m.plaintext), a: b64(m.authenticatedData) })),
    };
    return new Uint8Array(Buffer.from(JSON.stringify(data), 'utf8'));
  }

  static restore(bytes: Uint8Array, options: SequencerOptions = {}): GroupSequencer {
    let data: SnapshotJson;
    try {
      data = parseJson<SnapshotJson>(bytes);
    } catch (err) {
      throw new ParleyError('DATABASE_CORRUPT', 'The stored MLS ordering state is damaged.', { cause: err });
    }
    if (data.v !== 2) throw new ParleyError('DATABASE_CORRUPT', 'Unknown MLS ordering state format.');
    return GroupSequencer.fromParts(
      MlsGroupState.deserialize(unb64(data.current)),
      {
        meta: unb64(data.meta),
        log: unb64(data.log),
        previous: data.previous ? unb64(data.previous) : null,
        welcome: data.welcome ? unb64(data.welcome) : null,
        unsettled: (data.unsettled ?? []).map((m) => ({
          plaintext: unb64(m.p),
          authenticatedData: unb64(m.a),
        })),
      },
      options,
    );
  }
}

const b64 = (x: Uint8Array) => Buffer.from(x).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

function parseJson<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

interface SnapshotJson {
  v: number;
  current: string;
  previous: string | null;
  meta: string;
  log: string;
  welcome: string | null;
  unsettled?: { p: string; a: string }[];
}

interface MetaJson {
  v: number;
  applied: { commit: string; rank: number; own: IntentJson | null } | null;
  appliedAt: number;
  rejoinPending: boolean;
  rivals: string[];
  unsettled?: { p: string; a: string }[];
  held: string[];
}

type LogJson = { epoch: number; commit: string }[];

interface WelcomeJson {
  v: number;
  welcome: string;
  ratchetTree: string;
  recipients: string[];
}

/** A CommitIntent as JSON (byte fields base64), for persisting queued intents. */
export type IntentJson =
  | { type: 'add'; keyPackages: string[] }
  | { type: 'remove'; identityKeys: string[] }
  | { type: 'rename'; name: string }
  | { type: 'setRole'; identityKey: string; role: Role }
  | { type: 'selfUpdate' }
  | { type: 'commitPending' };

export function intentToJson(i: CommitIntent): IntentJson {
  const b = (x: Uint8Array) => Buffer.from(x).toString('base64');
  switch (i.type) {
    case 'add':
      return { type: 'add', keyPackages: i.keyPackages.map(b) };
    case 'remove':
      return { type: 'remove', identityKeys: i.identityKeys.map(b) };
    case 'setRole':
      return { type: 'setRole', identityKey: b(i.identityKey), role: i.role };
    default:
      return i;
  }
}

export function intentFromJson(i: IntentJson): CommitIntent {
  const u = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
  switch (i.type) {
    case 'add':
      return { type: 'add', keyPackages: i.keyPackages.map(u) };
    case 'remove':
      return { type: 'remove', identityKeys: i.identityKeys.map(u) };
    case 'setRole':
      return { type: 'setRole', identityKey: u(i.identityKey), role: i.role };
    default:
      return i;
  }
}

function runIntent(state: MlsGroupState, i: CommitIntent): Promise<CommitOutcome | null> {
  switch (i.type) {
    case 'add':
      return addMembers(state, i.keyPackages);
    case 'remove':
      return removeMembers(state, i.identityKeys);
    case 'rename':
      return rename(state, i.name);
    case 'setRole':
      return setRole(state, i.identityKey, i.role);
    case 'selfUpdate':
      return selfUpdate(state);
    case 'commitPending':
      return commitPending(state);
  }
}
