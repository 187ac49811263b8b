import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3-multiple-ciphers';
import { BoxSealer, SealOpener } from '../crypto/sealedBox';
import { durabilityOf, type Durability } from '../store/durability';
import type { Db } from '../store/encryptedDatabase';
import { prepared } from '../store/prepared';
import { backoffDelay, type BackoffConfig } from '../net/backoff';
import type { DeliverProtocol, DeliverStatus, InboundEnvelope } from '../net/deliverProtocol';
import { MAX_ENVELOPE_PAYLOAD } from '../net/limits';
import type { MailboxProtocol } from '../net/mailboxProtocol';
import type { MailboxStore } from '../net/mailboxStore';
import { isNetError } from '../net/netError';
import type { PeerEvent } from '../net/parleyNode';
import { peerTag } from '../net/protocolService';
import { errorFields, type Logger } from '../util/logger';
import { envelopeHex, type Outbox, type OutboxItem } from './outbox';
import { openEnvelope, sealEnvelope } from './sealedEnvelope';

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
 * Receiving: an envelope id already in `seen_envelopes` is a 'duplicate';
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

/** Where an inbound envelope came from: 'direct', or the PeerId of the holder that kept it. */
export type Via = 'direct' | { holder: string };

export interface InboundSink {
  /**
   * Processes one envelope; must call `markSeen()` inside the transaction that
   * commits its effects. 'duplicate' and 'rejected' are marked seen here.
   * Throw for a transient failure (it will be offered again); a sink that
   * throws must have written nothing (write inside `db.transaction()`, which
   * undoes its writes when it throws).
   *
   * The "transaction" may be nested in delivery's batch transaction (group
   * commit, see DeliveryService): `db.inTransaction` is then already true,
   * and what it wrote is on disk only once the batch committed.
   */
  receive(
    envelope: InboundEnvelope & { via: Via },
    markSeen: () => void,
  ): Promise<'accepted' | 'duplicate' | 'rejected'>;
  /**
   * Called when a batch transaction rolled back instead of committing (a
   * storage failure: disk full, I/O error). Everything `receive()` wrote
   * during the batch is gone: drop every in-memory copy of state read or
   * written since the batch began (MLS group states, sequencer caches), so
   * the next envelope starts again from the database. None of the batch's
   * envelopes was acked; their senders offer them again.
   */
  rolledBack?(): void;
  /**
   * A batch transaction begins (`batchEnded` always follows, after its COMMIT
   * or ROLLBACK): what `receive()` writes until then is on disk only if it
   * ends committed.
   */
  batchStarted?(): void;
  batchEnded?(committed: boolean): void;
}

/** What delivery needs from the network node (a ParleyNode fits). */
export interface DeliveryNet {
  readonly peerId: string;
  readonly deliver: Pick<DeliverProtocol, 'sendMany'>;
  readonly mailbox: Pick<MailboxProtocol, 'deposit' | 'fetch' | 'ack'>;
  isConnected(peer: string): boolean;
  connectedPeers(): string[];
  onPeer(listener: (event: PeerEvent) => void): () => void;
}

/** What delivery needs to know about other devices (messaging keeps it). */
export interface DeliveryDirectory {
  /** The device's X-Wing seal public key, or null when we do not know it yet. */
  sealPublicKey(peer: string): Uint8Array | null;
  /** The holders the device asked its contacts to deposit with. */
  relaysOf(peer: string): string[];
  /** Whether this peer may hold envelopes for us (we fetch from it). */
  isHolder(peer: string): boolean;
}

export interface DeliveryOptions {
  backoff: BackoffConfig;
  /** Deadline for one direct send, ms. */
  sendTimeoutMs: number;
  /** Lifetime asked of holders, seconds. */
  ttlSeconds: number;
  /** Remote holders an envelope is deposited with (besides this device). */
  maxRemoteHolders: number;
  /** How often to fetch from connected holders (catches transient failures), ms. */
  fetchIntervalMs: number;
  /** How often the local mailbox drops expired envelopes, ms. */
  sweepIntervalMs: number;
  /** Envelopes looked at per pass. */
  batch: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  backoff: { baseMs: 1_000, maxMs: 5 * 60_000, factor: 2 },
  sendTimeoutMs: 15_000,
  ttlSeconds: 14 * 24 * 3600,
  maxRemoteHolders: 2,
  fetchIntervalMs: 60_000,
  sweepIntervalMs: 10 * 60_000,
  batch: 256,
};

