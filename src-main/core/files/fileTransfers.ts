import { formatBytes } from '../../../src-shared/contract/format';
import { ParleyError } from '../errors';
import type { FileContent } from '../content/content';
import type { FileSource } from '../net/fileProtocol';
import type { Store } from '../store/store';
import type { FileLimits } from '../store/repositories/fileSettingsRepository';
import type { Logger } from '../util/logger';
import type { FileNet } from './fileDownload';
import { FileDownloads } from './fileDownloads';
import { FileEvents, type FileEvent } from './fileEvents';
import { DESCRIBED_WRONGLY, FileReceiver } from './fileReceiver';
import { FileServer } from './fileServer';
import { attachmentOf, type FileProgress } from './attachmentLookup';
import { PlainReader } from './plainReader';
import { SealedFiles } from './sealedFiles';

/**
 * Files below messaging (issue #6 item 2; docs/protocol.md §12): everything
 * but sending, so the messaging service, which hands an incoming `file`
 * message down here (applyIncoming), is built on top of it, and FileService
 * (sending) on top of both. One part per job:
 *
 * - receiving (fileReceiver.ts): the attachment row written with the message,
 *   the description and the receive limit checked first;
 * - downloading (fileDownloads.ts, fileDownload.ts): chunks pulled from
 *   member devices, every tag checked, resumable, the hash checked at the end;
 * - serving (fileServer.ts): chunks only to devices of the conversation's
 *   members (the file protocol's handler, `source`);
 * - reading (plainReader.ts), the sealed bytes on disk (sealedFiles.ts),
 *   events and progress (fileEvents.ts), views (fileViews.ts).
 *
 * SQL lives in store/repositories (attachments, file settings).
 */

export interface FileTransfersDeps {
  store: Store;
  /** This device's PeerId and its user's identity key. */
  self: { peerId: string; identityKey: Uint8Array };
  net: FileNet;
  logger: Logger;
  now: () => number;
  /** Most chunks asked for in one request (default and at most 64 = 16 MiB; fewer on slow links). */
  batchChunks?: number;
  /** How often interrupted downloads are retried while their sources stay connected (default 15 s). */
  retryMs?: number;
}

export class FileTransfers {
  /** Progress and change events, shared with sending. */
  readonly events: FileEvents;
  /** The sealed files on disk, shared with sending. */
  readonly files: SealedFiles;
  private readonly receiver: FileReceiver;
  private readonly downloads: FileDownloads;
  private readonly server: FileServer;
  private readonly reader: PlainReader;

  constructor(private readonly deps: FileTransfersDeps) {
    const { store, logger } = deps;
    const rows = store.attachments;
    this.events = new FileEvents(rows, logger);
    this.files = new SealedFiles(store.attachmentsDir, logger);
    const parts = { store, files: this.files, events: this.events, logger };
    this.downloads = new FileDownloads({
      rows,
      settings: store.fileSettings,
      files: this.files,
      events: this.events,
      net: deps.net,
      selfPeerId: deps.self.peerId,
      logger,
      ...(deps.batchChunks !== undefined ? { batchChunks: deps.batchChunks } : {}),
      ...(deps.retryMs !== undefined ? { retryMs: deps.retryMs } : {}),
    });
    this.receiver = new FileReceiver({ ...parts, startDownload: (id) => this.downloads.begin(id) });
    this.server = new FileServer({ rows, files: this.files, events: this.events, logger });
    this.reader = new PlainReader(rows, this.files);
  }

  private get rows() {
    return this.deps.store.attachments;
  }

  /** Resumes interrupted downloads now and whenever a source connects. */
  start(): void {
    this.downloads.start();
  }

  async stop(): Promise<void> {
    await this.downloads.stop();
  }

  onEvent(listener: (e: FileEvent) => void): () => void {
    return this.events.onEvent(listener);
  }

  settings(): FileLimits {
    return this.deps.store.fileSettings.get();
  }

  setSettings(patch: Partial<FileLimits>): FileLimits {
    return this.deps.store.fileSettings.set(patch);
  }

  // --- receiving (fileReceiver.ts, fileDownloads.ts) ---------------------------

  applyIncoming(
    conversationId: number,
    sender: { peerId: string; identityKey: Uint8Array },
    content: FileContent,
    now: number,
  ): (() => void) | null {
    return this.receiver.applyIncoming(conversationId, sender, content, now);
  }

  /** Starts or resumes fetching an incoming file (the user asked). */
  download(attachmentId: number): FileProgress {
    const row = attachmentOf(this.rows, attachmentId);
    // A file sent from this device is here (or withdrawn); one sent from another of this person's
    // devices arrives with the history, not here yet, and is fetched like an incoming one (§13.7).
    if (row.outgoing === 1 && row.state !== 'pending' && row.state !== 'transferring')
      throw new ParleyError('INVALID_STATE', 'You sent this file; it is already here.');
    if (row.state === 'complete') return this.view(attachmentId);
    if (row.error === DESCRIBED_WRONGLY) throw new ParleyError('INVALID_STATE', row.error);
    const limit = this.settings().maxReceiveBytes;
    if (row.size > limit) {
      throw new ParleyError(
        'INVALID_STATE',
        `This file is larger than your limit of ${formatBytes(limit)}. Raise the limit in the settings to download it.`,
      );
    }
    if (row.state !== 'transferring') {
      this.rows.setState(row.id, 'pending', {
        error: null,
        ...(row.state === 'cancelled' ? { transferred: 0 } : {}),
      });
    }
    this.downloads.begin(row.id);
    return this.view(row.id);
  }

  /** Stops a download (drops its bytes) or withdraws an outgoing file (recipients can no longer fetch it). */
  cancel(attachmentId: number): FileProgress {
    const row = attachmentOf(this.rows, attachmentId);
    if (row.outgoing === 0 && row.state === 'complete')
      throw new ParleyError('INVALID_STATE', 'This file is already downloaded.');
    this.downloads.cancel(row.id);
    if (row.outgoing === 1) this.events.forgetSent(row.id);
    this.rows.setState(row.id, 'cancelled', {
      transferred: row.outgoing === 1 ? row.transferred : 0,
      path: null,
    });
    this.files.remove(row.uid);
    this.events.changed(row.id);
    return this.view(row.id);
  }

  // --- reading (plainReader.ts, attachmentLookup.ts) ----------------------------------

  forMessages(messageIds: readonly number[]): FileProgress[] {
    return this.rows
      .forMessages(messageIds)
      .map((r) => ({ attachment: r, sentBytes: this.events.sentBytes(r.id) }));
  }

  get(attachmentId: number): FileProgress {
    return this.view(attachmentId);
  }

  /** Plaintext bytes [offset, offset + length) of a complete file. */
  read(attachmentId: number, offset: number, length: number): { data: Buffer; eof: boolean } {
    return this.reader.read(attachmentId, offset, length);
  }

  /** Writes the plaintext to `target`; refuses to replace an existing file unless `replace`. */
  saveTo(attachmentId: number, target: string, options: { replace?: boolean } = {}): Promise<string> {
    return this.reader.saveTo(attachmentId, target, options);
  }

  // --- serving (fileServer.ts) -------------------------------------------------

  /** The node's FileSource: chunks only for devices of members of the file's conversation. */
  get source(): FileSource {
    return this.server.source;
  }

  private view(attachmentId: number): FileProgress {
    const row = attachmentOf(this.rows, attachmentId);
    return { attachment: row, sentBytes: this.events.sentBytes(row.id) };
  }
}
