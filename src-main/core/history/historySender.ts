import { rmSync } from 'node:fs';
import type { HistoryOpen, HistorySource } from '../net/historyProtocol';
import type { HistoryTransferRepository } from '../store/repositories/historyTransferRepository';
import { errorFields, type Logger } from '../util/logger';
import { HistoryChunkReader } from './historyChunkReader';
import {
  historyStreamPath,
  makeHistoryStream,
  type HistorySnapshotJob,
  type HistorySnapshotReport,
} from './historySnapshot';
import { decodeHistoryHeader, historyMacMatches, TRANSFER_ID_BYTES } from './historyStreamFormat';

/** A transfer is served for 24 hours, then GONE (docs/protocol.md §13.7). */
export const HISTORY_OFFER_TTL_MS = 24 * 60 * 60_000;

export interface HistorySenderDeps {
  transfers: HistoryTransferRepository;
  profileDir: string;
  /** The live database for the snapshot worker's second connection. */
  connection: () => { path: string; key: Buffer; nativeBinding?: string };
  selfPeerId: string;
  clock: () => number;
  logger: Logger;
  /**
   * §13.7: "only while it is an active device of the same person". The
   * runtime answers it from the device list (devices/); without it (tests of
   * this file) only the granted PeerId, which the transfer row pins, is checked.
   */
  isActiveOwnDevice?: (peerId: string) => boolean;
  /** Tests substitute the snapshot worker or a smaller chunk size. */
  snapshot?: (job: HistorySnapshotJob) => Promise<HistorySnapshotReport>;
  chunkBytes?: number;
}

/**
 * The giving side of history transfers (on E). `offerHistory` records the
 * transfer (granted to one PeerId, with k_history from the link exchange)
 * and makes the sealed stream file in the background; `source` is the
 * /parley/history/1.0.0 handler: DENIED unless the requester is the granted
 * PeerId, an active device of this person and knows k_history (the MAC),
 * NOT_READY while the stream is being made, GONE after 24 hours.
 */
export class HistorySender {
  private readonly preparing = new Map<string, Promise<void>>();

  constructor(private readonly deps: HistorySenderDeps) {}

  /**
   * Offers this device's history to `peerId` under `kHistory` and
   * `transferId` (both from the link exchange, §13.5). Resolves once the
   * stream is ready (or failed: the row says why); the request handler
   * answers NOT_READY until then.
   */
  offerHistory(offer: {
    kHistory: Uint8Array;
    transferId: Uint8Array;
    peerId: string;
    withFiles?: boolean;
  }): Promise<void> {
    if (offer.transferId.length !== TRANSFER_ID_BYTES) throw new RangeError('transfer id is 16 bytes');
    if (offer.kHistory.length !== 32) throw new RangeError('k_history is 32 bytes');
    const now = this.deps.clock();
    this.deps.transfers.create({
      transferId: offer.transferId,
      role: 'send',
      peerId: offer.peerId,
      kHistory: offer.kHistory,
      withFiles: offer.withFiles ?? true,
      state: 'preparing',
      now,
      expiresAt: now + HISTORY_OFFER_TTL_MS,
    });
    return this.makeStream(offer.transferId);
  }

  /**
   * After a restart: a stream that was being made is made again (it was
   * never served, so its bytes may change), expired ones are dropped.
   */
  resume(): Promise<void>[] {
    this.dropExpired();
    return this.deps.transfers.inStates('send', ['preparing']).map((t) => this.makeStream(t.transferId));
  }

  /** Drops transfers older than 24 hours: their stream files go, requests get GONE. */
  dropExpired(): void {
    for (const t of this.deps.transfers.expired(this.deps.clock())) this.drop(t.transferId, 'gone');
  }

  /** Ends a transfer (done, or its device removed): the stream file goes, requests get GONE. */
  drop(transferId: Uint8Array, state: 'gone' | 'done' = 'gone'): void {
    rmSync(historyStreamPath(this.deps.profileDir, transferId), { force: true });
    this.deps.transfers.setState(transferId, state, this.deps.clock());
  }

  /** The /parley/history/1.0.0 handler. */
  readonly source: HistorySource = async (requester, request): Promise<HistoryOpen> => {
    const t = this.deps.transfers.get(request.transferId);
    // An unknown transfer and a wrong MAC get the same answer: a guesser learns nothing.
    if (!t || t.role !== 'send') return { status: 'denied' };
    if (!historyMacMatches(t.kHistory, request.transferId, request.fromChunk, request.mac)) {
      this.deps.logger.log('warn', 'history.denied', { why: 'mac' });
      return { status: 'denied' };
    }
    if (requester !== t.peerId || !(this.deps.isActiveOwnDevice?.(requester) ?? true)) {
      this.deps.logger.log('warn', 'history.denied', { why: 'peer' });
      return { status: 'denied' };
    }
    if (t.state === 'gone' || t.state === 'done' || t.state === 'failed') return { status: 'gone' };
    if (this.deps.clock() >= t.expiresAt) {
      this.drop(t.transferId, 'gone');
      return { status: 'gone' };
    }
    if (t.state !== 'ready' || t.header === null) return { status: 'not-ready' };
    const header = decodeHistoryHeader(t.header, t.transferId);
    const reader = await HistoryChunkReader.open(
      historyStreamPath(this.deps.profileDir, t.transferId),
      header,
      t.header,
    );
    return {
      status: 'ok',
      header: t.header,
      chunkCount: header.chunkCount,
      read: (index) => reader.read(index),
      close: () => reader.close(),
    };
  };

  private makeStream(transferId: Uint8Array): Promise<void> {
    const id = Buffer.from(transferId).toString('hex');
    const running = this.preparing.get(id);
    if (running) return running;
    const t = this.deps.transfers.get(transferId);
    if (!t) return Promise.resolve();
    const work = makeHistoryStream({
      profileDir: this.deps.profileDir,
      connection: this.deps.connection(),
      kHistory: t.kHistory,
      transferId,
      sourcePeerId: this.deps.selfPeerId,
      ...(this.deps.chunkBytes ? { chunkBytes: this.deps.chunkBytes } : {}),
      ...(this.deps.snapshot ? { snapshot: this.deps.snapshot } : {}),
    })
      .then((stream) => {
        this.deps.transfers.setHeader(transferId, stream.headerBytes, 'ready', this.deps.clock());
        this.deps.logger.log('info', 'history.ready', {
          chunks: stream.header.chunkCount,
          messages: stream.counts.messages,
        });
      })
      .catch((err: unknown) => {
        this.deps.logger.log('error', 'history.prepare_failed', errorFields(err));
        this.deps.transfers.setState(
          transferId,
          'failed',
          this.deps.clock(),
          err instanceof Error ? err.message : 'failed',
        );
      })
      .finally(() => this.preparing.delete(id));
    this.preparing.set(id, work);
    return work;
  }
}
