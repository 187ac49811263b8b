import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryRefusal } from '../net/historyProtocol';
import { isNetError } from '../net/netError';
import type {
  HistoryTransferRepository,
  HistoryTransferRow,
} from '../store/repositories/historyTransferRepository';
import { errorFields, type Logger } from '../util/logger';
import { HistoryAssembler } from './historyAssembler';
import { HistoryError, isHistoryError } from './historyError';
import { importHistory } from './historyImport';
import { HistoryManifest, type PayloadLayout } from './historyPayload';
import {
  decodeHistoryHeader,
  historyRequestMac,
  historyStreamKey,
  type HistoryHeader,
} from './historyStreamFormat';

/** §13.7: fsync and record `next_chunk` every 16 MiB, as file downloads do. */
export const HISTORY_SYNC_EVERY_BYTES = 16 * 1024 * 1024;
/** Ask again this often while the other device is away (§13.7: every 15 s). */
export const HISTORY_RETRY_MS = 15_000;
/** NOT_READY: the snapshot is being made; ask again after 1 s. */
export const HISTORY_NOT_READY_MS = 1_000;

export type HistoryPhase = 'snapshot' | 'database' | 'import' | 'files' | 'done' | 'failed';

/** The contract's `devices.historyProgress` event (§13.7). */
export interface HistoryProgress {
  transferId: string;
  phase: HistoryPhase;
  bytesDone: number;
  bytesTotal: number;
  messagesDone: number;
  messagesTotal: number;
  /** With `failed`: what the user reads. */
  error?: string;
}

export type HistoryFetch = (
  peer: string,
  request: { transferId: Uint8Array; fromChunk: number; mac: Uint8Array },
  onHeader: (header: Uint8Array) => Promise<void> | void,
  onChunk: (index: number, data: Uint8Array) => Promise<void> | void,
  options?: { signal?: AbortSignal },
) => Promise<'ok' | HistoryRefusal>;

export interface HistoryReceiverDeps {
  transfers: HistoryTransferRepository;
  profileDir: string;
  connection: () => { path: string; key: Buffer; nativeBinding?: string };
  /** node.services.history.fetch */
  fetch: HistoryFetch;
  clock: () => number;
  logger: Logger;
  onProgress?: (progress: HistoryProgress) => void;
  /** Called after the import, with the source device (files are fetched from it first, §13.7 "Files"). */
  onImported?: (transferId: Uint8Array, sourcePeerId: string) => void;
  retryMs?: number;
  notReadyMs?: number;
  syncEveryBytes?: number;
  importBatchRows?: number;
}

/** Thrown inside a fetch to stop reading an answer and ask again from a chunk. */
class Refetch extends Error {
  constructor(readonly index: number) {
    super(`refetch chunk ${index}`);
  }
}

interface Run {
  abort: AbortController;
  done: Promise<void>;
  /** Sealed bytes received more than once in this process (for the resume bound). */
  refetchedBytes: number;
}

const damagedInTransit = (peer: string) =>
  new HistoryError(
    'damaged',
    `The history from your device ${peer.slice(-8)} was damaged in transit; try again.`,
  );

/**
 * The receiving side (on N): fetches the stream from the granting device,
 * writes the snapshot's pages as they come, fsyncs and records `next_chunk`
 * every 16 MiB, resumes from there after a restart or a lost connection, asks
 * once more for a chunk that fails its tag (then fails clearly), and imports
 * the snapshot once complete. Progress at most every 100 ms.
 */
export class HistoryReceiver {
  private readonly runs = new Map<string, Run>();
  private lastProgress = 0;
  private lastPhase: HistoryPhase | null = null;
  private stopped = false;

  constructor(private readonly deps: HistoryReceiverDeps) {}

  /**
   * Starts receiving the history granted by `peer` (§13.5 gives `kHistory`
   * and `transferId`). Resolves when the transfer ends (done, or failed: the
   * row and the last progress event say why); rejects only on stop().
   */
  startHistoryTransfer(t: {
    kHistory: Uint8Array;
    transferId: Uint8Array;
    peer: string;
    withFiles?: boolean;
  }): Promise<void> {
    const now = this.deps.clock();
    this.deps.transfers.create({
      transferId: t.transferId,
      role: 'receive',
      peerId: t.peer,
      kHistory: t.kHistory,
      withFiles: t.withFiles ?? true,
      state: 'receiving',
      now,
      expiresAt: now + 24 * 60 * 60_000,
    });
    return this.run(t.transferId);
  }

