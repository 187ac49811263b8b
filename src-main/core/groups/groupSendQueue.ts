import { ParleyError } from '../errors';
import { errorFields } from '../util/logger';
import type { GroupContext } from './groupContext';
import type { GroupMaintenance } from './groupMaintenance';
import type { GroupSteps } from './groupSteps';
import { assertSendable, isAwaitingResync } from './resync';
import { encodeFrame } from './wireFrame';

/** A send waiting for its conversation's lock (GroupSendQueue.send). */
interface QueuedSend {
  plaintext: Uint8Array;
  row: ((recipients: number) => number | null) | undefined;
  resolve: (id: number | null) => void;
  reject: (err: unknown) => void;
}

/** Sends stored in one transaction at most (bounds the transaction and the wait of the first). */
const MAX_SEND_BATCH = 64;

/**
 * Application messages out, through the group's sequencer (unsettled sends
 * are kept to resend after a switch, docs/protocol.md §10), one envelope
 * per other device, stored with the caller's row in one transaction.
 */
export class GroupSendQueue {
  /** Per conversation: sends waiting for the run that will store them together (send()). */
  private readonly queues = new Map<number, QueuedSend[]>();

  constructor(
    private readonly ctx: GroupContext,
    private readonly steps: GroupSteps,
    private readonly maintenance: GroupMaintenance,
  ) {}

  /**
   * Encrypts an application message and queues one envelope per other
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
    const { lock, logger, kick } = this.ctx.deps;
    return new Promise<number | null>((resolve, reject) => {
      const queue = this.queues.get(conversationId);
      const item: QueuedSend = { plaintext, row, resolve, reject };
      if (queue !== undefined) {
        queue.push(item);
        return;
      }
      this.queues.set(conversationId, [item]);
      // The first one waiting schedules the run that takes everything queued by then.
      void lock
        .run(String(conversationId), () => this.sendQueued(conversationId))
        .catch((err: unknown) => logger.log('error', 'messaging.send_failed', errorFields(err)))
        .finally(() => kick());
    });
  }

  /** Sends what is queued for the conversation (under its lock). */
  private async sendQueued(conversationId: number): Promise<void> {
    // One turn of the event loop first: sends issued by the same task (a
    // caller refilling its window as earlier sends resolved) join this run
    // instead of each starting its own transaction.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const queued = this.queues.get(conversationId) ?? [];
    this.queues.delete(conversationId);
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
    const { store } = this.ctx.deps;
    const { sequencers } = this.ctx;
    // A restored conversation has no group state until it is rejoined: say so, not "no such".
    assertSendable(store.resync, conversationId);
    const entry = sequencers.get(conversationId);
    if (!entry) throw new ParleyError('INVALID_PARAMS', 'No such conversation.');
    if (!entry.seq.state.active || this.steps.leftAt(conversationId) !== null) {
      throw new ParleyError('INVALID_STATE', 'You are no longer in this conversation.');
    }
    const now = this.ctx.deps.now();
    const outs: Awaited<ReturnType<typeof entry.seq.send>>[] = [];
    try {
      for (const s of batch) outs.push(await entry.seq.send(s.plaintext, undefined, now));
    } catch (err) {
      sequencers.drop(conversationId);
      throw err;
    }
    const afterCommit: (() => void)[] = [];
    // Committed without waiting for the disk: delivery makes it durable
    // (one fsync for a burst) before the envelope leaves (store/durability.ts).
    const durability = store.durability;
    const ids = durability.lazy(() =>
      sequencers.persist(entry, () =>
        outs.map((out, k) => {
          this.steps.applyUpdate(entry, out.update, now, afterCommit);
          const recipients = this.steps.recipients(entry);
          const row = batch[k]?.row;
          const id = row ? row(recipients.length) : null;
          this.steps.sendFrame(entry, out.message, id);
          return id;
        }),
      ),
    );
    // What runs after the commit may reach other devices (a Welcome relay).
    if (afterCommit.length > 0) durability.sync();
    for (const run of afterCommit) run();
    entry.sentSinceUpdate += batch.length;
    if (entry.sentSinceUpdate >= this.maintenance.maxMessages) {
      this.maintenance.followUp(conversationId, { leaveAgain: false });
    }
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
    const { store, lock } = this.ctx.deps;
    const { sequencers } = this.ctx;
    return lock.run(String(conversationId), async () => {
      if (isAwaitingResync(store.resync, conversationId)) return null;
      const entry = sequencers.get(conversationId);
      if (!entry || !entry.seq.state.active) return null;
      if (this.steps.leftAt(conversationId) !== null) return null;
      const recipients = this.steps.recipients(entry);
      if (recipients.length === 0 || !ready(recipients)) return null;
      const now = this.ctx.deps.now();
      let out: Awaited<ReturnType<typeof entry.seq.send>>;
      try {
        out = await entry.seq.send(plaintext, undefined, now);
      } catch (err) {
        sequencers.drop(conversationId);
        throw err;
      }
      const afterCommit: (() => void)[] = [];
      sequencers.persist(entry, () => this.steps.applyUpdate(entry, out.update, now, afterCommit));
      for (const run of afterCommit) run();
      return {
        recipients,
        payload: encodeFrame({ kind: 'group', groupId: entry.seq.state.groupId, message: out.message }),
      };
    });
  }
}
