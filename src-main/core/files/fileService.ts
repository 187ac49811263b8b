import type { FileSource } from '../net/fileProtocol';
import type { Message } from '../store/repositories/types';
import type { Store } from '../store/store';
import type { Logger } from '../util/logger';
import type { FileEvent } from './fileEvents';
import type { FileLimits } from '../store/repositories/fileSettingsRepository';
import type { FileProgress } from './attachmentLookup';
import { FileSender, type SendFileContent, type Thumbnail } from './fileSender';
import type { FileTransfers } from './fileTransfers';

export type { FileEvent } from './fileEvents';
export type { FileNet } from './fileDownload';

/**
 * Files end to end (issue #6 item 2; docs/protocol.md §12), as the API and
 * the CLI use them: sending (fileSender.ts: bytes sealed chunk by chunk under
 * a per-file key into the attachments folder, then a `file` message through
 * MLS) on top of FileTransfers (receiving, downloading, serving, reading).
 *
 * Built in dependency order by the composition root: FileTransfers, then the
 * messaging service that hands incoming file messages down to it, then this
 * with the messaging service's send path.
 */
export interface FileServiceDeps {
  store: Store;
  transfers: FileTransfers;
  /** This device's PeerId and its user's identity key. */
  self: { peerId: string; identityKey: Uint8Array };
  /**
   * Sends content through MLS into a conversation; `row` writes the message
   * (and attachment) rows in the same transaction and returns the message id.
   */
  sendContent: SendFileContent;
  logger: Logger;
  now: () => number;
}

export class FileService {
  private readonly transfers: FileTransfers;
  private readonly sender: FileSender;

  constructor(deps: FileServiceDeps) {
    const { transfers } = deps;
    this.transfers = transfers;
    this.sender = new FileSender({
      store: deps.store,
      files: transfers.files,
      events: transfers.events,
      self: deps.self,
      sendContent: deps.sendContent,
      logger: deps.logger,
      now: deps.now,
    });
  }

  /** Resumes interrupted downloads now and whenever a source connects. */
  start(): void {
    this.transfers.start();
  }

  async stop(): Promise<void> {
    await this.transfers.stop();
    this.sender.stop();
  }

  onEvent(listener: (e: FileEvent) => void): () => void {
    return this.transfers.onEvent(listener);
  }

  settings(): FileLimits {
    return this.transfers.settings();
  }

  setSettings(patch: Partial<FileLimits>): FileLimits {
    return this.transfers.setSettings(patch);
  }

  // --- sending (fileSender.ts) -------------------------------------------------

  stageBegin(name: string, size: number, mime: string): { stageId: string } {
    return this.sender.stageBegin(name, size, mime);
  }

  stageChunk(stageId: string, offset: number, bytes: Uint8Array): number {
    return this.sender.stageChunk(stageId, offset, bytes);
  }

  stageCancel(stageId: string): void {
    this.sender.stageCancel(stageId);
  }

  stageCommit(stageId: string, conversationId: number, thumbnail?: Thumbnail): Promise<Message> {
    return this.sender.stageCommit(stageId, conversationId, thumbnail);
  }

  sendPath(
    conversationId: number,
    path: string,
    options: { name?: string; mime?: string } = {},
  ): Promise<Message> {
    return this.sender.sendPath(conversationId, path, options);
  }

  // --- receiving, reading, serving (fileTransfers.ts) --------------------------

  /** Starts or resumes fetching an incoming file (the user asked). */
  download(attachmentId: number): FileProgress {
    return this.transfers.download(attachmentId);
  }

  /** Stops a download (drops its bytes) or withdraws an outgoing file (recipients can no longer fetch it). */
  cancel(attachmentId: number): FileProgress {
    return this.transfers.cancel(attachmentId);
  }

  forMessages(messageIds: readonly number[]): FileProgress[] {
    return this.transfers.forMessages(messageIds);
  }

  get(attachmentId: number): FileProgress {
    return this.transfers.get(attachmentId);
  }

  /** Plaintext bytes [offset, offset + length) of a complete file. */
  read(attachmentId: number, offset: number, length: number): { data: Buffer; eof: boolean } {
    return this.transfers.read(attachmentId, offset, length);
  }

  /** Writes the plaintext to `target`; refuses to replace an existing file unless `replace`. */
  saveTo(attachmentId: number, target: string, options: { replace?: boolean } = {}): Promise<string> {
    return this.transfers.saveTo(attachmentId, target, options);
  }

  /** The file protocol's handler: chunks only for devices of members of the file's conversation. */
  get source(): FileSource {
    return this.transfers.source;
  }
}
