import type { Outbox } from '../delivery/outbox';
import { ParleyError } from '../errors';
import {
  stillWanted,
  type AppliedCommit,
  type CommitIntent,
  type MlsGroupState,
  type MlsMember,
  type MlsStore,
  type ProposalIntent,
  type ReleasedWelcome,
  type Role,
  type SequencerUpdate,
} from '../mls';
import { peerTag } from '../net/protocolService';
import { durabilityOf } from '../store/durability';
import { prepared } from '../store/prepared';
import type { Db } from '../store/encryptedDatabase';
import type { Store } from '../store/store';
import { errorFields, type Logger } from '../util/logger';
import { assertSendable, isAwaitingResync } from './resync';
import { GroupSequencers, MAX_BACKLOG, type SequencerEntry } from './groupSequencers';
import type { Directory } from '../contacts/directory';
import type { KeyedMutex } from '../util/keyedMutex';
import { ackRecipients } from './ackRecipients';
import { GroupSystemLines } from './groupSystemLines';
import { decodeWelcomeRelay, encodeWelcomeRelay, type WelcomeRelay } from './welcomeRelay';
import { encodeFrame } from './wireFrame';

/**
 * Group changes after creation (issue #4): every group message in and out
 * goes through the conversation's GroupSequencer (mls/sequencer.ts,
 * docs/protocol.md §10), so concurrent commits converge, Welcomes leave only
 * once their commit is accepted, and what lost is made again.
 *
 * - Owners and admins commit adds, removes, renames and role changes; a
 *   member's add becomes an Add proposal that an admin's device commits when
 *   it receives it; a leave is a self-removal proposal (RFC 9420 §12.1.3)
 *   that an admin commits at once, or any member after a window.
 * - Commits, proposals and Welcomes travel through the outbox like messages,
 *   so offline members get them from holders, in order.
 * - A change made while the current epoch is not accepted yet (or one that
 *   lost) is queued and committed once it is (the `tick` timer).
 * - Each device refreshes its keys in a group (self-update, RFC 9420 §12.4,
 *   post-compromise security §16.6) after SELF_UPDATE_AFTER_MS or
 *   SELF_UPDATE_AFTER_MESSAGES messages sent, whichever comes first.
 *
 * Every step persists the new state, the sequencer's changed parts and the
 * rows it produced in one transaction before anything is sent or acked
 * (DESIGN.md §1 rule 6). Callers hold the conversation's lock where noted.
 */

/**
 * A week: a stolen device state stops mattering within a week even in a
 * quiet group; one path commit per group per week is negligible traffic.
 */
export const SELF_UPDATE_AFTER_MS = 7 * 24 * 3600_000;
/**
 * 1,000 messages: in a busy group keys are refreshed well before a week,
 * while a commit with a path (~1.5 KB per level with X-Wing, §7.6) stays a
 * small fraction of what the messages themselves cost.
 */
export const SELF_UPDATE_AFTER_MESSAGES = 1_000;
/** How often accept windows, queued changes and self-updates are checked; windows end within this. */
export const GROUP_TICK_MS = 5_000;

export interface GroupOptions {
  /** The sequencer's accept window (docs/protocol.md §10). */
  acceptMs?: number;
  tickMs?: number;
  selfUpdateAfterMs?: number;
  selfUpdateAfterMessages?: number;
  /** How long messages of a later epoch may wait for their commit before this device rejoins. */
  stallMs?: number;
}

/**
 * A member that holds messages of a later epoch this long has missed a
 * commit for good (its holders' copies expired, or it was offline past
 * their TTL): it rejoins by external commit (docs/protocol.md §10). Commits
 * travel through the outbox and the holders like messages, so a commit that
 * is merely late arrives within a few mailbox fetches (one a minute); ten
 * minutes leaves room for that without leaving a member stuck for long.
 */
export const STALL_MS = 10 * 60_000;

export interface GroupOpsDeps {
  db: Db;
  store: Store;
  mls: MlsStore;
  outbox: Outbox;
  /** Contacts' devices: the ones this device can hand a relayed Welcome to. */
  directory: Pick<Directory, 'isHolder'>;
  kick: () => void;
  logger: Logger;
  now: () => number;
  /** The same per-conversation lock MessagingService uses. */
  lock: KeyedMutex;
  identity: { publicKey: Uint8Array; displayName: string };
  /** A one-time KeyPackage from a device (UNREACHABLE-like net errors pass through). */
  fetchKeyPackage: (peer: string) => Promise<Uint8Array>;
  /** Known, unblocked devices of a contact. */
  devicesOfContact: (contactId: number) => string[];
  /** MessagingService.applyApplication, inside the caller's transaction. */
  applyApplication: (
    conversationId: number,
    sender: MlsMember,
    plaintext: Uint8Array,
    now: number,
    afterCommit: (() => void)[],
  ) => void;
  /** MessagingService.syncMembers, inside the caller's transaction. */
  syncMembers: (conversationId: number, state: MlsGroupState) => void;
  /** Background work awaited on stop. */
  track: (p: Promise<void>) => void;
  /**
   * Sends this device's profile (addresses, seal key, relays) to the group:
   * new members never saw the ones sent before they joined, and without
   * them cannot reach members who are not their contacts.
   */
  announce: (conversationId: number) => void;
  options?: GroupOptions;
}

