import type { AbortOptions } from '@libp2p/interface';
import { wireBytes } from './bytes';
import { isPeerIdString } from './deviceKey';
import { ENVELOPE_ID_BYTES, FRAME_VERSION, MAX_ENVELOPE_PAYLOAD } from './limits';
import type { DepositStatus, MailboxStore } from './mailboxStore';
import { MailboxRequest, MailboxResponse, type MailboxItem } from './proto/mailbox.generated';
import {
  decodeFrame,
  ensure,
  LocalCallbackError,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolFactory,
  type ProtocolComponents,
} from './protocolService';
import type { FrameStream } from './frameStream';

/**
 * /parley/mailbox/1.0.0: store-and-forward. A sender deposits an envelope
 * sealed to an offline recipient with a peer the recipient trusts (the holder);
 * the recipient later fetches what is held for it, commits it, and acks, which
 * deletes it. The holder learns the recipient's PeerId and the sizes, nothing
 * else. Only the recipient itself may fetch or ack (the stream's authenticated
 * PeerId must equal the recipient field). One request per stream:
 *   deposit → one response {status}
 *   fetch   → batches {items, done, more}; bounded items per batch, bytes per
 *             batch and items per stream
 *   ack     → one response {removed}
 *   notice  → one response {OK}: a holder tells a connected recipient it now
 *             holds envelopes for it, so the recipient fetches at once
 *             instead of at its next periodic fetch (issue 13: "reachable
 *             through <name>" means handed over now)
 */

/** Deposits for one recipient within this long make one notice, ms. */
const NOTICE_GATHER_MS = 50;

/** What serves the mailbox: a node with one holds envelopes for others and hears notices. */
export interface MailboxHandler {
  store: MailboxStore;
  /** A holder told us it keeps envelopes for us. */
  onNotice?(holder: string): void;
}

export interface MailboxInit {
  /** Without a handler (until handle()) this node only uses other holders; it does not serve. */
  handler?: MailboxHandler;
}

/** The mailbox protocol as a node service (ParleyNode.create's `services`). */
export function mailboxProtocol(init: MailboxInit = {}): ProtocolFactory<MailboxProtocol> {
  return (components) => new MailboxProtocol(components, init);
}

export interface HeldItem {
  envelopeId: Uint8Array;
  payload: Uint8Array;
}

export interface DepositRequest {
  recipient: string;
  envelopeId: Uint8Array;
  payload: Uint8Array;
  ttlSeconds: number;
}

export interface FetchResult {
  /** Envelopes handed to onBatch over this fetch. */
  received: number;
  /** The holder has more for us: fetch again (after acking these). */
  more: boolean;
}

const DEPOSIT_TO_WIRE: Record<DepositStatus, MailboxResponse.Status> = {
  stored: MailboxResponse.Status.STORED,
  'quota-exceeded': MailboxResponse.Status.QUOTA_EXCEEDED,
  rejected: MailboxResponse.Status.REJECTED,
};

function depositFromWire(status: MailboxResponse.Status): DepositStatus | undefined {
  switch (status) {
    case MailboxResponse.Status.STORED:
      return 'stored';
    case MailboxResponse.Status.QUOTA_EXCEEDED:
      return 'quota-exceeded';
    case MailboxResponse.Status.REJECTED:
      return 'rejected';
    default:
      return undefined;
  }
}

export class MailboxProtocol extends ProtocolService<MailboxHandler> {
  readonly name = 'mailbox';
  private readonly noticeTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** This node's PeerId: fetch and ack are always for ourselves. */
  private readonly self: string;

  constructor(components: ProtocolComponents, init: MailboxInit = {}) {
    super(components, { handler: init.handler });
    this.self = components.peerId;
  }

