import { ParleyError } from '../errors';
import {
  stillWanted,
  type AppliedCommit,
  type CommitIntent,
  type ProposalIntent,
  type SequencerUpdate,
} from '../mls';
import { ackRecipients } from './ackRecipients';
import type { GroupContext } from './groupContext';
import { MAX_BACKLOG, type SequencerEntry } from './groupSequencers';
import { GroupWelcomes, type WelcomeRelaySend } from './groupWelcomes';
import { syncMembers } from './memberSync';
import { decodeWelcomeRelay } from './welcomeRelay';
import { encodeFrame } from './wireFrame';

/** What a step leaves for the one who composes the steps, after its transaction committed. */
export interface GroupStepEvents extends WelcomeRelaySend {
  /**
   * Members were added: this device sends its profile (addresses, seal key,
   * relays) to the group, since new members never saw the ones sent before
   * they joined, and without them cannot reach members who are not their
   * contacts.
   */
  membersAdded(conversationId: number): void;
}

/**
 * One step of a group's sequencer and its effects (docs/protocol.md §10):
 * commits and proposals made here, and what every step that applied
 * something writes in its transaction (messages through the inbound content
 * router, members, the name, `left_at`, system lines, outbox envelopes,
 * acks, Welcomes). Callers hold the conversation's lock.
 */
export class GroupSteps {
  private readonly welcomes: GroupWelcomes;

  constructor(
    private readonly ctx: GroupContext,
    private readonly events: GroupStepEvents,
  ) {
    this.welcomes = new GroupWelcomes(ctx, events);
  }

  /** When this user left the conversation, or null. */
  leftAt(conversationId: number): number | null {
    return this.ctx.deps.repos.groups.leftAt(conversationId);
  }

  /** Other devices that can read the group now (not those whose Welcome is still held). */
  recipients(entry: SequencerEntry): string[] {
    const waiting = new Set(entry.seq.awaitingWelcome);
    return [
      ...new Set(
        entry.seq.state.members.filter((m) => !m.isSelf && !waiting.has(m.peerId)).map((m) => m.peerId),
      ),
    ];
  }

  /** Queues a group message for the others; devices awaiting their Welcome get it right after it. */
  sendFrame(entry: SequencerEntry, message: Uint8Array, messageId: number | null): void {
    const payload = encodeFrame({ kind: 'group', groupId: entry.seq.state.groupId, message });
    for (const recipient of this.recipients(entry)) {
      this.ctx.deps.outbox.enqueue({ conversationId: entry.conversationId, messageId, recipient, payload });
    }
    if (entry.seq.awaitingWelcome.length > 0 && entry.pending.backlog.length < MAX_BACKLOG) {
      entry.pending.backlog.push(payload);
      entry.pendingDirty = true;
    }
  }

  /** The effects of one sequencer step, inside the transaction that stores it. */
  applyUpdate(
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
      if (relay) this.welcomes.passOn(relay);
      else if (!left) this.ctx.deps.inbound.apply(id, d.sender, d.plaintext, now, afterCommit);
    }
    if (update.commits.length > 0) this.recordCommits(entry, update.commits, now, afterCommit);
    for (const w of update.welcomes) this.welcomes.release(entry, w, afterCommit);
    for (const m of update.resend) this.sendFrame(entry, m, null);
    // Commit acks (docs/protocol.md §10): not part of a backlog; a new member was not asked for one.
    for (const ack of update.acks) {
      const payload = encodeFrame({ kind: 'group', groupId: entry.seq.state.groupId, message: ack });
      for (const recipient of ackRecipients(entry.seq.state, entry.seq.awaitingWelcome)) {
        this.ctx.deps.outbox.enqueue({ conversationId: id, messageId: null, recipient, payload });
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
  recordCommits(
    entry: SequencerEntry,
    commits: readonly AppliedCommit[],
    now: number,
    afterCommit: (() => void)[],
  ): void {
    const { repos, directory } = this.ctx.deps;
    const id = entry.conversationId;
    const state = entry.seq.state;
    // The self group is never shown (§13.6): no change log for it.
    for (const c of state.kind === 'self' ? [] : commits) {
      if (c.replacedAnother) {
        // The commit we had described lost: describe the winner instead.
        repos.groups.dropChangeLog(id, c.epoch);
      }
      this.ctx.changeLog.describe(id, c, now);
    }
    if (entry.pending.proposalsSeenAt !== null) {
      entry.pending.proposalsSeenAt = null;
      entry.pendingDirty = true;
    }
    if (state.active) {
      if (commits.some((c) => c.changes.added.some((m) => !m.isSelf))) {
        afterCommit.push(() => this.events.membersAdded(id));
      }
      syncMembers({ members: repos.members, directory }, id, state, this.ctx.deps.now());
      if (state.kind === 'group') repos.groups.setName(id, state.name);
    } else if (commits.some((c) => c.changes.removedSelf)) {
      repos.groups.markLeft(id, now);
    }
  }

  /**
   * Commits a change now if the epoch is accepted, else queues it for the
   * tick. Lock held. 'nothing' when there was nothing left to do.
   */
  async commitNow(entry: SequencerEntry, intent: CommitIntent): Promise<'committed' | 'queued' | 'nothing'> {
    const { sequencers } = this.ctx;
    const wanted = stillWanted(entry.seq.state, intent);
    if (!wanted) return 'nothing';
    const now = this.ctx.deps.now();
    if (!entry.seq.accepted) {
      entry.pending.queued.push(wanted);
      entry.pendingDirty = true;
      sequencers.persist(entry, () => undefined);
      return 'queued';
    }
    const before = entry.seq.state;
    let out: Awaited<ReturnType<typeof entry.seq.commit>>;
    try {
      out = await entry.seq.commit(wanted, now);
    } catch (err) {
      sequencers.drop(entry.conversationId);
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
    sequencers.persist(
      entry,
      () => {
        for (const recipient of recipients) {
          this.ctx.deps.outbox.enqueue({
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
    this.ctx.deps.logger.log('info', 'messaging.group_commit', {
      conversation: entry.conversationId,
      change: wanted.type,
      epoch: committed.applied.epoch,
    });
    return 'committed';
  }

  /** Makes a proposal and sends it to the group, with `rows` in the same transaction. Lock held. */
  async propose(entry: SequencerEntry, intent: ProposalIntent, rows?: () => void): Promise<void> {
    const now = this.ctx.deps.now();
    let out: Awaited<ReturnType<typeof entry.seq.propose>>;
    try {
      out = await entry.seq.propose(intent, now);
    } catch (err) {
      this.ctx.sequencers.drop(entry.conversationId);
      throw err;
    }
    const afterCommit: (() => void)[] = [];
    this.ctx.sequencers.persist(entry, () => {
      this.applyUpdate(entry, out.update, now, afterCommit);
      this.sendFrame(entry, out.proposal, null);
      rows?.();
    });
    for (const run of afterCommit) run();
  }
}