/** What an operation did: committed now, or proposed/queued for later. */
export interface GroupAck {
  committed: boolean;
}

class NotJoinedYet extends Error {
  override name = 'Transient';
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const isAdmin = (r: Role) => r === 'owner' || r === 'admin';

/** A send waiting for its conversation's lock (GroupOps.send). */
interface QueuedSend {
  plaintext: Uint8Array;
  row: ((recipients: number) => number | null) | undefined;
  resolve: (id: number | null) => void;
  reject: (err: unknown) => void;
}

/** Sends stored in one transaction at most (bounds the transaction and the wait of the first). */
const MAX_SEND_BATCH = 64;

export class GroupOps {
  readonly sequencers: GroupSequencers;
  private readonly acceptMs: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  /** Per conversation: sends waiting for the run that will store them together (send()). */
  private readonly sendQueues = new Map<number, QueuedSend[]>();
  private rejoin: ((conversationId: number) => Promise<unknown>) | null = null;
  private readonly lines: GroupSystemLines;

  constructor(private readonly deps: GroupOpsDeps) {
    this.lines = new GroupSystemLines(deps);
    const o = deps.options ?? {};
    this.acceptMs = o.acceptMs ?? 60_000;
    this.sequencers = new GroupSequencers(deps.db, deps.mls, { acceptMs: this.acceptMs }, deps.now);
  }

  /** Starts the timer that ends accept windows, commits queued changes and self-updates. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.onTimer(), this.deps.options?.tickMs ?? GROUP_TICK_MS);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /**
   * How to rejoin a group by external commit with a GroupInfo from a member
   * (groups/resync.ts `resyncGroup`), for when the sequencer says
   * `mustRejoin`. Set by startMessaging; called under the conversation's lock.
   */
  onMustRejoin(rejoin: (conversationId: number) => Promise<unknown>): void {
    this.rejoin = rejoin;
  }

  /** Sends this device's profile to the group (after it rejoined it: it is a new device to the others). */
  announce(conversationId: number): void {
    this.deps.announce(conversationId);
  }

  /** A batch transaction was rolled back: in-memory sequencers may be ahead of the database. */
  rolledBack(): void {
    this.sequencers.drop();
  }

  /** The conversation's current group state (as this device holds it), or null. */
  state(conversationId: number): MlsGroupState | null {
    return this.sequencers.get(conversationId)?.seq.state ?? null;
  }

  // --- receiving (caller holds the conversation's lock) -------------------------

  async receive(
    conversationId: number,
    message: Uint8Array,
    markSeen: () => void,
    from: string,
  ): Promise<'accepted' | 'duplicate' | 'rejected'> {
    const entry = this.sequencers.get(conversationId);
    if (!entry) throw new NotJoinedYet('conversation without a group state');
    const now = this.deps.now();
    let update: SequencerUpdate;
    try {
      update = await entry.seq.receive(message, now);
    } catch (err) {
      this.sequencers.drop(conversationId);
      throw err;
    }
    let status: 'accepted' | 'duplicate' | 'rejected' = 'accepted';
    const r = update.rejected;
    if (r?.reason === 'replay') status = 'duplicate';
    else if (r) {
      status = 'rejected';
      this.deps.logger.log('warn', 'messaging.rejected', {
        conversation: conversationId,
        reason: r.reason,
        peer: peerTag(from),
      });
    }
    const afterCommit: (() => void)[] = [];
    this.sequencers.persist(entry, () => {
      this.applyUpdate(entry, update, now, afterCommit);
      markSeen();
    });
    for (const run of afterCommit) run();
    this.deps.kick();
    // `settled`: the epoch was accepted (the last acks came in), so queued changes can go now.
    if (
      update.commits.length > 0 ||
      update.proposals.length > 0 ||
      update.lost.length > 0 ||
      update.settled
    ) {
      this.followUp(conversationId, { leaveAgain: update.commits.length > 0 });
    }
    if (update.mustRejoin) {
      // This device's external commit lost: its state is on a branch nobody
      // else is on. Rejoin with a fresh GroupInfo (docs/protocol.md §10).
      this.deps.logger.log('warn', 'messaging.must_rejoin', { conversation: conversationId });
      const rejoin = this.rejoin;
      if (rejoin && !this.stopped) {
        this.deps.track(
          this.deps.lock.run(String(conversationId), async () => {
            await rejoin(conversationId);
          }),
        );
      }
    }
    return status;
  }

  // --- sending --------------------------------------------------------------

