import type { ParleyProtocolNode } from '../net/parleyProtocols';
import type { HistoryTransferRepository } from '../store/repositories/historyTransferRepository';
import { errorFields, type Logger } from '../util/logger';
import { HistoryReceiver, type HistoryProgress } from './historyReceiver';
import { HistorySender } from './historySender';

export interface HistoryServiceDeps {
  transfers: HistoryTransferRepository;
  profileDir: string;
  /** The live database for the workers' second connections (ProfileService.secondConnection). */
  connection: () => { path: string; key: Buffer; nativeBinding?: string };
  node: Pick<ParleyProtocolNode, 'peerId' | 'services'>;
  logger: Logger;
  now: () => number;
  /** See HistorySender: the device list's "active device of this person" check, once wired. */
  isActiveOwnDevice?: (peerId: string) => boolean;
  /** Tests shorten the waits. */
  retryMs?: number;
}

/**
 * History on a newly linked device (docs/protocol.md §13.7), both sides, for
 * the runtime: `offerHistory` on the device that links (E) and
 * `startHistoryTransfer` on the new one (N), with `k_history` and
 * `transfer_id` from the link exchange (§13.5, linking/; the runtime passes
 * them, history/ does not import linking/). Progress goes to listeners
 * (the contract's `devices.historyProgress`).
 */
export class HistoryService {
  readonly sender: HistorySender;
  readonly receiver: HistoryReceiver;
  private readonly listeners = new Set<(p: HistoryProgress) => void>();
  private sweep: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly deps: HistoryServiceDeps) {
    this.sender = new HistorySender({
      transfers: deps.transfers,
      profileDir: deps.profileDir,
      connection: deps.connection,
      selfPeerId: deps.node.peerId,
      clock: deps.now,
      logger: deps.logger,
      ...(deps.isActiveOwnDevice ? { isActiveOwnDevice: deps.isActiveOwnDevice } : {}),
    });
    this.receiver = new HistoryReceiver({
      transfers: deps.transfers,
      profileDir: deps.profileDir,
      connection: deps.connection,
      fetch: (peer, request, onHeader, onChunk, options) =>
        deps.node.services.history.fetch(peer, request, onHeader, onChunk, options),
      clock: deps.now,
      logger: deps.logger,
      onProgress: (p) => {
        for (const listener of this.listeners) listener(p);
      },
      ...(deps.retryMs ? { retryMs: deps.retryMs } : {}),
    });
  }

  /** E: offers this device's history to the new device `peerId`. */
  offerHistory(offer: { kHistory: Uint8Array; transferId: Uint8Array; peerId: string }): Promise<void> {
    return this.sender.offerHistory(offer);
  }

  /** N: receives the history from the granting device `peer`. */
  startHistoryTransfer(t: { kHistory: Uint8Array; transferId: Uint8Array; peer: string }): Promise<void> {
    return this.receiver.startHistoryTransfer(t);
  }

  onProgress(listener: (p: HistoryProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After the node started: transfers of both sides carry on; expired offers go every hour. */
  start(): void {
    const logged = (p: Promise<void>) =>
      p.catch((err: unknown) => this.deps.logger.log('warn', 'history.resume_failed', errorFields(err)));
    for (const p of this.sender.resume()) void logged(p);
    for (const p of this.receiver.resume()) void logged(p);
    this.sweep = setInterval(() => this.sender.dropExpired(), 60 * 60_000);
    this.sweep.unref();
  }

  async stop(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    await this.receiver.stop();
  }
}
