import type { Role } from '../mls';
import { errorFields } from '../util/logger';
import type { GroupContext } from './groupContext';
import type { GroupSteps } from './groupSteps';

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
/**
 * A member that holds messages of a later epoch this long has missed a
 * commit for good (its holders' copies expired, or it was offline past
 * their TTL): it rejoins by external commit (docs/protocol.md §10). Commits
 * travel through the outbox and the holders like messages, so a commit that
 * is merely late arrives within a few mailbox fetches (one a minute); ten
 * minutes leaves room for that without leaving a member stuck for long.
 */
export const STALL_MS = 10 * 60_000;

const isAdmin = (r: Role) => r === 'owner' || r === 'admin';

/** How a group is rejoined by external commit (groups/resync.ts `resyncGroup`); lock held. */
export type Rejoin = (conversationId: number) => Promise<unknown>;

/**
 * What a group needs after a step or with time (docs/protocol.md §10):
 * queued changes committed once their epoch is accepted, pending proposals
 * committed (at once by admins, after a window by anyone for a leave),
 * leaves proposed again in a new epoch, accept windows ended with no
 * traffic, self-updates after SELF_UPDATE_AFTER_MS or
 * SELF_UPDATE_AFTER_MESSAGES (post-compromise security, RFC 9420 §16.6),
 * and a device stuck behind a missing commit rejoined after STALL_MS.
 */
export class GroupMaintenance {
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticking: Promise<void> | null = null;
  private stoppedFlag = false;
  private rejoin: Rejoin | null = null;
  readonly acceptMs: number;