  /**
   * Encrypts an application message through the sequencer (unsettled sends
   * are kept to resend after a switch) and queues one envelope per other
   * device, with the caller's row, in one transaction.
   *
   * Group commit: sends to one conversation that are waiting for its lock
   * when it frees up are encrypted one after another and stored in ONE
   * transaction (the group state once, the rows of all). A transaction costs
   * about 25 µs per page it writes (encrypted), and a message alone writes
   * some twenty: a bot or script sending many at once gets them stored for a
   * fraction of that each. Each caller still learns about its own message
   * only once it is stored. If the batch cannot be stored, its messages are
   * tried again one by one, so one bad message fails alone.
   */
  send(
    conversationId: number,
    plaintext: Uint8Array,
    row?: (recipients: number) => number | null,
  ): Promise<number | null> {
    return new Promise<number | null>((resolve, reject) => {
      const queue = this.sendQueues.get(conversationId);
      const item: QueuedSend = { plaintext, row, resolve, reject };
      if (queue !== undefined) {
        queue.push(item);
        return;
      }
      this.sendQueues.set(conversationId, [item]);
      // The first one waiting schedules the run that takes everything queued by then.
      void this.deps.lock
        .run(String(conversationId), () => this.sendQueued(conversationId))
        .catch((err: unknown) => this.deps.logger.log('error', 'messaging.send_failed', errorFields(err)))
        .finally(() => this.deps.kick());
    });
  }

  /** Sends what is queued for the conversation (under its lock). */
  private async sendQueued(conversationId: number): Promise<void> {
    // One turn of the event loop first: sends issued by the same task (a
    // caller refilling its window as earlier sends resolved) join this run
    // instead of each starting its own transaction.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const queued = this.sendQueues.get(conversationId) ?? [];
    this.sendQueues.delete(conversationId);
    for (let i = 0; i < queued.length; i += MAX_SEND_BATCH) {
      const batch = queued.slice(i, i + MAX_SEND_BATCH);
      try {
        const ids = await this.sendBatch(conversationId, batch);
        batch.forEach((s, k) => s.resolve(ids[k] ?? null));
      } catch (err) {
        if (batch.length === 1) {
          batch[0]?.reject(err);
          continue;
        }
        // Nothing of the batch was stored (the sequencer reloads): one by one,
        // so only a message that fails on its own fails.
        for (const s of batch) {
          try {
            s.resolve((await this.sendBatch(conversationId, [s]))[0] ?? null);
          } catch (one) {
            s.reject(one);
          }
        }
      }
    }
  }

  private async sendBatch(conversationId: number, batch: readonly QueuedSend[]): Promise<(number | null)[]> {
    // A restored conversation has no group state until it is rejoined: say so, not "no such".
    assertSendable(this.deps.db, conversationId);
    const entry = this.sequencers.get(conversationId);
    if (!entry) throw new ParleyError('INVALID_PARAMS', 'No such conversation.');
    if (!entry.seq.state.active || this.leftAt(conversationId) !== null) {
      throw new ParleyError('INVALID_STATE', 'You are no longer in this conversation.');
    }
    const now = this.deps.now();
    const outs: Awaited<ReturnType<typeof entry.seq.send>>[] = [];
    try {
      for (const s of batch) outs.push(await entry.seq.send(s.plaintext, undefined, now));
    } catch (err) {
      this.sequencers.drop(conversationId);
      throw err;
    }
    const afterCommit: (() => void)[] = [];
    // Committed without waiting for the disk: delivery makes it durable
    // (one fsync for a burst) before the envelope leaves (store/durability.ts).
    const durability = durabilityOf(this.deps.db);
    const ids = durability.lazy(() =>
      this.sequencers.persist(entry, () =>
        outs.map((out, k) => {
          this.applyUpdate(entry, out.update, now, afterCommit);
          const recipients = this.recipients(entry);
          const row = batch[k]?.row;
          const id = row ? row(recipients.length) : null;
          this.sendFrame(entry, out.message, id);
          return id;
        }),
      ),
    );
    // What runs after the commit may reach other devices (a Welcome relay).
    if (afterCommit.length > 0) durability.sync();
    for (const run of afterCommit) run();
    entry.sentSinceUpdate += batch.length;
    if (entry.sentSinceUpdate >= this.maxMessages) this.followUp(conversationId, { leaveAgain: false });
    return ids;
  }

