import { performance } from 'node:perf_hooks';
import { backoffDelay } from '../net/backoff';
import type { DeliverStatus, InboundEnvelope } from '../net/deliverProtocol';
import type { MailboxStore } from '../net/mailboxStore';
import { isNetError } from '../net/netError';
import type { PeerEvent } from '../net/parleyNode';
import { peerTag } from '../net/protocolService';
import type { Durability } from '../store/durability';
import type { ProfileRepositories } from '../store/profileRepositories';
import { errorFields, type Logger } from '../util/logger';
import type { DeliveryDirectory, DeliveryNet, InboundSink } from './deliveryPorts';
import { DEFAULT_DELIVERY_OPTIONS, type DeliveryOptions } from './deliveryOptions';
import { HolderDeposit } from './holderDeposit';
import { InboundQueue } from './inboundQueue';
import { MailboxFetcher } from './mailboxFetcher';
import type { Outbox, OutboxItem } from './outbox';

// What delivery asks of others and its options live beside it; named here too for the callers.
export type { DeliveryDirectory, DeliveryNet, InboundSink, Via } from './deliveryPorts';
export { DEFAULT_DELIVERY_OPTIONS, type DeliveryOptions } from './deliveryOptions';

/**
 * Delivery (DESIGN.md §2 delivery): drains the persistent outbox to the
 * network and commits what arrives.
 *
 * Sending: the head of every (recipient, conversation) queue is offered over
 * `deliver`; an ack ('accepted' or 'duplicate') makes it delivered, 'rejected'
 * failed. When the recipient cannot be reached the envelope is sealed to its
 * seal key and deposited with the holders it named (its relay list): with
 * this device when it is one of them, and with up to `maxRemoteHolders`
 * connected others. It is then 'held' and the next envelope of the queue may
 * go. Held envelopes keep being offered directly (with backoff, and at once
 * when the recipient connects); the recipient answers 'duplicate' once it
 * fetched a copy, which is how the sender learns "delivered". Retries use
 * exponential backoff with equal jitter; every loop is bounded.
 *
 * Receiving (inboundQueue.ts; holders: mailboxFetcher.ts; deposits:
 * holderDeposit.ts): an envelope id already in `seen_envelopes` is a 'duplicate';
 * otherwise the sink (messaging) processes it and marks it seen in the same
 * transaction that commits its effects, and only then is it acked. A sink
 * that throws leaves it unacked: the sender (or the holder) offers it again.
 * On every (re)connection to a holder, and periodically while connected,
 * this device fetches what the holder keeps for it, commits each envelope and
 * then acks the batch so the holder deletes it.
 *
 * Group commit: inbound envelopes (from every stream and every fetch) go
 * through one queue. One that finds the queue empty is processed on its own,
 * in its own transactions, as before (lowest latency). When several are
 * waiting, they are processed in ONE outer transaction (the sink's own
 * transactions nest inside it as savepoints) and acked only after it
 * committed: one fsync for the batch instead of one per envelope, with
 * synchronous = FULL kept (DESIGN.md §1 rule 6 unchanged: nothing is acked
 * before the transaction holding its effects is on disk). A sink that throws
 * for one envelope rolls back only its own savepoint; that envelope is not
 * acked and the batch goes on. If the batch itself cannot commit, nothing of
 * it is acked, and the sink's `rolledBack()` drops what it cached from the
 * rolled-back writes. While a batch is open the sender does not read the
 * outbox, so nothing written inside an uncommitted batch is ever sent.
 *
 * Sending is pipelined: a run of a queue's pending envelopes goes out on one
 * stream with up to PIPELINE_WINDOW unacknowledged (in order), and the acks
 * of a run are recorded in one transaction.
 */

export interface DeliveryDeps {
  /** The seen-envelope ids, the transactions of a batch, the lazy-commit barrier. */
  store: Pick<ProfileRepositories, 'seenEnvelopes' | 'tx' | 'durability'>;
  outbox: Outbox;
  net: DeliveryNet;
  directory: DeliveryDirectory;
  sink: InboundSink;
  /** Our X-Wing seal secret key (opens what holders kept for us). */
  sealSecretKey: Uint8Array;
  /**
   * What this device holds for others (also served by the node's mailbox
   * protocol). `rolledBack()`, if it has one, is called with the sink's when a
   * batch transaction rolls back (deposits may have been part of it).
   */
  mailboxStore: MailboxStore & { rolledBack?(): void };
  logger: Logger;
  now: () => number;
  random?: () => number;
  options?: Partial<DeliveryOptions>;
}

/** Passes over the outbox per pump call; the pump reschedules itself beyond that. */
const MAX_ROUNDS = 10_000;
/** Envelopes of one queue read at a time for a pipelined run. */
const RUN_LENGTH = 64;
/** A run that keeps streaming what is queued behind it ends after this many envelopes or this long. */
const MAX_STREAM_RUN = 2_048;
const MAX_STREAM_MS = 2_000;