export interface DeliveryDeps {
  db: Db;
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
/** Deposit watermarks kept (see depositedUpTo); beyond that they start over. */
const MAX_DEPOSIT_MARKS = 4_096;
/** Envelopes of one queue read at a time for a pipelined run. */
const RUN_LENGTH = 64;
/** A run that keeps streaming what is queued behind it ends after this many envelopes or this long. */
const MAX_STREAM_RUN = 2_048;
const MAX_STREAM_MS = 2_000;
/** Envelopes committed in one batch transaction, at most. */
const MAX_BATCH = 256;
/** A batch stops taking envelopes after this long, so its first ack waits at most about this much. */
const MAX_BATCH_MS = 100;
/**
 * One envelope's processing inside a batch, at most: a sink that hangs must
 * not keep the batch (and with it every sender and receiver) waiting. Below
 * the deliver handler's own 10 s deadline, so the ack still makes it.
 */
const BATCH_JOB_TIMEOUT_MS = 5_000;

type Statement = Database.Statement<unknown[], unknown>;

interface InboundJob {
  key: string;
  envelope: InboundEnvelope;
  via: Via;
  resolve: (status: DeliverStatus) => void;
  reject: (err: unknown) => void;
}

/** A storage failure of the batch itself (not of one envelope): nothing of the batch commits. */
class BatchAborted extends Error {
  override name = 'BatchAborted';
}
/** Fetch rounds per holder per call (each up to the protocol's per-stream item limit). */
const MAX_FETCH_ROUNDS = 64;

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
  private readonly inflight = new Map<string, Promise<DeliverStatus>>();
  private readonly fetching = new Map<string, Promise<number>>();
  private readonly background = new Set<Promise<unknown>>();
  /** Aborts requests in flight on stop(), so stopping never waits out a send timeout. */
  private aborter = new AbortController();
  /** Opens held envelopes: the seal key expanded once, not per envelope. */
  private readonly opener: SealOpener;
  /**
   * Seals what we deposit, one KEM encapsulation per recipient session (this
   * device's own: never shared with another profile), so the recipient
   * decapsulates once per session when it catches up, not once per envelope.
   */
  private readonly sealer: BoxSealer;
  /** The connection's lazy-commit barrier (store/durability.ts): synced before anything leaves. */
  private readonly durability: Durability;
  /** Inbound envelopes waiting to be processed, in arrival order. */
  private readonly queue: InboundJob[] = [];
  private draining: Promise<void> | null = null;
  private drainActive = false;
  /** Settles when the open batch transaction ended; null while none is open. */
  private batchOpen: Promise<void> | null = null;
  /**
   * Per (recipient, conversation, holder): the outbox row up to which that
   * holder is known to hold every held envelope of the queue (in memory;
   * after a restart the first deposit looks at the whole queue once).
   */
  private readonly depositedUpTo = new Map<string, number>();
  /** Deliver sessions one of whose envelopes failed: later ones are not committed. */
  private readonly failedSessions = new WeakSet<object>();

  constructor(private readonly deps: DeliveryDeps) {
    this.options = { ...DEFAULT_DELIVERY_OPTIONS, ...deps.options };
    this.random = deps.random ?? Math.random;
    this.opener = new SealOpener(deps.sealSecretKey);
    this.sealer = new BoxSealer({ now: deps.now });
    this.durability = durabilityOf(deps.db);
  }

  /** Compiled once per connection (store/prepared.ts). */
  private stmt(sql: string): Statement {
    return prepared(this.deps.db, sql);
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
    await this.draining;
    // After the pump and deposits settled: no seal runs after this, so no session key outlives stop().
    this.sealer.clear();
    this.opener.clear();
  }