  /**
   * Encrypts a message nobody needs kept (a typing indicator) through the
   * cached sequencer like any send, so no later message can reuse its ratchet
   * key (RFC 9420 §9.1), but queues nothing: the caller hands the payload to
   * the devices directly. `ready(recipients)` decides, under the lock and
   * before a key is spent, whether to send at all. Null when there is nothing
   * to send (not a member, nobody to send to). In an epoch still undecided it
   * is kept like any send and re-encrypted after a switch; receivers expire a
   * typing indicator after seconds, so a late copy does no harm.
   */
  async encryptEphemeral(
    conversationId: number,
    plaintext: Uint8Array,
    ready: (recipients: string[]) => boolean,
  ): Promise<{ recipients: string[]; payload: Uint8Array } | null> {
    return this.deps.lock.run(String(conversationId), async () => {
      if (isAwaitingResync(this.deps.db, conversationId)) return null;
      const entry = this.sequencers.get(conversationId);
      if (!entry || !entry.seq.state.active) return null;
      if (this.leftAt(conversationId) !== null) return null;
      const recipients = this.recipients(entry);
      if (recipients.length === 0 || !ready(recipients)) return null;
      const now = this.deps.now();
      let out: Awaited<ReturnType<typeof entry.seq.send>>;
      try {
        out = await entry.seq.send(plaintext, undefined, now);
      } catch (err) {
        this.sequencers.drop(conversationId);
        throw err;
      }
      const afterCommit: (() => void)[] = [];
      this.sequencers.persist(entry, () => this.applyUpdate(entry, out.update, now, afterCommit));
      for (const run of afterCommit) run();
      return {
        recipients,
        payload: encodeFrame({ kind: 'group', groupId: entry.seq.state.groupId, message: out.message }),
      };
    });
  }

  // --- operations -------------------------------------------------------------

  /** Adds contacts (every known device) to a group: a commit for admins, Add proposals for members. */
  async addMembers(conversationId: number, contactIds: readonly number[]): Promise<GroupAck> {
    const state = this.groupState(conversationId);
    const present = new Set(state.members.map((m) => m.peerId));
    const peers = [...new Set(contactIds.flatMap((id) => this.deps.devicesOfContact(id)))].filter(
      (p) => !present.has(p),
    );
    if (peers.length === 0) {
      throw new ParleyError('INVALID_PARAMS', 'Those contacts are already in the group (or have no device).');
    }
    // Network first, outside the lock: a KeyPackage per device, like createGroup.
    const keyPackages = await Promise.all(peers.map((p) => this.deps.fetchKeyPackage(p)));
    return this.locked(conversationId, async (entry) => {
      if (isAdmin(entry.seq.state.self.role)) {
        return { committed: (await this.commitNow(entry, { type: 'add', keyPackages })) === 'committed' };
      }
      for (const keyPackage of keyPackages) await this.propose(entry, { type: 'add', keyPackage });
      return { committed: false };
    });
  }

  /** Removes a user (every device) from a group; owners and admins only (docs/protocol.md §6). */
  async removeMember(conversationId: number, identityKey: Uint8Array): Promise<GroupAck> {
    return this.locked(conversationId, async (entry) => {
      const state = entry.seq.state;
      const me = state.self;
      const target = state.members.find((m) => hex(m.identityKey) === hex(identityKey));
      if (!target) throw new ParleyError('INVALID_PARAMS', 'That person is not in this group.');
      if (hex(target.identityKey) === hex(me.identityKey)) {
        throw new ParleyError('INVALID_PARAMS', 'To leave the group, use Leave.');
      }
      if (!isAdmin(me.role)) {
        throw new ParleyError('FORBIDDEN', "Only the group's owner and admins can remove members.");
      }
      if (target.role === 'owner') {
        throw new ParleyError('FORBIDDEN', "The group's owner cannot be removed; they can leave.");
      }
      const ownerPresent = state.members.some((m) => m.role === 'owner');
      if (target.role === 'admin' && me.role !== 'owner' && ownerPresent) {
        throw new ParleyError('FORBIDDEN', "Only the group's owner can remove an admin.");
      }
      const result = await this.commitNow(entry, { type: 'remove', identityKeys: [identityKey] });
      return { committed: result === 'committed' };
    });
  }

  async rename(conversationId: number, name: string): Promise<GroupAck> {
    return this.locked(conversationId, async (entry) => {
      if (!isAdmin(entry.seq.state.self.role)) {
        throw new ParleyError('FORBIDDEN', "Only the group's owner and admins can rename it.");
      }
      return { committed: (await this.commitNow(entry, { type: 'rename', name })) === 'committed' };
    });
  }

  /** Roles are changed by the owner, or by any admin once the owner has left (docs/protocol.md §6). */
  async setRole(conversationId: number, identityKey: Uint8Array, role: Role): Promise<GroupAck> {
    return this.locked(conversationId, async (entry) => {
      const state = entry.seq.state;
      const me = state.self;
      if (!state.members.some((m) => hex(m.identityKey) === hex(identityKey))) {
        throw new ParleyError('INVALID_PARAMS', 'That person is not in this group.');
      }
      const ownerPresent = state.members.some((m) => m.role === 'owner');
      const allowed = me.role === 'owner' || (me.role === 'admin' && !ownerPresent && role !== 'owner');
      if (!allowed) throw new ParleyError('FORBIDDEN', "Only the group's owner can change roles.");
      if (hex(identityKey) === hex(me.identityKey)) {
        throw new ParleyError('INVALID_PARAMS', 'To hand over the group, make someone else the owner.');
      }
      const result = await this.commitNow(entry, { type: 'setRole', identityKey, role });
      return { committed: result === 'committed' };
    });
  }