export class DeliveryService {
  private readonly options: DeliveryOptions;
  private readonly random: () => number;
  private running = false;
  private pumping: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private fetchTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Peers whose last direct attempt failed, until when we skip straight to holders. */
  private readonly unreachable = new Map<string, number>();
  private readonly background = new Set<Promise<unknown>>();
  /** Aborts requests in flight on stop(), so stopping never waits out a send timeout. */
  private aborter = new AbortController();
  /** The connection's lazy-commit barrier (store/durability.ts): synced before anything leaves. */
  private readonly durability: Durability;
  /** Inbound envelopes, committed in order, in batches when several wait. */
  private readonly inbound: InboundQueue;
  private readonly holders: HolderDeposit;
  private readonly fetcher: MailboxFetcher;

  constructor(private readonly deps: DeliveryDeps) {
    this.options = { ...DEFAULT_DELIVERY_OPTIONS, ...deps.options };
    this.random = deps.random ?? Math.random;
    this.durability = deps.store.durability;
    this.inbound = new InboundQueue(deps);
    const deadline = () => this.deadline();
    this.holders = new HolderDeposit({
      ...deps,
      durability: this.durability,
      options: this.options,
      deadline,
    });
    this.fetcher = new MailboxFetcher({
      ...deps,
      commit: (envelope, via) => this.inbound.push(envelope, via),
      running: () => this.running,
      stopSignal: () => this.aborter.signal,
      deadline,
    });
  }

  /** Needs: the node started (or starting) and the sink ready. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.aborter = new AbortController();
    this.unsubscribe = this.deps.net.onPeer((e) => this.onPeer(e));
    this.fetchTimer = setInterval(() => this.fetchFromConnectedHolders(), this.options.fetchIntervalMs);
    this.sweepTimer = setInterval(() => this.track(this.sweep()), this.options.sweepIntervalMs);
    this.fetchTimer.unref();
    this.sweepTimer.unref();
    this.fetchFromConnectedHolders();
    this.kick();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.aborter.abort();
    this.unsubscribe?.();
    clearTimeout(this.timer);
    clearInterval(this.fetchTimer);
    clearInterval(this.sweepTimer);
    await this.pumping;
    await Promise.allSettled([...this.background]);
    await this.inbound.idle();
    // After the pump and deposits settled: no seal runs after this, so no session key outlives stop().
    this.holders.clear();
    this.fetcher.clear();
  }

  /** Drops expired held envelopes and outbox rows no message needs any more. */
  private async sweep(): Promise<void> {
    await this.inbound.outsideBatch();
    await this.deps.mailboxStore.sweep(this.deps.now());
    await this.inbound.outsideBatch();
    const pruned = this.deps.outbox.prune();
    if (pruned > 0) this.deps.logger.log('debug', 'delivery.pruned', { rows: pruned });
  }

  /** Something was queued (or became due): send soon. */
  kick(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pumping = this.pump()
      .catch((err: unknown) => {
        // A storage failure: stop this pass; the timer tries again later.
        this.deps.logger.log('error', 'delivery.pump_failed', errorFields(err));
      })
      .finally(() => {
        this.pumping = null;
        if (this.again) this.kick();
        else this.schedule();
      });
  }

  /** The deliver protocol's handler: resolves once committed, with the status to ack. */
  onEnvelope = (envelope: InboundEnvelope): Promise<DeliverStatus> => this.inbound.push(envelope, 'direct');

  /** Fetches, commits and acks everything `holder` keeps for us; returns how many were committed. */
  fetchFrom(holder: string): Promise<number> {
    return this.fetcher.fetchFrom(holder);
  }

  // --- sending --------------------------------------------------------------

  private schedule(): void {
    if (!this.running) return;
    const at = this.deps.outbox.nextDueAt();
    if (at === null) return;
    const delay = Math.max(0, Math.min(at - this.deps.now(), this.options.backoff.maxMs));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }

  private async pump(): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS && this.running; round++) {
      this.again = false;
      // Never read the outbox inside an uncommitted batch: a row written there
      // (e.g. a text sent meanwhile) is not durable yet and must not leave.
      await this.inbound.outsideBatch();
      const items = this.deps.outbox.heads(this.deps.now(), this.options.batch);
      if (items.length === 0) return;
      const byRecipient = new Map<string, OutboxItem[]>();
      for (const item of items) {
        const list = byRecipient.get(item.recipient) ?? [];
        list.push(item);
        byRecipient.set(item.recipient, list);
      }
      await Promise.all([...byRecipient].map(([recipient, list]) => this.sendTo(recipient, list)));
    }
  }

  /** One recipient's due queue heads, each with the run of pending envelopes behind it. */
  private async sendTo(recipient: string, heads: OutboxItem[]): Promise<void> {
    /** Rows this call already put on a stream (a later head of the list may be among them). */
    const sent = new Set<number>();
    for (const head of heads) {
      if (!this.running) return;
      if (sent.has(head.rowId)) continue;
      const now = this.deps.now();
      if ((this.unreachable.get(recipient) ?? 0) > now) {
        await this.holdOrWait(head, 'unreachable');
        continue;
      }
      await this.inbound.outsideBatch();
      // The head takes the due envelopes queued behind it along (and older held
      // ones before it): one stream, in order, up to PIPELINE_WINDOW unacked.
      const run = this.deps.outbox.directRun(head, now, RUN_LENGTH);
      // Sends commit without waiting for the disk; nothing leaves before it is on it.
      this.durability.sync();
      // While the run is on the wire, what is queued behind it meanwhile joins
      // it (same stream, same order) instead of waiting for the run's last
      // ack and a new stream: a steady sender streams. Bounded, so the acks
      // of a long stream get recorded and other queues get their turn.
      const started = performance.now();
      const more = (): OutboxItem[] => {
        // Never read the outbox inside an uncommitted batch (see pump()).
        if (!this.running || this.deps.store.tx.active) return [];
        if (run.length >= MAX_STREAM_RUN || performance.now() - started > MAX_STREAM_MS) return [];
        const last = run[run.length - 1] ?? head;
        const next = this.deps.outbox.runAfter(last, this.deps.now(), RUN_LENGTH);
        if (next.length > 0) this.durability.sync();
        run.push(...next);
        return next;
      };
      const { statuses, error } = await this.deps.net.services.deliver.sendMany(recipient, [...run], {
        signal: this.deadline(),
        more,
      });
      for (const item of run) sent.add(item.rowId);
      const acked = statuses.map((status, i) => ({ item: run[i] as OutboxItem, status }));
      this.deps.outbox.settle(
        acked.map(({ item, status }) =>
          status === 'rejected'
            ? { item, outcome: 'failed' as const, error: 'rejected' }
            : { item, outcome: 'delivered' as const },
        ),
      );
      for (const { status } of acked) {
        if (status === 'rejected')
          this.deps.logger.log('warn', 'delivery.rejected', { peer: peerTag(recipient) });
      }
      const item = run[statuses.length];
      if (error === undefined || item === undefined) continue;
      // The first unacked envelope; the ones after it wait behind it in the queue.
      if (!this.running) return;
      // A pending head behind held ones (directRun) is a queue of its own: it waits or is deposited too.
      const headLeft =
        item.rowId !== head.rowId && run.slice(statuses.length).some((i) => i.rowId === head.rowId);
      const code = isNetError(error) ? error.code : 'error';
      if (code === 'reset' || code === 'protocol') {
        // Reachable, but its handler failed (e.g. a message for an epoch it
        // has not reached yet): try again later, no need for a holder.
        this.deps.outbox.rescheduleQueue(item, this.retryAt(item), code);
        if (headLeft) this.deps.outbox.rescheduleQueue(head, this.retryAt(head), code);
        continue;
      }
      this.unreachable.set(recipient, now + this.backoff(item.attempts));
      this.deps.logger.log('debug', 'delivery.unreachable', { peer: peerTag(recipient), code });
      await this.holdOrWait(item, code);
      if (headLeft) await this.holdOrWait(head, code);
    }
  }

  private deadline(): AbortSignal {
    return AbortSignal.any([AbortSignal.timeout(this.options.sendTimeoutMs), this.aborter.signal]);
  }

  private backoff(attempts: number): number {
    return backoffDelay(this.options.backoff, attempts, this.random);
  }

  private retryAt(item: OutboxItem): number {
    return Math.round(this.deps.now() + this.backoff(item.attempts));
  }

  private async holdOrWait(item: OutboxItem, reason: string): Promise<void> {
    if (item.depositedWith.length > 0) {
      this.deps.outbox.rescheduleQueue(item, this.retryAt(item), reason);
      return;
    }
    const holders = await this.holders.deposit(item);
    if (holders.length > 0) {
      this.deps.outbox.markHeld(item, holders, this.retryAt(item));
      this.deps.logger.log('debug', 'delivery.held', {
        peer: peerTag(item.recipient),
        holders: holders.length,
      });
    } else {
      this.deps.outbox.rescheduleQueue(item, this.retryAt(item), reason);
    }
  }

  private onPeer(event: PeerEvent): void {
    if (!this.running || !event.connected) return;
    this.unreachable.delete(event.peerId);
    if (this.deps.outbox.wake(event.peerId, this.deps.now()) > 0) this.kick();
    if (this.deps.directory.isHolder(event.peerId)) this.track(this.fetchFrom(event.peerId));
  }

  private fetchFromConnectedHolders(): void {
    if (!this.running) return;
    for (const peer of this.deps.net.connectedPeers()) {
      if (this.deps.directory.isHolder(peer)) this.track(this.fetchFrom(peer));
    }
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((err: unknown) =>
      this.deps.logger.log('debug', 'delivery.background_failed', errorFields(err)),
    );
    this.background.add(guarded);
    void guarded.finally(() => this.background.delete(guarded));
  }
}
