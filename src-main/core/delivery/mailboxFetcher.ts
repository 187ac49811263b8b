import { SealOpener } from '../crypto/sealedBox';
import type { DeliverStatus, InboundEnvelope } from '../net/deliverProtocol';
import { peerTag } from '../net/protocolService';
import { errorFields, type Logger } from '../util/logger';
import type { MailboxNet, Via } from './deliveryPorts';
import { openEnvelope } from './sealedEnvelope';

/** Fetch rounds per holder per call (each up to the protocol's per-stream item limit). */
const MAX_FETCH_ROUNDS = 64;

export interface MailboxFetcherDeps {
  net: Omit<MailboxNet, 'isConnected'>;
  /** Our X-Wing seal secret key (opens what holders kept for us). */
  sealSecretKey: Uint8Array;
  /** Commits an envelope (the inbound queue); resolves with its status once committed. */
  commit: (envelope: InboundEnvelope, via: Via) => Promise<DeliverStatus>;
  running: () => boolean;
  /** Aborted on stop(). */
  stopSignal: () => AbortSignal;
  /** The deadline of one request (the send timeout, or stop()). */
  deadline: () => AbortSignal;
  logger: Logger;
}

/**
 * Store-and-forward, the receiving half: fetches what a holder keeps for
 * this device, opens each sealed envelope, commits it through the inbound
 * queue, then acks the batch so the holder deletes it.
 */
export class MailboxFetcher {
  private readonly fetching = new Map<string, Promise<number>>();
  /** Opens held envelopes: the seal key expanded once, not per envelope. */
  private readonly opener: SealOpener;

  constructor(private readonly deps: MailboxFetcherDeps) {
    this.opener = new SealOpener(deps.sealSecretKey);
  }

  /** Fetches, commits and acks everything `holder` keeps for us; returns how many were committed. */
  fetchFrom(holder: string): Promise<number> {
    const running = this.fetching.get(holder);
    if (running) return running;
    const p = this.fetchLoop(holder).finally(() => this.fetching.delete(holder));
    this.fetching.set(holder, p);
    return p;
  }

  /** Forgets the expanded seal key (after stop). */
  clear(): void {
    this.opener.clear();
  }

  private async fetchLoop(holder: string): Promise<number> {
    const { net } = this.deps;
    let committed = 0;
    for (let round = 0; round < MAX_FETCH_ROUNDS && this.deps.running(); round++) {
      const done: Uint8Array[] = [];
      const result = await net.services.mailbox.fetch(
        holder,
        async (items) => {
          if (!this.deps.running()) return;
          // All of a fetched batch is queued at once (in order), so it is
          // committed in one batch transaction rather than one by one.
          const work = items.map((item) => {
            const opened = openEnvelope(this.opener, net.peerId, item.envelopeId, item.payload);
            if (!opened) {
              // Not sealed to us under this id: worthless to keep, so let the holder drop it.
              done.push(item.envelopeId);
              return Promise.resolve();
            }
            return this.deps
              .commit(
                { from: opened.sender, envelopeId: item.envelopeId, payload: opened.payload },
                { holder },
              )
              .then(
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
        { signal: this.deps.stopSignal() },
      );
      if (done.length > 0) await net.services.mailbox.ack(holder, done, { signal: this.deps.deadline() });
      if (!result.more || done.length === 0) break;
    }
    if (committed > 0)
      this.deps.logger.log('info', 'delivery.fetched', { peer: peerTag(holder), envelopes: committed });
    return committed;
  }
}