  /** Drops expired held envelopes and outbox rows no message needs any more. */
  private async sweep(): Promise<void> {
    await this.outsideBatch();
    await this.deps.mailboxStore.sweep(this.deps.now());
    await this.outsideBatch();
    const pruned = this.deps.outbox.prune();
    if (pruned > 0) this.deps.logger.log('debug', 'delivery.pruned', { rows: pruned });
  }

  /** Waits until no batch transaction is open (what is read then is committed). */
  private async outsideBatch(): Promise<void> {
    // Bounded: each wait is one batch, and batches end (MAX_BATCH, MAX_BATCH_MS).
    for (let i = 0; i < 1_000 && this.batchOpen !== null; i++) await this.batchOpen;
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
  onEnvelope = (envelope: InboundEnvelope): Promise<DeliverStatus> => this.inbound(envelope, 'direct');

  /** Fetches, commits and acks everything `holder` keeps for us; returns how many were committed. */
  fetchFrom(holder: string): Promise<number> {
    const running = this.fetching.get(holder);
    if (running) return running;
    const p = this.fetchLoop(holder).finally(() => this.fetching.delete(holder));
    this.fetching.set(holder, p);
    return p;
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
      await this.outsideBatch();
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
      await this.outsideBatch();
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
        if (!this.running || this.deps.db.inTransaction) return [];
        if (run.length >= MAX_STREAM_RUN || performance.now() - started > MAX_STREAM_MS) return [];
        const last = run[run.length - 1] ?? head;
        const next = this.deps.outbox.runAfter(last, this.deps.now(), RUN_LENGTH);
        if (next.length > 0) this.durability.sync();
        run.push(...next);
        return next;
      };
      const { statuses, error } = await this.deps.net.deliver.sendMany(recipient, [...run], {
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
    const holders = await this.deposit(item);
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

  /**
   * Seals and deposits with the recipient's holders; returns who stored it
   * (remote ones first). A holder gets this envelope only after it holds
   * every earlier held envelope of the same queue (they are deposited with it
   * first), so whichever holder the recipient fetches from first hands the
   * queue over in order.
   */
  private async deposit(item: OutboxItem): Promise<string[]> {
    const { net, directory } = this.deps;
    const key = directory.sealPublicKey(item.recipient);
    if (!key) return [];
    // As before a send: what a holder gets must already be on our disk.
    this.durability.sync();
    const relays = directory.relaysOf(item.recipient).filter((r) => r !== item.recipient);
    const candidates = [
      ...relays.filter((r) => r !== net.peerId && net.isConnected(r)),
      ...(relays.includes(net.peerId) ? [net.peerId] : []),
    ];
    const stored: string[] = [];
    let remote = 0;
    // One sealed copy per envelope for all its holders: sealing (a KEM
    // encapsulation) costs more than a deposit, and holders learn nothing more
    // from the same ciphertext than from the same envelope id they see anyway.
    const sealed = new Map<number, Uint8Array>();
    for (const holder of candidates) {
      const isSelf = holder === net.peerId;
      if (!isSelf && remote >= this.options.maxRemoteHolders) continue;
      let complete = true;
      // Only those not with this holder yet (usually none), and only after
      // the point up to which it is known to have the whole queue: looking
      // at every earlier held envelope per deposit was quadratic in a long
      // queue (an offline contact's backlog).
      const mark = `${item.recipient}\n${item.conversationId ?? ''}\n${holder}`;
      const earlier = this.deps.outbox.heldBefore(item, holder, this.depositedUpTo.get(mark) ?? 0);
      for (const previous of earlier) {
        if (previous.depositedWith.includes(holder)) continue;
        if ((await this.depositAt(holder, key, previous, sealed)) !== 'stored') {
          complete = false;
          break;
        }
        this.deps.outbox.addHolder(previous, holder);
      }
      if (!complete) continue;
      if ((await this.depositAt(holder, key, item, sealed)) === 'stored') {
        stored.push(holder);
        if (!isSelf) remote++;
        // Every held envelope of the queue up to this one is with this holder
        // now: earlier ones only ever gain holders (markHeld, addHolder).
        if (this.depositedUpTo.size >= MAX_DEPOSIT_MARKS) this.depositedUpTo.clear();
        this.depositedUpTo.set(mark, item.rowId);
      }
    }
    return stored;
  }

  private async depositAt(
    holder: string,
    key: Uint8Array,
    item: OutboxItem,
    sealedCopies: Map<number, Uint8Array>,
  ): Promise<'stored' | 'quota-exceeded' | 'rejected' | 'failed'> {
    const { net } = this.deps;
    let sealed = sealedCopies.get(item.rowId);
    if (sealed === undefined) {
      sealed = sealEnvelope(key, item.recipient, item.envelopeId, net.peerId, item.payload, this.sealer);
      sealedCopies.set(item.rowId, sealed);
    }
    if (sealed.length > MAX_ENVELOPE_PAYLOAD) return 'rejected';
    const request = {
      recipient: item.recipient,
      envelopeId: item.envelopeId,
      payload: sealed,
      ttlSeconds: this.options.ttlSeconds,
    };
    if (holder === net.peerId) {
      return this.deps.mailboxStore.deposit({ ...request, depositor: net.peerId }, this.deps.now());
    }
    try {
      return await net.mailbox.deposit(holder, request, {
        signal: this.deadline(),
      });
    } catch (err) {
      this.deps.logger.log('debug', 'delivery.deposit_failed', {
        peer: peerTag(holder),
        ...errorFields(err),
      });
      return 'failed';
    }
  }

  // --- receiving ------------------------------------------------------------

  /**
   * Queues an envelope for processing. One at a time per id, so a direct copy
   * and a held copy cannot both be processed: the second waits for the first
   * and then finds it seen.
   */
  private inbound(envelope: InboundEnvelope, via: Via): Promise<DeliverStatus> {
    const key = envelopeHex(envelope.envelopeId);
    const previous = this.inflight.get(key);
    // Queued at once when no copy is in flight, so envelopes are processed in
    // the order they arrived (a stream's order, a fetched batch's order).
    const run =
      previous === undefined
        ? this.enqueue(key, envelope, via)
        : previous.catch(() => 'duplicate' as const).then(() => this.enqueue(key, envelope, via));
    this.inflight.set(key, run);
    const cleanup = () => {
      if (this.inflight.get(key) === run) this.inflight.delete(key);
    };
    run.then(cleanup, cleanup);
    return run;
  }

  private enqueue(key: string, envelope: InboundEnvelope, via: Via): Promise<DeliverStatus> {
    return new Promise<DeliverStatus>((resolve, reject) => {
      this.queue.push({ key, envelope, via, resolve, reject });
      if (!this.drainActive) {
        this.drainActive = true;
        this.draining = this.drain();
      }
    });
  }

  /** Works through the queue: alone when one is waiting, in batch transactions when several are. */
  private async drain(): Promise<void> {
    try {
      // Bounded: every pass takes at least one job off the queue.
      for (let pass = 0; pass < 1_000_000 && this.queue.length > 0; pass++) {
        if (this.queue.length === 1 || this.deps.db.inTransaction) {
          const job = this.queue.shift();
          if (job) await this.runAlone(job);
        } else {
          await this.runBatch();
        }
      }
    } finally {
      // Cleared in the same step that saw the queue empty: a job queued after
      // this starts a new drain, and none can be left behind in between.
      this.drainActive = false;
      // Only after the pass bound ran out: carry on in a later task.
      if (this.queue.length > 0) {
        this.drainActive = true;
        this.draining = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
      }
    }
  }

  private async runAlone(job: InboundJob): Promise<void> {
    try {
      job.resolve(await this.process(job));
    } catch (err) {
      this.failed(job);
      job.reject(err);
    }
  }

  /**
   * Processes waiting envelopes (and those arriving meanwhile, up to MAX_BATCH
   * and MAX_BATCH_MS) in one transaction, then acks them all. See the class
   * comment for what a failure does.
   */
  private async runBatch(): Promise<void> {
    const { db } = this.deps;
    let release = (): void => undefined;
    this.batchOpen = new Promise<void>((resolve) => {
      release = resolve;
    });
    const done: { job: InboundJob; status: DeliverStatus }[] = [];
    const started = performance.now();
    let committed = false;
    try {
      this.stmt('BEGIN').run();
      this.deps.sink.batchStarted?.();
      for (
        let n = 0;
        n < MAX_BATCH && this.queue.length > 0 && performance.now() - started < MAX_BATCH_MS;
        n++
      ) {
        const job = this.queue.shift();
        if (job === undefined) break;
        try {
          done.push({ job, status: await this.withinDeadline(this.process(job)) });
        } catch (err) {
          if (err instanceof BatchAborted) throw err;
          // Its own transaction (a savepoint here) already undid its writes.
          this.failed(job);
          job.reject(err);
        }
        if (!db.inTransaction) throw new BatchAborted('the batch transaction ended early');
      }
      this.stmt('COMMIT').run();
      committed = true;
    } catch (err) {
      if (db.inTransaction) {
        try {
          this.stmt('ROLLBACK').run();
        } catch {
          // The connection is gone or rolled back already: nothing committed either way.
        }
      }
      this.deps.logger.log('error', 'delivery.batch_rolled_back', {
        envelopes: done.length,
        ...errorFields(err),
      });
      try {
        this.deps.mailboxStore.rolledBack?.();
        this.deps.sink.batchEnded?.(false);
        this.deps.sink.rolledBack?.();
      } finally {
        for (const d of done) d.job.reject(err);
      }
    } finally {
      this.batchOpen = null;
      release();
    }
    if (committed) {
      this.deps.sink.batchEnded?.(true);
      for (const d of done) d.job.resolve(d.status);
    }
  }

  private async withinDeadline<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('envelope processing timed out')), BATCH_JOB_TIMEOUT_MS);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private failed(job: InboundJob): void {
    if (job.envelope.session !== undefined) this.failedSessions.add(job.envelope.session);
  }

  private async process(job: InboundJob): Promise<DeliverStatus> {
    const { key, via } = job;
    const { from, envelopeId, payload, session } = job.envelope;
    if (session !== undefined && this.failedSessions.has(session)) {
      // An earlier envelope of this stream was not committed: committing this
      // one would let it overtake that one. The sender offers both again.
      throw new Error('an earlier envelope of this session failed');
    }
    if (this.stmt('SELECT 1 FROM seen_envelopes WHERE envelope_id = ?').get(key)) return 'duplicate';
    const markSeen = () => {
      this.stmt('INSERT OR IGNORE INTO seen_envelopes (envelope_id, seen_at) VALUES (?, ?)').run(
        key,
        this.deps.now(),
      );
    };
    const status = await this.deps.sink.receive({ from, envelopeId, payload, via }, markSeen);
    if (status !== 'accepted') markSeen();
    return status;
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

  private async fetchLoop(holder: string): Promise<number> {
    const { net } = this.deps;
    let committed = 0;
    for (let round = 0; round < MAX_FETCH_ROUNDS && this.running; round++) {
      const done: Uint8Array[] = [];
      const result = await net.mailbox.fetch(
        holder,
        async (items) => {
          if (!this.running) return;
          // All of a fetched batch is queued at once (in order), so it is
          // committed in one batch transaction rather than one by one.
          const work = items.map((item) => {
            const opened = openEnvelope(this.opener, net.peerId, item.envelopeId, item.payload);
            if (!opened) {
              // Not sealed to us under this id: worthless to keep, so let the holder drop it.
              done.push(item.envelopeId);
              return Promise.resolve();
            }
            return this.inbound(
              { from: opened.sender, envelopeId: item.envelopeId, payload: opened.payload },
              { holder },
            ).then(
              (status) => {
                done.push(item.envelopeId);
                if (status === 'accepted') committed++;
              },
              (err: unknown) => {
                // Left with the holder; the periodic fetch offers it again.
                this.deps.logger.log('debug', 'delivery.held_item_deferred', {
                  peer: peerTag(holder),
                  ...errorFields(err),
                });
              },
            );
          });
          await Promise.all(work);
        },
        { signal: this.aborter.signal },
      );
      if (done.length > 0) await net.mailbox.ack(holder, done, { signal: this.deadline() });
      if (!result.more || done.length === 0) break;
    }
    if (committed > 0)
      this.deps.logger.log('info', 'delivery.fetched', { peer: peerTag(holder), envelopes: committed });
    return committed;
  }
}