  constructor(
    private readonly ctx: GroupContext,
    private readonly steps: GroupSteps,
  ) {
    this.acceptMs = ctx.deps.options?.acceptMs ?? 60_000;
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  get maxMessages(): number {
    return this.ctx.deps.options?.selfUpdateAfterMessages ?? SELF_UPDATE_AFTER_MESSAGES;
  }

  /** Starts the timer that ends accept windows, commits queued changes and self-updates. */
  start(): void {
    if (this.timer || this.stoppedFlag) return;
    this.timer = setInterval(() => this.onTimer(), this.ctx.deps.options?.tickMs ?? GROUP_TICK_MS);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stoppedFlag = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** How to rejoin a group by external commit, for `mustRejoin` and stalled groups. */
  onMustRejoin(rejoin: Rejoin): void {
    this.rejoin = rejoin;
  }

  /** This device's external commit lost (`mustRejoin`): rejoin under the lock, in the background. */
  rejoinNow(conversationId: number): void {
    const rejoin = this.rejoin;
    if (!rejoin || this.stoppedFlag) return;
    this.ctx.deps.background.track(
      this.ctx.deps.lock.run(String(conversationId), async () => {
        await rejoin(conversationId);
      }),
    );
  }

  /** Schedules work that needs the lock again (queued commits, proposals to commit, leaving again). */
  followUp(conversationId: number, options: { leaveAgain: boolean }): void {
    if (this.stoppedFlag) return;
    const { background, lock, now } = this.ctx.deps;
    background.track(
      lock.run(String(conversationId), () => this.continueWork(conversationId, now(), options)),
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
    const { sequencers } = this.ctx;
    const { kick, logger } = this.ctx.deps;
    const entry = sequencers.get(conversationId);
    if (!entry) return;
    const active = entry.seq.state.active;
    if (!active || this.steps.leftAt(conversationId) !== null) {
      // Nothing is committed for a group this device left or was removed from.
      if (entry.pending.queued.length > 0 || entry.pending.proposalsSeenAt !== null) {
        entry.pending.queued = [];
        entry.pending.proposalsSeenAt = null;
        entry.pendingDirty = true;
        sequencers.persist(entry, () => undefined);
      }
      // Proposals lapse with their epoch (RFC 9420 §12.1): a leave not yet
      // committed is proposed again in the new one.
      if (active && options.leaveAgain && !entry.seq.state.members.every((m) => m.isSelf)) {
        await this.steps.propose(entry, { type: 'leave' });
        kick();
      }
      return;
    }
    if (!entry.seq.accepted) return;
    while (entry.pending.queued.length > 0) {
      const intent = entry.pending.queued.shift();
      entry.pendingDirty = true;
      if (!intent) break;
      const result = await this.steps.commitNow(entry, intent).catch((err: unknown) => {
        logger.log('warn', 'messaging.queued_change_failed', {
          conversation: conversationId,
          change: intent.type,
          ...errorFields(err),
        });
        return 'nothing' as const;
      });
      if (result !== 'nothing') return kick();
    }
    const state = entry.seq.state;
    if (state.pendingProposals > 0) {
      // Admins commit proposals at once; a plain member commits what it may
      // (leaves) only if no admin did within a window.
      const seenAt = entry.pending.proposalsSeenAt;
      if (isAdmin(state.self.role) || (seenAt !== null && now >= seenAt + this.acceptMs)) {
        if ((await this.steps.commitNow(entry, { type: 'commitPending' })) === 'committed') return kick();
      }
      if (seenAt === null) {
        entry.pending.proposalsSeenAt = now;
        entry.pendingDirty = true;
      }
    }
    if (entry.sentSinceUpdate >= this.maxMessages || this.selfUpdateDue(conversationId, now)) {
      if ((await this.steps.commitNow(entry, { type: 'selfUpdate' })) === 'committed') return kick();
    }
    if (entry.pendingDirty) sequencers.persist(entry, () => undefined);
  }

  private selfUpdateDue(conversationId: number, now: number): boolean {
    const maxAge = this.ctx.deps.options?.selfUpdateAfterMs ?? SELF_UPDATE_AFTER_MS;
    // A group whose keys were never refreshed by a path counts from its creation (fresh keys then).
    const refreshed = this.ctx.deps.repos.groups.keysRefreshedAt(conversationId);
    return refreshed !== undefined && refreshed <= now - maxAge;
  }

  private onTimer(): void {
    if (this.ticking || this.stoppedFlag) return;
    this.ticking = this.tickAll()
      .catch((err: unknown) =>
        this.ctx.deps.logger.log('warn', 'messaging.group_tick_failed', errorFields(err)),
      )
      .finally(() => {
        this.ticking = null;
      });
  }

  /** One pass over the groups with something waiting for time: bounded by their number. */
  async tickAll(): Promise<void> {
    const { repos, lock, logger } = this.ctx.deps;
    const maxAge = this.ctx.deps.options?.selfUpdateAfterMs ?? SELF_UPDATE_AFTER_MS;
    const now = this.ctx.deps.now();
    await this.rejoinStalled(now);
    const due = repos.groups.dueForSelfUpdate(now - maxAge);
    const ids = [...new Set([...this.ctx.sequencers.waiting(), ...due])];
    for (const id of ids) {
      if (this.stoppedFlag) return;
      try {
        await lock.run(String(id), () => this.tickOne(id));
      } catch (err) {
        logger.log('warn', 'messaging.group_tick_failed', { conversation: id, ...errorFields(err) });
      }
    }
  }

  /**
   * Cached groups holding messages of a later epoch (their commit has not
   * arrived): after STALL_MS without progress the device rejoins by external
   * commit with a GroupInfo from a member. Bounded by the cached groups.
   */
  private async rejoinStalled(now: number): Promise<void> {
    const { lock, logger } = this.ctx.deps;
    const stallMs = this.ctx.deps.options?.stallMs ?? STALL_MS;
    for (const entry of this.ctx.sequencers.cached()) {
      if (this.stoppedFlag) return;
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
      logger.log('warn', 'messaging.stalled_rejoin', { conversation: id });
      const rejoin = this.rejoin;
      try {
        await lock.run(String(id), async () => {
          await rejoin(id);
        });
      } catch (err) {
        logger.log('warn', 'messaging.rejoin_failed', { conversation: id, ...errorFields(err) });
      }
    }
  }

  private async tickOne(conversationId: number): Promise<void> {
    const entry = this.ctx.sequencers.get(conversationId);
    if (!entry) return;
    const now = this.ctx.deps.now();
    const update = entry.seq.tick(now);
    const changed =
      update.welcomes.length > 0 ||
      entry.pendingDirty ||
      JSON.stringify(entry.seq.revisions) !== JSON.stringify(entry.written);
    if (changed) {
      const afterCommit: (() => void)[] = [];
      this.ctx.sequencers.persist(entry, () => this.steps.applyUpdate(entry, update, now, afterCommit));
      for (const run of afterCommit) run();
      this.ctx.deps.kick();
    }
    await this.continueWork(conversationId, now, { leaveAgain: false });
  }
}
