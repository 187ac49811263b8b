import {
  MISSING_ENTRIES_WAIT_MS,
  type MissingEntries,
  type MlsGroupState,
  type Role,
  type SequencerUpdate,
} from '../mls';
import { peerTag } from '../net/protocolService';
import { errorFields } from '../util/logger';
import { ContentSender } from './contentSender';
import { ConversationStarter } from './conversationStarter';
import type { GroupAck, GroupContext, GroupOpsDeps } from './groupContext';
import { GroupMaintenance, type Rejoin } from './groupMaintenance';
import { GroupMembership } from './groupMembership';
import { GroupSendQueue } from './groupSendQueue';
import { GroupSequencers } from './groupSequencers';
import { GroupSteps } from './groupSteps';
import { GroupChangeLog } from './groupChangeLog';
import { ProfileAnnouncer } from './profileAnnouncer';
import { SelfGroup } from './selfGroup';
import { WelcomeReceiver } from './welcomeReceiver';

export type { GroupAck, GroupOptions, GroupOpsDeps } from './groupContext';
export {
  GROUP_TICK_MS,
  SELF_UPDATE_AFTER_MESSAGES,
  SELF_UPDATE_AFTER_MS,
  STALL_MS,
} from './groupMaintenance';

/**
 * Group changes after creation (issue #4): every group message in and out
 * goes through the conversation's GroupSequencer (mls/sequencer.ts,
 * docs/protocol.md §10), so concurrent commits converge, Welcomes leave only
 * once their commit is accepted, and what lost is made again.
 *
 * GroupOps composes the parts, each in its own file: the steps and their
 * effects (groupSteps.ts, groupWelcomes.ts, groupChangeLog.ts), the send queue
 * (groupSendQueue.ts, contentSender.ts), membership changes
 * (groupMembership.ts), maintenance with time (groupMaintenance.ts), new
 * conversations and Welcomes in (conversationStarter.ts,
 * welcomeReceiver.ts) and this device's profile (profileAnnouncer.ts). It is
 * given lower layers only (GroupOpsDeps): what a decrypted message does is
 * the inbound content router's business (content/inboundContent.ts), called
 * down into.
 *
 * Every step persists the new state, the sequencer's changed parts and the
 * rows it produced in one transaction before anything is sent or acked
 * (DESIGN.md §1 rule 6). Callers hold the conversation's lock where noted.
 */

class NotJoinedYet extends Error {
  override name = 'Transient';
}

export class GroupOps {
  readonly sequencers: GroupSequencers;
  /** Application content out (sendContent, sendText). */
  readonly content: ContentSender;
  /** This device's profile to its conversations. */
  readonly announcer: ProfileAnnouncer;
  /** New DMs and groups from this device. */
  readonly starter: ConversationStarter;
  /** Welcomes in. */
  readonly welcomes: WelcomeReceiver;
  /** The person's self group and its sync messages out (issue 18, §13.6). */
  readonly self: SelfGroup;
  private readonly steps: GroupSteps;
  private readonly maintenance: GroupMaintenance;
  private readonly queue: GroupSendQueue;
  private readonly membership: GroupMembership;

  constructor(private readonly deps: GroupOpsDeps) {
    const acceptMs = deps.options?.acceptMs ?? 60_000;
    this.sequencers = new GroupSequencers(deps.repos.sequencers, deps.mls, { acceptMs }, deps.now);
    const ctx: GroupContext = { deps, sequencers: this.sequencers, changeLog: new GroupChangeLog(deps) };
    this.steps = new GroupSteps(ctx, {
      relayWelcome: (id, relay) => this.relayWelcome(id, relay),
      membersAdded: (id) => this.announcer.announce(id),
    });
    this.maintenance = new GroupMaintenance(ctx, this.steps);
    this.queue = new GroupSendQueue(ctx, this.steps, this.maintenance);
    this.membership = new GroupMembership(ctx, this.steps);
    this.content = new ContentSender(ctx, this.queue);
    this.announcer = new ProfileAnnouncer(ctx, this.content, () => this.maintenance.stopped);
    this.starter = new ConversationStarter(ctx, deps.device, this.announcer);
    this.self = new SelfGroup(ctx, this.steps, this.queue, deps.device);
    this.welcomes = new WelcomeReceiver(
      ctx,
      deps.device,
      deps.pool,
      deps.keyPackages,
      deps.directory,
      this.announcer,
    );
  }

  /** Starts the timer that ends accept windows, commits queued changes and self-updates. */
  start(): void {
    this.maintenance.start();
  }

  async stop(): Promise<void> {
    await this.maintenance.stop();
  }

  /**
   * How to rejoin a group by external commit with a GroupInfo from a member
   * (groups/resync.ts `resyncGroup`), for when the sequencer says
   * `mustRejoin`. Set by startMessaging; called under the conversation's lock.
   */
  onMustRejoin(rejoin: Rejoin): void {
    this.maintenance.onMustRejoin(rejoin);
  }

  /** Sends this device's profile to the group (after it rejoined it: it is a new device to the others). */
  announce(conversationId: number): void {
    this.announcer.announce(conversationId);
  }

  /** A batch transaction was rolled back: in-memory sequencers may be ahead of the database. */
  rolledBack(): void {
    this.sequencers.drop();
  }

  /** The conversation's current group state (as this device holds it), or null. */
  state(conversationId: number): MlsGroupState | null {
    return this.sequencers.get(conversationId)?.seq.state ?? null;
  }

