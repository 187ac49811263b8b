import { performance } from 'node:perf_hooks';
import type { DeliverStatus, InboundEnvelope } from '../net/deliverProtocol';
import type { ProfileRepositories } from '../store/profileRepositories';
import { errorFields, type Logger } from '../util/logger';
import type { InboundSink, Via } from './deliveryPorts';
import { envelopeHex } from './outbox';

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

export interface InboundQueueDeps {
  store: Pick<ProfileRepositories, 'seenEnvelopes' | 'tx'>;
  sink: InboundSink;
  /** Told when a batch rolled back (deposits may have been part of it). */
  mailboxStore: { rolledBack?(): void };
  logger: Logger;
  now: () => number;
}

/**
 * Inbound envelopes, from every stream and every fetch, committed in arrival
 * order (group commit; the rules are in DeliveryService's class comment): an
 * envelope id already in `seen_envelopes` is a 'duplicate'; one that finds
 * the queue empty is processed alone, in its own transactions; several
 * waiting are processed in ONE outer transaction (the sink's own nest inside
 * as savepoints) and resolved (acked) only after it committed. A sink that
 * throws for one envelope rolls back only its own savepoint; if the batch
 * cannot commit, none of it is acked and the sink drops what it cached.
 */
export class InboundQueue {
  private readonly inflight = new Map<string, Promise<DeliverStatus>>();
  /** Inbound envelopes waiting to be processed, in arrival order. */
  private readonly queue: InboundJob[] = [];
  private draining: Promise<void> | null = null;
  private drainActive = false;
  /** Settles when the open batch transaction ended; null while none is open. */
  private batchOpen: Promise<void> | null = null;
  /** Deliver sessions one of whose envelopes failed: later ones are not committed. */
  private readonly failedSessions = new WeakSet<object>();

  constructor(private readonly deps: InboundQueueDeps) {}

  /**
   * Queues an envelope for processing; resolves once committed, with the
   * status to ack. One at a time per id, so a direct copy and a held copy
   * cannot both be processed: the second waits for the first and then finds
   * it seen.
   */
  push(envelope: InboundEnvelope, via: Via): Promise<DeliverStatus> {
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

  /** Waits until no batch transaction is open (what is read then is committed). */
  async outsideBatch(): Promise<void> {
    // Bounded: each wait is one batch, and batches end (MAX_BATCH, MAX_BATCH_MS).
    for (let i = 0; i < 1_000 && this.batchOpen !== null; i++) await this.batchOpen;
  }

  /** Settles when the queue was worked through (on stop). */
  async idle(): Promise<void> {
    await this.draining;
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
        if (this.queue.length === 1 || this.deps.store.tx.active) {
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
    const { tx } = this.deps.store;
    let release = (): void => undefined;
    this.batchOpen = new Promise<void>((resolve) => {
      release = resolve;
    });
    const done: { job: InboundJob; status: DeliverStatus }[] = [];
    const started = performance.now();
    let committed = false;
    try {
      tx.begin();
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
        if (!tx.active) throw new BatchAborted('the batch transaction ended early');
      }
      tx.commit();
      committed = true;
    } catch (err) {
      if (tx.active) {
        try {
          tx.rollback();
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
    const { seenEnvelopes } = this.deps.store;
    if (seenEnvelopes.has(key)) return 'duplicate';
    const markSeen = () => seenEnvelopes.mark(key, this.deps.now());
    const status = await this.deps.sink.receive({ from, envelopeId, payload, via }, markSeen);
    if (status !== 'accepted') markSeen();
    return status;
  }
}
