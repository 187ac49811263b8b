import { MAX_CHUNKS_PER_REQUEST } from '../net/fileProtocol';
import { errorFields } from '../util/logger';
import { downloadFile, type DownloadDeps } from './fileDownload';

/** What one download needs (fileDownload.ts), with the chunk batch optional and a retry period. */
export interface FileDownloadsDeps extends Omit<DownloadDeps, 'batchChunks'> {
  /** Most chunks asked for in one request (default and at most 64 = 16 MiB; fewer on slow links). */
  batchChunks?: number;
  /** How often interrupted downloads are retried while their sources stay connected (default 15 s). */
  retryMs?: number;
}

/**
 * Which downloads run (docs/protocol.md §12, "Receiving, resuming,
 * checking"): at most one per file; interrupted ones resume at start, when a
 * source connects, and every `retryMs`; the user starts larger ones and
 * cancels any. One download's work is fileDownload.ts.
 */
export class FileDownloads {
  private readonly running = new Map<number, AbortController>();
  private readonly settling = new Set<Promise<void>>();
  private unsubscribePeer: (() => void) | null = null;
  private retryTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(private readonly deps: FileDownloadsDeps) {}

  /** Resumes interrupted downloads now and whenever a source connects. */
  start(): void {
    this.stopped = false;
    this.unsubscribePeer = this.deps.net.onPeer((e) => {
      if (e.connected) this.resume(e.peerId);
    });
    this.retryTimer = setInterval(() => this.resumeSafely(), this.deps.retryMs ?? 15_000);
    this.retryTimer.unref?.();
    this.resume();
  }

  /** Stops every download; each records how far it got before this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribePeer?.();
    this.unsubscribePeer = null;
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
    for (const c of this.running.values()) c.abort(new Error('stopping'));
    await Promise.allSettled([...this.settling]);
  }

  /** Starts fetching an attachment unless it is already being fetched. */
  begin(attachmentId: number): void {
    if (this.stopped || this.running.has(attachmentId)) return;
    const controller = new AbortController();
    this.running.set(attachmentId, controller);
    const deps: DownloadDeps = { ...this.deps, batchChunks: this.deps.batchChunks ?? MAX_CHUNKS_PER_REQUEST };
    const owns = (): boolean => this.running.get(attachmentId) === controller;
    const run = downloadFile(deps, attachmentId, controller.signal, owns)
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        this.deps.logger.log('warn', 'files.download_failed', errorFields(err));
      })
      .finally(() => {
        if (this.running.get(attachmentId) === controller) this.running.delete(attachmentId);
        this.settling.delete(run);
      });
    this.settling.add(run);
  }

  /** Stops fetching an attachment (the caller deals with its row and bytes). */
  cancel(attachmentId: number): void {
    this.running.get(attachmentId)?.abort(new Error('cancelled'));
    this.running.delete(attachmentId);
  }

  /** A timer's resume: a damaged or closed database is logged, never thrown out of the timer (issue #14 item 5). */
  private resumeSafely(): void {
    try {
      this.resume();
    } catch (err) {
      this.deps.logger.log('warn', 'files.resume_failed', errorFields(err));
    }
  }

  /** Starts fetching what is due: everything, or only what `peer` may have. */
  private resume(peer?: string): void {
    if (this.stopped) return;
    const { rows, settings } = this.deps;
    for (const row of rows.resumable(settings.get().autoDownloadMaxBytes)) {
      if (this.running.has(row.id)) continue;
      if (peer !== undefined && row.source_peer !== peer && !rows.isMemberDevice(peer, row.conversation_id))
        continue;
      this.begin(row.id);
    }
  }
}