  /** One pass of the maintenance timer (tests call it to skip the wait). */
  tickAll(): Promise<void> {
    return this.maintenance.tickAll();
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
    if (update.missingEntries.length > 0) this.fetchEntries(conversationId, from, update.missingEntries);
    return this.applyReceived(conversationId, entry, update, now, markSeen, from);
  }

  /**
   * A message named device-list entries this device lacks (docs/protocol.md
   * §13.6): fetch them from the device that sent it, then retry the held
   * message; once more when its wait (30 s) has run out, so it is refused.
   */
  private fetchEntries(conversationId: number, from: string, missing: readonly MissingEntries[]): void {
    const fetch = this.deps.fetchDeviceEntries;
    const retry = async () => {
      await this.deps.lock.run(String(conversationId), async () => {
        const entry = this.sequencers.get(conversationId);
        if (!entry || this.maintenance.stopped) return;
        const now = this.deps.now();
        const update = await entry.seq.retryHeld(now);
        await this.applyReceived(conversationId, entry, update, now, () => undefined, from);
      });
    };
    const work = (async () => {
      const people = new Map(missing.map((m) => [Buffer.from(m.identityKey).toString('hex'), m]));
      if (fetch) await Promise.allSettled([...people.values()].map((m) => fetch(from, m.identityKey)));
      await retry();
    })();
    this.deps.background.track(work.catch((err: unknown) => this.logRetryFailure(conversationId, err)));
    const timer = setTimeout(() => {
      this.deps.background.track(retry().catch((err: unknown) => this.logRetryFailure(conversationId, err)));
    }, MISSING_ENTRIES_WAIT_MS + 100);
    timer.unref?.();
  }

  private logRetryFailure(conversationId: number, err: unknown): void {
    this.deps.logger.log('warn', 'messaging.entries_retry_failed', {
      conversation: conversationId,
      ...errorFields(err),
    });
  }

  private async applyReceived(
    conversationId: number,
    entry: NonNullable<ReturnType<GroupSequencers['get']>>,
    update: SequencerUpdate,
    now: number,
    markSeen: () => void,
    from: string,
  ): Promise<'accepted' | 'duplicate' | 'rejected'> {
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
      this.steps.applyUpdate(entry, update, now, afterCommit);
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
      this.maintenance.followUp(conversationId, { leaveAgain: update.commits.length > 0 });
    }
    if (update.mustRejoin) {
      // This device's external commit lost: its state is on a branch nobody
      // else is on. Rejoin with a fresh GroupInfo (docs/protocol.md §10).
      this.deps.logger.log('warn', 'messaging.must_rejoin', { conversation: conversationId });
      this.maintenance.rejoinNow(conversationId);
    }
    return status;
  }

  // --- sending --------------------------------------------------------------

  /** Encrypts and queues an application message (groupSendQueue.ts); `row` in the same transaction. */
  send(
    conversationId: number,
    plaintext: Uint8Array,
    row?: (recipients: number) => number | null,
  ): Promise<number | null> {
    return this.queue.send(conversationId, plaintext, row);
  }

  /** Encrypts a typing indicator through the sequencer without queueing it (groupSendQueue.ts). */
  encryptEphemeral(
    conversationId: number,
    plaintext: Uint8Array,
    ready: (recipients: string[]) => boolean,
  ): Promise<{ recipients: string[]; payload: Uint8Array } | null> {
    return this.queue.encryptEphemeral(conversationId, plaintext, ready);
  }

  /** A Welcome for devices this one cannot reach goes to the group, for members to pass on. */
  private relayWelcome(conversationId: number, relay: Uint8Array): void {
    this.deps.background.track(
      this.queue.send(conversationId, relay).then(
        () => undefined,
        (err: unknown) =>
          this.deps.logger.log('warn', 'messaging.welcome_relay_failed', {
            conversation: conversationId,
            ...errorFields(err),
          }),
      ),
    );
  }

  // --- operations (groupMembership.ts) ----------------------------------------

  addMembers(conversationId: number, contactIds: readonly number[]): Promise<GroupAck> {
    return this.membership.addMembers(conversationId, contactIds);
  }

  removeMember(conversationId: number, identityKey: Uint8Array): Promise<GroupAck> {
    return this.membership.removeMember(conversationId, identityKey);
  }

  /** §13.6: adds a new own device (its KeyPackage checked by the caller), in one conversation. */
  addOwnDevice(conversationId: number, peerId: string, keyPackage: Uint8Array): Promise<GroupAck> {
    return this.membership.addOwnDevice(conversationId, peerId, keyPackage);
  }

  /** §13.8 step 2: removes own devices the own list removed, in one conversation. */
  removeOwnDevices(conversationId: number, peerIds: readonly string[]): Promise<GroupAck> {
    return this.membership.removeOwnDevices(conversationId, peerIds);
  }

  rename(conversationId: number, name: string): Promise<GroupAck> {
    return this.membership.rename(conversationId, name);
  }

  setRole(conversationId: number, identityKey: Uint8Array, role: Role): Promise<GroupAck> {
    return this.membership.setRole(conversationId, identityKey, role);
  }

  selfUpdate(conversationId: number): Promise<GroupAck> {
    return this.membership.selfUpdate(conversationId);
  }

  leave(conversationId: number): Promise<void> {
    return this.membership.leave(conversationId);
  }
}