  override async stop(): Promise<void> {
    for (const timer of this.noticeTimers.values()) clearTimeout(timer);
    this.noticeTimers.clear();
    await super.stop();
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    const { store, onNotice } = this.served;
    const request = decodeFrame(await readRequired(frames), (b) =>
      MailboxRequest.decode(b, { limits: { ack: { envelopeIds: this.components.limits.mailboxAckIds } } }),
    );
    const set = [request.deposit, request.fetch, request.ack, request.notice].filter(
      (x) => x !== undefined,
    ).length;
    ensure(set === 1, 'exactly one of deposit, fetch, ack, notice');
    if (request.deposit !== undefined) {
      const d = request.deposit;
      ensure(isPeerIdString(d.recipient), 'recipient is not a PeerId');
      ensure(d.envelopeId?.length === ENVELOPE_ID_BYTES, 'envelope id must be 16 bytes');
      ensure(
        d.payload !== undefined && d.payload.length > 0 && d.payload.length <= MAX_ENVELOPE_PAYLOAD,
        'payload missing or too large',
      );
      ensure(d.ttlSeconds > 0, 'ttl must be positive');
      const { envelopeId, payload } = d;
      const status = await this.callHandler(() =>
        store.deposit(
          { recipient: d.recipient, depositor: peer, envelopeId, payload, ttlSeconds: d.ttlSeconds },
          this.components.clock(),
        ),
      );
      await frames.write(MailboxResponse.encode({ version: FRAME_VERSION, status: DEPOSIT_TO_WIRE[status] }));
      if (status === 'stored') this.noticeSoon(d.recipient);
    } else if (request.notice !== undefined) {
      const mine = request.notice.recipient === this.self;
      if (mine) await this.callHandler(() => onNotice?.(peer));
      await frames.write(
        MailboxResponse.encode({
          version: FRAME_VERSION,
          status: mine ? MailboxResponse.Status.OK : MailboxResponse.Status.REJECTED,
        }),
      );
    } else if (request.fetch !== undefined) {
      await this.serveFetch(store, peer, request.fetch.recipient, request.fetch.maxItems, frames);
    } else if (request.ack !== undefined) {
      const { recipient, envelopeIds } = request.ack;
      ensure(
        envelopeIds.every((id) => id.length === ENVELOPE_ID_BYTES),
        'envelope ids must be 16 bytes',
      );
      if (recipient !== peer) {
        await frames.write(
          MailboxResponse.encode({ version: FRAME_VERSION, status: MailboxResponse.Status.REJECTED }),
        );
      } else {
        const removed = await this.callHandler(() => store.remove(peer, envelopeIds));
        await frames.write(
          MailboxResponse.encode({ version: FRAME_VERSION, status: MailboxResponse.Status.OK, removed }),
        );
      }
    }
    this.countServed();
    await frames.close();
  }

  private async serveFetch(
    store: MailboxStore,
    peer: string,
    recipient: string,
    requested: number,
    frames: FrameStream,
  ): Promise<void> {
    const { limits, clock } = this.components;
    if (recipient !== peer) {
      await frames.write(
        MailboxResponse.encode({
          version: FRAME_VERSION,
          status: MailboxResponse.Status.REJECTED,
          done: true,
        }),
      );
      return;
    }
    const max = Math.min(
      requested > 0 ? requested : limits.mailboxMaxItemsPerFetch,
      limits.mailboxMaxItemsPerFetch,
    );
    let after: number | null = null;
    let sent = 0;
    // Each round sends at least one item or ends, so this runs at most `max` times.
    for (;;) {
      const page = await this.callHandler(() =>
        store.list(
          peer,
          {
            after,
            limit: Math.min(limits.mailboxBatchItems, max - sent),
            maxBytes: limits.mailboxBatchBytes,
          },
          clock(),
        ),
      );
      const items: MailboxItem[] = page.items.map((i) => ({
        envelopeId: wireBytes(i.envelopeId),
        payload: wireBytes(i.payload),
      }));
      sent += items.length;
      const last = page.items.at(-1);
      if (last !== undefined) after = last.cursor;
      const done = items.length === 0 || !page.more || sent >= max;
      await frames.write(
        MailboxResponse.encode({
          version: FRAME_VERSION,
          status: MailboxResponse.Status.OK,
          items,
          done,
          more: done && page.more,
        }),
      );
      if (done) return;
    }
  }

  /** A deposit for `recipient` was stored: tell it, if it is connected, once per gathered burst. */
  private noticeSoon(recipient: string): void {
    if (recipient === this.self || this.noticeTimers.has(recipient)) return;
    if (!this.components.isConnected(recipient)) return;
    const timer = setTimeout(() => {
      this.noticeTimers.delete(recipient);
      this.notice(recipient).catch((err: unknown) =>
        this.components.logger.log('debug', 'net.mailbox.notice_failed', { error: String(err) }),
      );
    }, NOTICE_GATHER_MS);
    timer.unref?.();
    this.noticeTimers.set(recipient, timer);
  }

  /** Tells `recipient` we hold envelopes for it (it fetches them). Throws NetError. */
  async notice(recipient: string, options?: AbortOptions): Promise<void> {
    await this.request(
      recipient,
      async (frames) => {
        await frames.write(MailboxRequest.encode({ version: FRAME_VERSION, notice: { recipient } }));
        await frames.close();
        const response = decodeFrame(await readRequired(frames), MailboxResponse.decode);
        ensure(response.status === MailboxResponse.Status.OK, 'notice refused');
      },
      options,
    );
  }