  /** Refreshes this device's keys in the group now (post-compromise security). */
  async selfUpdate(conversationId: number): Promise<GroupAck> {
    return this.locked(
      conversationId,
      async (entry) => ({
        committed: (await this.commitNow(entry, { type: 'selfUpdate' })) === 'committed',
      }),
      { dmToo: true },
    );
  }

  /**
   * Leaves a group: a proposal to remove this device's leaf, which an admin
   * (or, after a window, any member) commits; locally the conversation is
   * left at once (read-only history).
   */
  async leave(conversationId: number): Promise<void> {
    await this.locked(conversationId, async (entry) => {
      if (this.leftAt(conversationId) !== null) return;
      const now = this.deps.now();
      const alone = entry.seq.state.members.every((m) => m.isSelf);
      if (alone) {
        this.sequencers.persist(entry, () => this.lines.markLeft(entry.conversationId, now));
        return;
      }
      await this.propose(entry, { type: 'leave' }, () => this.lines.markLeft(entry.conversationId, now));
    });
  }

  // --- internals ------------------------------------------------------------

  private get maxMessages(): number {
    return this.deps.options?.selfUpdateAfterMessages ?? SELF_UPDATE_AFTER_MESSAGES;
  }

  private groupState(conversationId: number, options: { dmToo?: boolean } = {}): MlsGroupState {
    const row = this.deps.db
      .prepare('SELECT kind, left_at FROM conversations WHERE id = ?')
      .get(conversationId) as { kind: string; left_at: number | null } | undefined;
    if (!row) throw new ParleyError('INVALID_PARAMS', 'No such conversation.');
    if (row.kind !== 'group' && !options.dmToo) {
      throw new ParleyError('INVALID_PARAMS', 'That is not a group.');
    }
    if (row.left_at !== null) throw new ParleyError('INVALID_STATE', 'You are no longer in this group.');
    const state = this.sequencers.get(conversationId)?.seq.state;
    if (!state) throw new ParleyError('INVALID_PARAMS', 'No such conversation.');
    if (!state.active) throw new ParleyError('INVALID_STATE', 'You are no longer in this group.');
    return state;
  }

  /** Runs `work` under the conversation's lock, on a group this device is still in. */
  private locked<T>(
    conversationId: number,
    work: (entry: SequencerEntry) => Promise<T>,
    options: { dmToo?: boolean } = {},
  ): Promise<T> {
    return this.deps.lock.run(String(conversationId), async () => {
      assertSendable(this.deps.db, conversationId);
      this.groupState(conversationId, options);
      const entry = this.sequencers.get(conversationId);
      if (!entry) throw new ParleyError('INVALID_PARAMS', 'No such conversation.');
      const result = await work(entry);
      this.deps.kick();
      return result;
    });
  }

  private leftAt(conversationId: number): number | null {
    const r = prepared(this.deps.db, 'SELECT left_at FROM conversations WHERE id = ?').get(conversationId) as
      { left_at: number | null } | undefined;
    return r?.left_at ?? null;
  }

  /**
   * Commits a change now if the epoch is accepted, else queues it for the
   * tick. Lock held. 'nothing' when there was nothing left to do.
   */
  private async commitNow(
    entry: SequencerEntry,
    intent: CommitIntent,
  ): Promise<'committed' | 'queued' | 'nothing'> {
    const wanted = stillWanted(entry.seq.state, intent);
    if (!wanted) return 'nothing';
    const now = this.deps.now();
    if (!entry.seq.accepted) {
      entry.pending.queued.push(wanted);
      entry.pendingDirty = true;
      this.sequencers.persist(entry, () => undefined);
      return 'queued';
    }
    const before = entry.seq.state;
    let out: Awaited<ReturnType<typeof entry.seq.commit>>;
    try {
      out = await entry.seq.commit(wanted, now);
    } catch (err) {
      this.sequencers.drop(entry.conversationId);
      if (err instanceof ParleyError && err.message.startsWith('Not allowed')) {
        throw new ParleyError(
          'FORBIDDEN',
          `Your role in this group does not allow that change. ${err.message}`,
          {
            cause: err,
          },
        );
      }
      throw err;
    }
    if (!out) return 'nothing';
    const committed = out;
    // The commit goes to every device of the epoch it was made in, removed
    // ones included (they learn they were removed); added devices get the Welcome.
    const recipients = [...new Set(before.members.filter((m) => !m.isSelf).map((m) => m.peerId))];
    const payload = encodeFrame({ kind: 'group', groupId: before.groupId, message: committed.commit });
    const afterCommit: (() => void)[] = [];
    this.sequencers.persist(
      entry,
      () => {
        for (const recipient of recipients) {
          this.deps.outbox.enqueue({
            conversationId: entry.conversationId,
            messageId: null,
            recipient,
            payload,
          });
        }
        this.recordCommits(entry, [committed.applied], now, afterCommit);
        this.applyUpdate(entry, committed.update, now, afterCommit);
      },
      { refreshedOwnKeys: committed.refreshedOwnKeys },
    );
    for (const run of afterCommit) run();
    this.deps.logger.log('info', 'messaging.group_commit', {
      conversation: entry.conversationId,
      change: wanted.type,
      epoch: committed.applied.epoch,
    });
    return 'committed';
  }

