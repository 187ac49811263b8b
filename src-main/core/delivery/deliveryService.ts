import type { Db } from '../store/encryptedDatabase';
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
 */

/** Where an inbound envelope came from: 'direct', or the PeerId of the holder that kept it. */
export type Via = 'direct' | { holder: string };

export interface InboundSink {
  /**
   * Processes one envelope; must call `markSeen()` inside the transaction that
   * commits its effects. 'duplicate' and 'rejected' are marked seen here.
   * Throw for a transient failure (it will be offered again).
   */
  receive(
    envelope: InboundEnvelope & { via: Via },
    markSeen: () => void,
  ): Promise<'accepted' | 'duplicate' | 'rejected'>;
}

/** What delivery needs from the network node (a ParleyNode fits). */
export interface DeliveryNet {
  readonly peerId: string;
  readonly deliver: Pick<DeliverProtocol, 'send'>;
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
  /** What this device holds for others (also served by the node's mailbox protocol). */
  mailboxStore: MailboxStore;
  logger: Logger;
  now: () => number;
  random?: () => number;
  options?: Partial<DeliveryOptions>;
}

/** Passes over the outbox per pump call; the pump reschedules itself beyond that. */
const MAX_ROUNDS = 10_000;
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

  constructor(private readonly deps: DeliveryDeps) {
    this.options = { ...DEFAULT_DELIVERY_OPTIONS, ...deps.options };
    this.random = deps.random ?? Math.random;
  }

  /** Needs: the node started (or starting) and the sink ready. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.aborter = new AbortController();
    this.unsubscribe = this.deps.net.onPeer((e) => this.onPeer(e));
    this.fetchTimer = setInterval(() => this.fetchFromConnectedHolders(), this.options.fetchIntervalMs);
    this.sweepTimer = setInterval(() => {
      this.track(this.deps.mailboxStore.sweep(this.deps.now()));
    }, this.options.sweepIntervalMs);
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

  /** One recipient's due envelopes, in order. */
  private async sendTo(recipient: string, items: OutboxItem[]): Promise<void> {
    for (const item of items) {
      if (!this.running) return;
      const now = this.deps.now();
      if ((this.unreachable.get(recipient) ?? 0) > now) {
        await this.holdOrWait(item, 'unreachable');
        continue;
      }
      try {
        const status = await this.deps.net.deliver.send(recipient, item.envelopeId, item.payload, {
          signal: this.deadline(),
        });
        if (status === 'rejected') {
          this.deps.outbox.markFailed(item, 'rejected');
          this.deps.logger.log('warn', 'delivery.rejected', { peer: peerTag(recipient) });
        } else {
          this.deps.outbox.markDelivered(item);
        }
      } catch (err) {
        if (!this.running) return;
        const code = isNetError(err) ? err.code : 'error';
        if (code === 'reset' || code === 'protocol') {
          // Reachable, but its handler failed (e.g. a message for an epoch it
          // has not reached yet): try again later, no need for a holder.
          this.deps.outbox.reschedule(item, this.retryAt(item), code);
          continue;
        }
        this.unreachable.set(recipient, now + this.backoff(item.attempts));
        this.deps.logger.log('debug', 'delivery.unreachable', { peer: peerTag(recipient), code });
        await this.holdOrWait(item, code);
      }
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
      this.deps.outbox.reschedule(item, this.retryAt(item), reason);
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
      this.deps.outbox.reschedule(item, this.retryAt(item), reason);
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
    const relays = directory.relaysOf(item.recipient).filter((r) => r !== item.recipient);
    const candidates = [
      ...relays.filter((r) => r !== net.peerId && net.isConnected(r)),
      ...(relays.includes(net.peerId) ? [net.peerId] : []),
    ];
    const earlier = candidates.length > 0 ? this.deps.outbox.heldBefore(item) : [];
    const stored: string[] = [];
    let remote = 0;
    for (const holder of candidates) {
      const isSelf = holder === net.peerId;
      if (!isSelf && remote >= this.options.maxRemoteHolders) continue;
      let complete = true;
      for (const previous of earlier) {
        if (previous.depositedWith.includes(holder)) continue;
        if ((await this.depositAt(holder, key, previous)) !== 'stored') {
          complete = false;
          break;
        }
        this.deps.outbox.addHolder(previous, holder);
      }
      if (!complete) continue;
      if ((await this.depositAt(holder, key, item)) === 'stored') {
        stored.push(holder);
        if (!isSelf) remote++;
      }
    }
    return stored;
  }

  private async depositAt(
    holder: string,
    key: Uint8Array,
    item: OutboxItem,
  ): Promise<'stored' | 'quota-exceeded' | 'rejected' | 'failed'> {
    const { net } = this.deps;
    const sealed = sealEnvelope(key, item.recipient, item.envelopeId, net.peerId, item.payload);
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

  /** One envelope at a time per id, so a direct copy and a held copy cannot both be processed. */
  private inbound(envelope: InboundEnvelope, via: Via): Promise<DeliverStatus> {
    const key = envelopeHex(envelope.envelopeId);
    const previous = this.inflight.get(key) ?? Promise.resolve<DeliverStatus>('duplicate');
    const run = previous.catch(() => 'duplicate' as const).then(() => this.inboundOnce(key, envelope, via));
    this.inflight.set(key, run);
    const cleanup = () => {
      if (this.inflight.get(key) === run) this.inflight.delete(key);
    };
    run.then(cleanup, cleanup);
    return run;
  }

  private async inboundOnce(key: string, envelope: InboundEnvelope, via: Via): Promise<DeliverStatus> {
    const { db } = this.deps;
    if (db.prepare('SELECT 1 FROM seen_envelopes WHERE envelope_id = ?').get(key)) return 'duplicate';
    const markSeen = () => {
      db.prepare('INSERT OR IGNORE INTO seen_envelopes (envelope_id, seen_at) VALUES (?, ?)').run(
        key,
        this.deps.now(),
      );
    };
    const status = await this.deps.sink.receive({ ...envelope, via }, markSeen);
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
          for (const item of items) {
            if (!this.running) return;
            const opened = openEnvelope(this.deps.sealSecretKey, net.peerId, item.envelopeId, item.payload);
            if (!opened) {
              // Not sealed to us under this id: worthless to keep, so let the holder drop it.
              done.push(item.envelopeId);
              continue;
            }
            try {
              const status = await this.inbound(
                { from: opened.sender, envelopeId: item.envelopeId, payload: opened.payload },
                { holder },
              );
              done.push(item.envelopeId);
              if (status === 'accepted') committed++;
            } catch (err) {
              // Left with the holder; the periodic fetch offers it again.
              this.deps.logger.log('debug', 'delivery.held_item_deferred', {
                peer: peerTag(holder),
                ...errorFields(err),
              });
            }
          }
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