  /** After a restart: every transfer that was receiving or importing carries on from its record. */
  resume(): Promise<void>[] {
    return this.deps.transfers
      .inStates('receive', ['receiving', 'importing'])
      .map((t) => this.run(t.transferId));
  }

  /** Bytes fetched again in this process for a transfer (after a lost connection or a bad tag). */
  refetchedBytes(transferId: Uint8Array): number {
    return this.runs.get(Buffer.from(transferId).toString('hex'))?.refetchedBytes ?? 0;
  }

  /** Stops every run at once, recording nothing more (as a crash would; the next start resumes). */
  async stop(): Promise<void> {
    this.stopped = true;
    const runs = [...this.runs.values()];
    for (const r of runs) r.abort.abort(new Error('stopping'));
    await Promise.allSettled(runs.map((r) => r.done));
  }

  private run(transferId: Uint8Array): Promise<void> {
    const id = Buffer.from(transferId).toString('hex');
    const existing = this.runs.get(id);
    if (existing) return existing.done;
    const run: Run = { abort: new AbortController(), done: Promise.resolve(), refetchedBytes: 0 };
    run.done = this.receive(transferId, run).catch((err: unknown) => {
      if (run.abort.signal.aborted) return;
      const row = this.deps.transfers.get(transferId);
      const message = isHistoryError(err)
        ? err.message
        : 'Could not receive the history from your other device; try again.';
      this.deps.logger.log('warn', 'history.failed', errorFields(err));
      this.deps.transfers.setState(transferId, 'failed', this.deps.clock(), message);
      rmSync(this.dbPath(transferId), { force: true });
      this.progress(
        {
          transferId: id,
          phase: 'failed',
          bytesDone: row?.bytesDone ?? 0,
          bytesTotal: 0,
          messagesDone: 0,
          messagesTotal: 0,
          error: message,
        },
        true,
      );
    });
    this.runs.set(id, run);
    return run.done;
  }

  private dbPath(transferId: Uint8Array): string {
    return join(this.deps.profileDir, `.history-${Buffer.from(transferId).toString('hex')}.db`);
  }

  private async receive(transferId: Uint8Array, run: Run): Promise<void> {
    const signal = run.abort.signal;
    let row = this.mustGet(transferId);
    if (row.state !== 'importing') await this.fetchAll(row, run);
    if (signal.aborted || this.stopped) return;
    row = this.mustGet(transferId);
    await this.importSnapshot(row);
  }

  private mustGet(transferId: Uint8Array): HistoryTransferRow {
    const row = this.deps.transfers.get(transferId);
    if (!row) throw new HistoryError('gone', 'This history transfer no longer exists.');
    return row;
  }