  /** Hands an envelope to `holder` for `recipient`. Throws NetError. */
  async deposit(holder: string, deposit: DepositRequest, options?: AbortOptions): Promise<DepositStatus> {
    if (deposit.envelopeId.length !== ENVELOPE_ID_BYTES) throw new RangeError('envelope id must be 16 bytes');
    if (deposit.payload.length === 0 || deposit.payload.length > MAX_ENVELOPE_PAYLOAD) {
      throw new RangeError('payload empty or larger than 256 KiB');
    }
    if (!Number.isInteger(deposit.ttlSeconds) || deposit.ttlSeconds <= 0 || deposit.ttlSeconds > 0xffffffff) {
      throw new RangeError('ttlSeconds must be a positive 32-bit integer');
    }
    return this.request(
      holder,
      async (frames) => {
        await frames.write(
          MailboxRequest.encode({
            version: FRAME_VERSION,
            deposit: {
              recipient: deposit.recipient,
              envelopeId: wireBytes(deposit.envelopeId),
              payload: wireBytes(deposit.payload),
              ttlSeconds: deposit.ttlSeconds,
            },
          }),
        );
        await frames.close();
        const response = decodeFrame(await readRequired(frames), MailboxResponse.decode);
        const status = depositFromWire(response.status);
        ensure(status !== undefined, 'deposit response without a status');
        return status;
      },
      options,
    );
  }

  /**
   * Fetches what `holder` keeps for this node, handing each batch to `onBatch`
   * and waiting for it before reading the next (so a slow commit slows the
   * holder, not our memory). Nothing is deleted until ack().
   */
  async fetch(
    holder: string,
    onBatch: (items: HeldItem[]) => Promise<void>,
    options: AbortOptions & { maxItems?: number } = {},
  ): Promise<FetchResult> {
    const limit = this.components.limits.mailboxMaxItemsPerFetch;
    const maxItems = Math.min(options.maxItems ?? limit, limit);
    return this.request(
      holder,
      async (frames) => {
        await frames.write(
          MailboxRequest.encode({ version: FRAME_VERSION, fetch: { recipient: this.self, maxItems } }),
        );
        await frames.close();
        let received = 0;
        // Bounded: every frame but the last carries at least one item, and the
        // holder may send at most maxItems.
        for (;;) {
          const batch = decodeFrame(await readRequired(frames), (b) =>
            MailboxResponse.decode(b, { limits: { items: this.components.limits.mailboxBatchItems } }),
          );
          if (batch.status === MailboxResponse.Status.REJECTED) return { received, more: false };
          ensure(batch.status === MailboxResponse.Status.OK, 'fetch batch without a status');
          ensure(batch.items.length > 0 || batch.done, 'empty batch before the end');
          received += batch.items.length;
          ensure(received <= maxItems, 'holder sent more than asked');
          const items: HeldItem[] = batch.items.map((i) => {
            ensure(i.envelopeId?.length === ENVELOPE_ID_BYTES, 'held item with a bad envelope id');
            ensure(i.payload !== undefined && i.payload.length > 0, 'held item without payload');
            return { envelopeId: i.envelopeId, payload: i.payload };
          });
          if (items.length > 0) {
            try {
              await onBatch(items);
            } catch (err) {
              throw new LocalCallbackError({ cause: err });
            }
          }
          if (batch.done) return { received, more: batch.more };
        }
      },
      options,
    );
  }

  /** Tells `holder` these envelopes are committed here; returns how many it deleted. */
  async ack(holder: string, envelopeIds: Uint8Array[], options?: AbortOptions): Promise<number> {
    const chunk = this.components.limits.mailboxAckIds;
    let removed = 0;
    for (let i = 0; i < envelopeIds.length; i += chunk) {
      const ids = envelopeIds.slice(i, i + chunk);
      removed += await this.request(
        holder,
        async (frames) => {
          await frames.write(
            MailboxRequest.encode({
              version: FRAME_VERSION,
              ack: { recipient: this.self, envelopeIds: ids.map(wireBytes) },
            }),
          );
          await frames.close();
          const response = decodeFrame(await readRequired(frames), MailboxResponse.decode);
          ensure(response.status === MailboxResponse.Status.OK, 'ack refused');
          return response.removed;
        },
        options,
      );
    }
    return removed;
  }
}