  /** Makes a proposal and sends it to the group, with `rows` in the same transaction. Lock held. */
  private async propose(entry: SequencerEntry, intent: ProposalIntent, rows?: () => void): Promise<void> {
    const now = this.deps.now();
    let out: Awaited<ReturnType<typeof entry.seq.propose>>;
    try {
      out = await entry.seq.propose(intent, now);
    } catch (err) {
      this.sequencers.drop(entry.conversationId);
      throw err;
    }
    const afterCommit: (() => void)[] = [];
    this.sequencers.persist(entry, () => {
      this.applyUpdate(entry, out.update, now, afterCommit);
      this.sendFrame(entry, out.proposal, null);
      rows?.();
    });
    for (const run of afterCommit) run();
  }

  /** Other devices that can read the group now (not those whose Welcome is still held). */
  private recipients(entry: SequencerEntry): string[] {
    const waiting = new Set(entry.seq.awaitingWelcome);
    return [
      ...new Set(
        entry.seq.state.members.filter((m) => !m.isSelf && !waiting.has(m.peerId)).map((m) => m.peerId),
      ),
    ];
  }

  /** Queues a group message for the others; devices awaiting their Welcome get it right after it. */
  private sendFrame(entry: SequencerEntry, message: Uint8Array, messageId: number | null): void {
    const payload = encodeFrame({ kind: 'group', groupId: entry.seq.state.groupId, message });
    for (const recipient of this.recipients(entry)) {
      this.deps.outbox.enqueue({ conversationId: entry.conversationId, messageId, recipient, payload });
    }
    if (entry.seq.awaitingWelcome.length > 0 && entry.pending.backlog.length < MAX_BACKLOG) {
      entry.pending.backlog.push(payload);
      entry.pendingDirty = true;
    }
  }

  private releaseWelcome(entry: SequencerEntry, w: ReleasedWelcome, afterCommit: (() => void)[]): void {
    const welcome = encodeFrame({ kind: 'welcome', welcome: w.welcome, ratchetTree: w.ratchetTree });
    for (const recipient of w.recipients) {
      const enqueue = (payload: Uint8Array) =>
        this.deps.outbox.enqueue({
          conversationId: entry.conversationId,
          messageId: null,
          recipient,
          payload,
        });
      enqueue(welcome);
      for (const payload of entry.pending.backlog) enqueue(payload);
    }
    entry.pending.backlog = [];
    entry.pendingDirty = true;
    // A device added on a member's proposal may be unknown here (not our
    // contact: no address, no relay list, and it does not accept us yet).
    // The members who have it as a contact pass the Welcome on (welcomeRelay.ts).
    const strangers = w.recipients.filter((p) => !this.deps.directory.isHolder(p));
    if (strangers.length > 0) {
      const relay = encodeWelcomeRelay({ to: strangers, welcome: w.welcome, ratchetTree: w.ratchetTree });
      const id = entry.conversationId;
      afterCommit.push(() =>
        this.deps.track(
          this.send(id, relay).then(
            () => undefined,
            (err: unknown) =>
              this.deps.logger.log('warn', 'messaging.welcome_relay_failed', {
                conversation: id,
                ...errorFields(err),
              }),
          ),
        ),
      );
    }
  }

  /** A Welcome another member asks us to pass on to our contacts' devices. In the transaction. */
  private passWelcomeOn(relay: WelcomeRelay): void {
    const frame = encodeFrame({ kind: 'welcome', welcome: relay.welcome, ratchetTree: relay.ratchetTree });
    for (const recipient of relay.to) {
      if (!this.deps.directory.isHolder(recipient)) continue;
      // Outside the conversation's queue: our group messages to that device,
      // queued since the commit, cannot be read before this Welcome.
      this.deps.outbox.enqueue({ conversationId: null, messageId: null, recipient, payload: frame });
    }
  }