  private async fetchAll(row: HistoryTransferRow, run: Run): Promise<void> {
    const { transferId, peerId: peer } = row;
    const id = transferId.toString('hex');
    const signal = run.abort.signal;
    const key = historyStreamKey(row.kHistory, transferId);
    const syncEvery = this.deps.syncEveryBytes ?? HISTORY_SYNC_EVERY_BYTES;
    const retryMs = this.deps.retryMs ?? HISTORY_RETRY_MS;
    let header: HistoryHeader | null = row.header ? decodeHistoryHeader(row.header, transferId) : null;
    let headerBytes: Buffer | null = row.header;
    let layout: PayloadLayout | null =
      row.manifest !== null && row.databaseStart !== null
        ? { manifest: HistoryManifest.parse(JSON.parse(row.manifest)), databaseStart: row.databaseStart }
        : null;
    let next = layout === null ? 0 : row.nextChunk;
    let bytesDone = layout === null ? 0 : row.bytesDone;
    let synced = next;
    /** The highest chunk received in this process: anything at or below it again is refetched. */
    let highest = -1;
    const badOnce = new Set<number>();
    let assembler: HistoryAssembler | null = null;
    const checkpoint = async () => {
      if (assembler === null || next === synced) return;
      await assembler.sync();
      this.deps.transfers.setProgress(transferId, next, bytesDone, this.deps.clock());
      synced = next;
    };
    try {
      for (;;) {
        if (signal.aborted) return;
        if (header !== null && next >= header.chunkCount) break;
        let outcome: 'ok' | HistoryRefusal;
        try {
          outcome = await this.deps.fetch(
            peer,
            { transferId, fromChunk: next, mac: historyRequestMac(row.kHistory, transferId, next) },
            async (bytes) => {
              const got = decodeHistoryHeader(bytes, transferId);
              if (headerBytes !== null) {
                if (!Buffer.from(bytes).equals(headerBytes)) throw damagedInTransit(peer);
                return;
              }
              header = got;
              headerBytes = Buffer.from(bytes);
              this.deps.transfers.setHeader(transferId, headerBytes, 'receiving', this.deps.clock());
            },
            async (index, data) => {
              if (header === null || headerBytes === null) throw damagedInTransit(peer);
              if (assembler === null) {
                assembler = await HistoryAssembler.open(
                  this.dbPath(transferId),
                  key,
                  header,
                  headerBytes,
                  layout,
                );
              }
              if (index <= highest) run.refetchedBytes += data.length;
              highest = Math.max(highest, index);
              const accepted = await assembler.accept(index, data);
              if (accepted === false) {
                if (badOnce.has(index)) throw damagedInTransit(peer);
                badOnce.add(index);
                throw new Refetch(index);
              }
              if (index === 0 && assembler.layout !== null) {
                layout = assembler.layout;
                this.deps.transfers.setLayout(
                  transferId,
                  JSON.stringify(layout.manifest),
                  layout.databaseStart,
                  this.deps.clock(),
                );
              }
              next = index + 1;
              bytesDone += data.length;
              if ((next - synced) * header.chunkBytes >= syncEvery) await checkpoint();
              this.progress({
                transferId: id,
                phase: 'database',
                bytesDone,
                bytesTotal: header.plaintextBytes,
                messagesDone: 0,
                messagesTotal: layout?.manifest.messages ?? 0,
              });
            },
            { signal },
          );
        } catch (err) {
          if (signal.aborted) return;
          if (err instanceof Refetch) continue;
          if (isHistoryError(err)) throw err;
          if (!isNetError(err)) throw err;
          // The connection went or the other device is away: keep what is on disk, ask again later.
          await checkpoint();
          this.deps.logger.log('info', 'history.interrupted', { chunk: next, ...errorFields(err) });
          await sleep(retryMs, signal);
          continue;
        }
        if (outcome === 'not-ready') {
          this.progress({
            transferId: id,
            phase: 'snapshot',
            bytesDone: 0,
            bytesTotal: 0,
            messagesDone: 0,
            messagesTotal: 0,
          });
          await sleep(this.deps.notReadyMs ?? HISTORY_NOT_READY_MS, signal);
          continue;
        }
        if (outcome === 'gone') {
          throw new HistoryError(
            'gone',
            'Your other device no longer offers this history; ask for it again.',
          );
        }
        if (outcome === 'denied') {
          throw new HistoryError('denied', 'Your other device refused to send its history to this device.');
        }
      }
      if (signal.aborted) return;
      await checkpoint();
      if (layout === null) throw damagedInTransit(peer);
      this.deps.transfers.setState(transferId, 'importing', this.deps.clock());
    } finally {
      await (assembler as HistoryAssembler | null)?.close();
    }
  }

  private async importSnapshot(row: HistoryTransferRow): Promise<void> {
    if (row.manifest === null) throw new HistoryError('damaged', 'The history has no manifest.');
    const manifest = HistoryManifest.parse(JSON.parse(row.manifest));
    const id = row.transferId.toString('hex');
    const bytesTotal = row.header ? decodeHistoryHeader(row.header, row.transferId).plaintextBytes : 0;
    const report = (messagesDone: number, phase: HistoryPhase = 'import') =>
      this.progress(
        {
          transferId: id,
          phase,
          bytesDone: bytesTotal,
          bytesTotal,
          messagesDone,
          messagesTotal: manifest.messages,
        },
        phase !== 'import',
      );
    report(0);
    await importHistory({
      connection: this.deps.connection(),
      snapshotPath: this.dbPath(row.transferId),
      snapshotKey: Buffer.from(manifest.snapshotKey, 'base64'),
      sourcePeerId: manifest.sourcePeerId,
      ...(this.deps.importBatchRows ? { batchRows: this.deps.importBatchRows } : {}),
      onProgress: (done) => report(done),
    });
    this.deps.transfers.setState(row.transferId, 'done', this.deps.clock());
    report(manifest.messages, 'done');
    this.deps.onImported?.(row.transferId, manifest.sourcePeerId);
  }

  /** At most every 100 ms (§13.7), except phase changes and the end. */
  private progress(p: HistoryProgress, force = false): void {
    const now = Date.now();
    if (!force && p.phase === this.lastPhase && now - this.lastProgress < 100) return;
    this.lastProgress = now;
    this.lastPhase = p.phase;
    this.deps.onProgress?.(p);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
