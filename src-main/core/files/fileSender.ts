import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync } from 'node:fs';
import { open as openFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { FILE_MAX_BYTES, FILE_THUMBNAIL_MAX_BYTES } from '../../../src-shared/contract/areas/files';
import { ParleyError } from '../errors';
import { CONTENT_VERSION, type FileContent } from '../content/content';
import type { Message } from '../store/repositories/types';
import type { Store } from '../store/store';
import { imageMime } from '../util/imageType';
import type { Logger } from '../util/logger';
import { ChunkSealer, chunkCountFor, DEFAULT_CHUNK_SIZE, FILE_ID_BYTES, newFileKey } from './fileCrypto';
import type { FileEvents } from './fileEvents';
import { guessMime } from './mime';
import { sealedFileName, writeAll, type SealedFiles } from './sealedFiles';

/**
 * Sending (docs/protocol.md §12): the bytes, from a path or staged by the
 * renderer in order, are sealed chunk by chunk under a fresh per-file key
 * straight into `<uid>.pfe` — nothing plaintext at rest, even while staging
 * — and then a `file` content message carrying name, size, type, SHA-256,
 * key, chunking and thumbnail goes through MLS like any message (so it waits
 * in the outbox for offline members). Files up to the inline limit carry
 * their bytes in that message, so mailboxes relay them while the sender is
 * offline.
 */

export type Thumbnail = { bytes: Uint8Array; width: number; height: number };

/**
 * Sends content through MLS into a conversation; `row` writes the message
 * (and attachment) rows in the same transaction and returns the message id.
 */
export type SendFileContent = (
  conversationId: number,
  content: FileContent,
  row: (recipients: number) => number,
) => Promise<number | null>;

export interface FileSenderDeps {
  store: Store;
  files: SealedFiles;
  events: FileEvents;
  /** This device's PeerId and its user's identity key. */
  self: { peerId: string; identityKey: Uint8Array };
  sendContent: SendFileContent;
  logger: Logger;
  now: () => number;
}

interface Stage {
  uid: string;
  name: string;
  mime: string;
  size: number;
  key: Uint8Array;
  fd: number;
  sealer: ChunkSealer;
  /** The plaintext kept in memory only while it may still go inline. */
  inline: Buffer[] | null;
  /** Chunks that arrived ahead of their turn, by offset (see stageChunk). */
  early: Map<number, Buffer>;
  touchedAt: number;
}

/**
 * Chunks a stage holds ahead of their turn. A renderer keeps a few chunk
 * requests in flight so the page's reading and the core's sealing overlap;
 * a transport may hand them over slightly out of order, so a few are parked
 * until the gap before them is filled (≤ 8 × 512 KiB of memory per stage).
 */
const MAX_EARLY_CHUNKS = 8;

/** A stage nobody added to for this long is dropped with its bytes. */
const STAGE_IDLE_MS = 15 * 60_000;
/** Reads of a file sent by path. */
const READ_BYTES = 1024 * 1024;

export class FileSender {
  private readonly stages = new Map<string, Stage>();

  constructor(private readonly deps: FileSenderDeps) {}

  /** Starts staging a file of `size` bytes; its bytes follow in order with stageChunk. */
  stageBegin(name: string, size: number, mime: string): { stageId: string } {
    this.sweepStages();
    if (size > FILE_MAX_BYTES) throw new ParleyError('INVALID_PARAMS', 'That file is too large to send.');
    const uid = randomBytes(FILE_ID_BYTES).toString('hex');
    const key = newFileKey();
    const fd = this.deps.files.openForWrite(uid);
    const sealer = new ChunkSealer(key, Buffer.from(uid, 'hex'), size, DEFAULT_CHUNK_SIZE, (sealed) => {
      writeAll(fd, sealed);
    });
    const inline = size <= this.deps.store.fileSettings.get().inlineMaxBytes ? [] : null;
    this.stages.set(uid, {
      uid,
      name,
      mime,
      size,
      key,
      fd,
      sealer,
      inline,
      early: new Map(),
      touchedAt: this.deps.now(),
    });
    return { stageId: uid };
  }

  /**
   * Takes the bytes at `offset`; returns how many bytes are staged in order
   * so far. A chunk ahead of that point is parked until the chunks before it
   * arrive (MAX_EARLY_CHUNKS).
   */
  stageChunk(stageId: string, offset: number, bytes: Uint8Array): number {
    const stage = this.stage(stageId);
    if (offset + bytes.length > stage.size) {
      this.dropStage(stage);
      throw new ParleyError(
        'INVALID_PARAMS',
        'More bytes than the file size announced; the file was dropped.',
      );
    }
    stage.touchedAt = this.deps.now();
    if (offset > stage.sealer.bytesIn) {
      if (stage.early.size >= MAX_EARLY_CHUNKS || stage.early.has(offset)) {
        throw new ParleyError(
          'INVALID_PARAMS',
          `Chunks must come in order: expected offset ${stage.sealer.bytesIn}, got ${offset}.`,
        );
      }
      stage.early.set(offset, Buffer.from(bytes));
      return stage.sealer.bytesIn;
    }
    if (offset !== stage.sealer.bytesIn) {
      throw new ParleyError(
        'INVALID_PARAMS',
        `Chunks must come in order: expected offset ${stage.sealer.bytesIn}, got ${offset}.`,
      );
    }
    this.pushStaged(stage, bytes);
    for (
      let next = stage.early.get(stage.sealer.bytesIn);
      next;
      next = stage.early.get(stage.sealer.bytesIn)
    ) {
      stage.early.delete(stage.sealer.bytesIn);
      this.pushStaged(stage, next);
    }
    return stage.sealer.bytesIn;
  }

  private pushStaged(stage: Stage, bytes: Uint8Array): void {
    stage.sealer.push(bytes);
    stage.inline?.push(Buffer.from(bytes));
  }

  stageCancel(stageId: string): void {
    const stage = this.stages.get(stageId);
    if (stage) this.dropStage(stage);
  }

  async stageCommit(stageId: string, conversationId: number, thumbnail?: Thumbnail): Promise<Message> {
    const stage = this.stage(stageId);
    if (stage.sealer.bytesIn !== stage.size) {
      throw new ParleyError(
        'INVALID_PARAMS',
        `Only ${stage.sealer.bytesIn} of ${stage.size} bytes were staged.`,
      );
    }
    this.stages.delete(stageId);
    let sha: Buffer;
    try {
      sha = stage.sealer.finish();
      fdatasyncSync(stage.fd);
    } finally {
      closeSync(stage.fd);
    }
    const inline = stage.inline ? Buffer.concat(stage.inline) : null;
    return this.publish(conversationId, stage, sha, inline, thumbnail ?? null);
  }

  /** Sends the file at `path` (the CLI; handlers/files.ts refuses paths from a renderer). */
  async sendPath(
    conversationId: number,
    path: string,
    options: { name?: string; mime?: string } = {},
  ): Promise<Message> {
    if (!isAbsolute(path)) throw new ParleyError('INVALID_PARAMS', 'Give the full path of the file.');
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new ParleyError('INVALID_PARAMS', 'That is not a file.');
      size = info.size;
    } catch (err) {
      if (err instanceof ParleyError) throw err;
      throw new ParleyError('INVALID_PARAMS', 'That file cannot be read.', { cause: err });
    }
    const name = options.name ?? path.split(/[\\/]/).pop() ?? 'file';
    const { stageId } = this.stageBegin(name.slice(0, 255) || 'file', size, options.mime ?? guessMime(name));
    try {
      const handle = await openFile(path, 'r');
      try {
        const buf = Buffer.alloc(READ_BYTES);
        let offset = 0;
        while (offset < size) {
          const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - offset), offset);
          if (bytesRead === 0)
            throw new ParleyError('INVALID_STATE', 'The file got shorter while it was read.');
          this.stageChunk(stageId, offset, buf.subarray(0, bytesRead));
          offset += bytesRead;
        }
      } finally {
        await handle.close();
      }
    } catch (err) {
      this.stageCancel(stageId);
      throw err;
    }
    return this.stageCommit(stageId, conversationId);
  }

  /** Drops every stage and its bytes (the service stops). */
  stop(): void {
    for (const stage of [...this.stages.values()]) this.dropStage(stage);
  }

  private async publish(
    conversationId: number,
    stage: Stage,
    sha: Buffer,
    inline: Buffer | null,
    thumbnail: Thumbnail | null,
  ): Promise<Message> {
    const { store, self } = this.deps;
    const thumb =
      thumbnail && thumbnail.bytes.length <= FILE_THUMBNAIL_MAX_BYTES && imageMime(thumbnail.bytes)
        ? thumbnail
        : null;
    const chunkCount = chunkCountFor(stage.size, DEFAULT_CHUNK_SIZE);
    const sentAt = this.deps.now();
    const content: FileContent = {
      v: CONTENT_VERSION,
      type: 'file',
      uid: stage.uid,
      sentAt,
      name: stage.name,
      mime: stage.mime,
      size: stage.size,
      sha256: sha.toString('hex'),
      key: Buffer.from(stage.key).toString('base64url'),
      chunkSize: DEFAULT_CHUNK_SIZE,
      chunkCount,
      ...(thumb
        ? {
            thumbnail: {
              data: Buffer.from(thumb.bytes).toString('base64url'),
              width: thumb.width,
              height: thumb.height,
            },
          }
        : {}),
      ...(inline ? { data: inline.toString('base64url') } : {}),
    };
    let attachmentId = 0;
    let messageId: number | null;
    try {
      messageId = await this.deps.sendContent(conversationId, content, (recipients) => {
        const { id } = store.messages.insert({
          conversationId,
          uid: stage.uid,
          senderKey: Buffer.from(self.identityKey),
          outgoing: true,
          kind: 'file',
          body: stage.name,
          replyToUid: null,
          sentAt,
          receivedAt: sentAt,
          state: recipients > 0 ? 'pending' : 'delivered',
          hasFile: true,
        });
        attachmentId = store.attachments.insert({
          messageId: id,
          name: stage.name,
          mime: stage.mime,
          size: stage.size,
          sha256: sha,
          key: stage.key,
          path: sealedFileName(stage.uid),
          state: 'complete',
          transferred: stage.size,
          thumbnail: thumb,
          chunkSize: DEFAULT_CHUNK_SIZE,
          chunkCount,
          sourcePeer: self.peerId,
          error: null,
          createdAt: sentAt,
        });
        return id;
      });
    } catch (err) {
      this.deps.files.remove(stage.uid);
      throw err;
    }
    // Inline bytes travel with the message: as far as this side can tell, sent.
    if (inline) this.deps.events.markSent(attachmentId, stage.size);
    const message = messageId === null ? null : store.messages.get(messageId);
    if (!message) throw new ParleyError('INTERNAL', 'The file message was not stored.');
    this.deps.logger.log('info', 'files.sent', {
      conversation: conversationId,
      bytes: stage.size,
      inline: inline !== null,
    });
    return message;
  }

  private stage(stageId: string): Stage {
    const stage = this.stages.get(stageId);
    if (!stage) throw new ParleyError('INVALID_PARAMS', 'No such staged file (it may have expired).');
    return stage;
  }

  private dropStage(stage: Stage): void {
    this.stages.delete(stage.uid);
    try {
      closeSync(stage.fd);
    } catch {
      // already closed
    }
    this.deps.files.remove(stage.uid);
  }

  private sweepStages(): void {
    const now = this.deps.now();
    for (const stage of [...this.stages.values()])
      if (now - stage.touchedAt > STAGE_IDLE_MS) this.dropStage(stage);
  }
}