  /** The effects of one sequencer step, inside the transaction that stores it. */
  private applyUpdate(
    entry: SequencerEntry,
    update: SequencerUpdate,
    now: number,
    afterCommit: (() => void)[],
  ): void {
    const id = entry.conversationId;
    // Once this user left, later messages are not shown (the history is read-only).
    const left = update.delivered.length > 0 && this.leftAt(id) !== null;
    for (const d of update.delivered) {
      const relay = decodeWelcomeRelay(d.plaintext);
      if (relay) this.passWelcomeOn(relay);
      else if (!left) this.deps.applyApplication(id, d.sender, d.plaintext, now, afterCommit);
    }
    if (update.commits.length > 0) this.recordCommits(entry, update.commits, now, afterCommit);
    for (const w of update.welcomes) this.releaseWelcome(entry, w, afterCommit);
    for (const m of update.resend) this.sendFrame(entry, m, null);
    // Commit acks (docs/protocol.md §10): not part of a backlog; a new member was not asked for one.
    for (const ack of update.acks) {
      const payload = encodeFrame({ kind: 'group', groupId: entry.seq.state.groupId, message: ack });
      for (const recipient of ackRecipients(entry.seq.state, entry.seq.awaitingWelcome)) {
        this.deps.outbox.enqueue({ conversationId: id, messageId: null, recipient, payload });
      }
    }
    if (update.lost.length > 0) {
      entry.pending.queued.push(...update.lost);
      entry.pendingDirty = true;
    }
    // A held Welcome that will never go (its commit lost): its backlog goes too.
    if (entry.pending.backlog.length > 0 && entry.seq.awaitingWelcome.length === 0) {
      entry.pending.backlog = [];
      entry.pendingDirty = true;
    }
  }

  /** Members, name, left state and the chat's system messages after commits. In the transaction. */
  private recordCommits(
    entry: SequencerEntry,
    commits: readonly AppliedCommit[],
    now: number,
    afterCommit: (() => void)[],
  ): void {
    const { db } = this.deps;
    const id = entry.conversationId;
    const state = entry.seq.state;
    for (const c of commits) {
      if (c.replacedAnother) {
        // The commit we had described lost: describe the winner instead.
        db.prepare(`DELETE FROM messages WHERE conversation_id = ? AND kind = 'system' AND uid LIKE ?`).run(
          id,
          `sys:${id}:${c.epoch}:%`,
        );
      }
      this.lines.describe(id, c, now);
    }
    if (entry.pending.proposalsSeenAt !== null) {
      entry.pending.proposalsSeenAt = null;
      entry.pendingDirty = true;
    }
    if (state.active) {
      if (commits.some((c) => c.changes.added.some((m) => !m.isSelf))) {
        afterCommit.push(() => this.deps.announce(id));
      }
      this.deps.syncMembers(id, state);
      if (state.kind === 'group') {
        db.prepare('UPDATE conversations SET name = ? WHERE id = ? AND name IS NOT ?').run(
          state.name,
          id,
          state.name,
        );
      }
    } else if (commits.some((c) => c.changes.removedSelf)) {
      db.prepare('UPDATE conversations SET left_at = coalesce(left_at, ?) WHERE id = ?').run(now, id);
    }
  }

  // --- follow-ups and the timer ------------------------------------------------

  /** Schedules work that needs the lock again (queued commits, proposals to commit, leaving again). */
  private followUp(conversationId: number, options: { leaveAgain: boolean }): void {
    if (this.stopped) return;
    this.deps.track(
      this.deps.lock.run(String(conversationId), () =>
        this.continueWork(conversationId, this.deps.now(), options),
      ),
    );
  }

  /**
   * What a group needs after a step or a tick, at most one commit (the
   * next waits for that one's acceptance). Lock held.
   */
  private async continueWork(
    conversationId: number,
    now: number,
    options: { leaveAgain: boolean },
  ): Promise<void> {
    const entry = this.sequencers.get(conversationId);
    if (!entry) return;
    const active = entry.seq.state.active;
    if (!active || this.leftAt(conversationId) !== null) {
      // Nothing is committed for a group this device left or was removed from.
      if (entry.pending.queued.length > 0 || entry.pending.proposalsSeenAt !== null) {
        entry.pending.queued = [];
        entry.pending.proposalsSeenAt = null;
        entry.pendingDirty = true;
        this.sequencers.persist(entry, () => undefined);
      }
      // Proposals lapse with their epoch (RFC 9420 §12.1): a leave not yet
      // committed is proposed again in the new one.
      if (active && options.leaveAgain && !entry.seq.state.members.every((m) => m.isSelf)) {
        await this.propose(entry, { type: 'leave' });
        this.deps.kick();
      }
      return;
    }
    if (!entry.seq.accepted) return;
    while (entry.pending.queued.length > 0) {
      const intent = entry.pending.queued.shift();
      entry.pendingDirty = true;
      if (!intent) break;
      const result = await this.commitNow(entry, intent).catch((err: unknown) => {
        this.deps.logger.log('warn', 'messaging.queued_change_failed', {
          conversation: conversationId,
          change: intent.type,
          ...errorFields(err),
        });
        return 'nothing' as const;
      });
      if (result !== 'nothing') return this.deps.kick();
    }
    const state = entry.seq.state;
    if (state.pendingProposals > 0) {
      // Admins commit proposals at once; a plain member commits what it may
      // (leaves) only if no admin did within a window.
      const seenAt = entry.pending.proposalsSeenAt;
      if (isAdmin(state.self.role) || (seenAt !== null && now >= seenAt + this.acceptMs)) {
        if ((await this.commitNow(entry, { type: 'commitPending' })) === 'committed') return this.deps.kick();
      }
      if (seenAt === null) {
        entry.pending.proposalsSeenAt = now;
        entry.pendingDirty = true;
      }
    }
    if (entry.sentSinceUpdate >= this.maxMessages || this.selfUpdateDue(conversationId, now)) {
      if ((await this.commitNow(entry, { type: 'selfUpdate' })) === 'committed') return this.deps.kick();
    }
    if (entry.pendingDirty) this.sequencers.persist(entry, () => undefined);
  }

  private selfUpdateDue(conversationId: number, now: number): boolean {
    const maxAge = this.deps.options?.selfUpdateAfterMs ?? SELF_UPDATE_AFTER_MS;
    // A group whose keys were never refreshed by a path counts from its creation (fresh keys then).
    const r = this.deps.db
      .prepare(
        `SELECT coalesce(g.self_updated_at, c.created_at) AS refreshed FROM mls_groups g
         JOIN conversations c ON c.id = g.conversation_id WHERE g.conversation_id = ?`,
      )
      .get(conversationId) as { refreshed: number } | undefined;
    return r !== undefined && r.refreshed <= now - maxAge;
  }

  private onTimer(): void {
    if (this.ticking || this.stopped) return;
    this.ticking = this.tickAll()
      .catch((err: unknown) => this.deps.logger.log('warn', 'messaging.group_tick_failed', errorFields(err)))
      .finally(() => {
        this.ticking = null;
      });
  }

  /** One pass over the groups with something waiting for time: bounded by their number. */
  async tickAll(): Promise<void> {
    const maxAge = this.deps.options?.selfUpdateAfterMs ?? SELF_UPDATE_AFTER_MS;
    const now = this.deps.now();
    await this.rejoinStalled(now);
    const due = (
      this.deps.db
        .prepare(
          `SELECT g.conversation_id AS id FROM mls_groups g JOIN conversations c ON c.id = g.conversation_id
           WHERE c.left_at IS NULL AND coalesce(g.self_updated_at, c.created_at) <= ?`,
        )
        .all(now - maxAge) as { id: number }[]
    ).map((r) => r.id);
    const ids = [...new Set([...this.sequencers.waiting(), ...due])];
    for (const id of ids) {
      if (this.stopped) return;
      try {
        await this.deps.lock.run(String(id), () => this.tickOne(id));
      } catch (err) {
        this.deps.logger.log('warn', 'messaging.group_tick_failed', {
          conversation: id,
          ...errorFields(err),
        });
      }
    }
  }

  /**
   * Cached groups holding messages of a later epoch (their commit has not
   * arrived): after STALL_MS without progress the device rejoins by external
   * commit with a GroupInfo from a member. Bounded by the cached groups.
   */
  private async rejoinStalled(now: number): Promise<void> {
    const stallMs = this.deps.options?.stallMs ?? STALL_MS;
    for (const entry of this.sequencers.cached()) {
      if (this.stopped) return;
      const ahead = entry.seq.heldCount > 0 && entry.seq.heldMaxEpoch > entry.seq.epoch;
      if (!ahead) {
        entry.stalledSince = null;
        continue;
      }
      if (entry.stalledSince === null || entry.stalledEpoch !== entry.seq.epoch) {
        entry.stalledSince = now;
        entry.stalledEpoch = entry.seq.epoch;
        continue;
      }
      if (now - entry.stalledSince < stallMs || !this.rejoin) continue;
      const id = entry.conversationId;
      entry.stalledSince = now;
      this.deps.logger.log('warn', 'messaging.stalled_rejoin', { conversation: id });
      const rejoin = this.rejoin;
      try {
        await this.deps.lock.run(String(id), async () => {
          await rejoin(id);
        });
      } catch (err) {
        this.deps.logger.log('warn', 'messaging.rejoin_failed', { conversation: id, ...errorFields(err) });
      }
    }
  }

  private async tickOne(conversationId: number): Promise<void> {
    const entry = this.sequencers.get(conversationId);
    if (!entry) return;
    const now = this.deps.now();
    const update = entry.seq.tick(now);
    const changed =
      update.welcomes.length > 0 ||
      entry.pendingDirty ||
      JSON.stringify(entry.seq.revisions) !== JSON.stringify(entry.written);
    if (changed) {
      const afterCommit: (() => void)[] = [];
      this.sequencers.persist(entry, () => this.applyUpdate(entry, update, now, afterCommit));
      for (const run of afterCommit) run();
      this.deps.kick();
    }
    await this.continueWork(conversationId, now, { leaveAgain: false });
  }
}
