import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants as fsConstants,
  fdatasyncSync,
  ftruncateSync,
  openSync,
  linkSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { open as openFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { EventPayload } from '../../../src-preload/contract';
import {
  FILE_MAX_BYTES,
  FILE_THUMBNAIL_MAX_BYTES,
  type FileSettings,
  type FileView,
} from '../../../src-preload/contract/areas/files';
import { ParleyError } from '../errors';
import { CONTENT_VERSION, type FileContent } from '../messaging/content';
import type { FileOpen, FileProtocol } from '../net/fileProtocol';
import { isNetError } from '../net/netError';
import { peerTag } from '../net/protocolService';
import type { Db } from '../store/encryptedDatabase';
import type { Message } from '../store/repositories/types';
import type { Store } from '../store/store';
import { errorFields, type Logger } from '../util/logger';
import {
  ChunkSealer,
  chunkCountFor,
  DEFAULT_CHUNK_SIZE,
  FILE_ID_BYTES,
  FILE_KEY_BYTES,
  GCM_TAG_BYTES,
  isValidChunkSize,
  newFileKey,
  openChunk,
  plainChunkLength,
  sealedOffset,
} from './fileCrypto';
import {
  AttachmentRows,
  imageMime,
  readFileSettings,
  toFileView,
  writeFileSettings,
  type AttachmentRow,
} from './fileRows';
import { formatBytes } from '../../../src-preload/contract/format';

/**
 * Files end to end (issue #6 item 2; docs/protocol.md "Files").
 *
 * Sending: the bytes (from a path, or staged by the renderer in chunks) are
 * sealed chunk by chunk under a fresh per-file key straight into
 * `<uid>.pfe` in the attachments folder — nothing plaintext at rest — and a
 * `file` content message carrying name, size, type, SHA-256, key, chunking
 * and thumbnail goes through MLS like any message (so it waits in the outbox
 * for offline members). Files up to the inline limit carry their bytes in
 * that message, so mailboxes relay them while the sender is offline.
 *
 * Receiving: the message row and the attachment row are written in the
 * transaction that commits the MLS state. Larger claims than the receive
 * limit are refused there, before a byte is fetched. Files up to the
 * auto-download limit are then fetched at once, larger ones when the user
 * asks: chunks are pulled over /parley/file/1.0.0 from the sender's device
 * first, then any other member device that has the file, each tag checked
 * before it is written, progress committed per batch so a download resumes
 * at the last good chunk after a disconnect or a restart, and the plaintext's
 * SHA-256 checked at the end (a mismatch discards the bytes).
 *
 * Serving: chunks go only to devices of members of the file's conversation.
 */

export type FileEvent =
  | { event: 'files.progress'; payload: EventPayload<'files.progress'> }
  | { event: 'files.changed'; payload: EventPayload<'files.changed'> };

export interface FileNet {
  files: Pick<FileProtocol, 'fetch'>;
  isConnected(peer: string): boolean;
  onPeer(listener: (e: { peerId: string; connected: boolean }) => void): () => void;
}

export interface FileServiceDeps {
  db: Db;
  store: Store;
  /** This device's PeerId and its user's identity key. */
  self: { peerId: string; identityKey: Uint8Array };
  net: FileNet;
  /**
   * Sends content through MLS into a conversation; `row` writes the message
   * (and attachment) rows in the same transaction and returns the message id.
   */
  sendContent: (
    conversationId: number,
    content: FileContent,
    row: (recipients: number) => number,
  ) => Promise<number | null>;
  logger: Logger;
  now: () => number;
  /** Chunks asked for per request (default 32 = 8 MiB). */
  batchChunks?: number;
  /** How often interrupted downloads are retried while their sources stay connected (default 15 s). */
  retryMs?: number;
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

const STAGE_IDLE_MS = 15 * 60_000;
const PROGRESS_EVERY_MS = 100;

/** A chunk whose tag does not verify: the source is faulty or hostile. */
class BadChunk extends Error {
  override name = 'BadChunk';
}

const fileName = (uid: string): string => `${uid}.pfe`;

export class FileService {
  private readonly rows: AttachmentRows;
  private readonly stages = new Map<string, Stage>();
  private readonly downloads = new Map<number, AbortController>();
  private readonly running = new Set<Promise<void>>();
  private readonly sent = new Map<number, number>();
  private readonly lastProgress = new Map<number, number>();
  private readonly listeners = new Set<(e: FileEvent) => void>();
  private unsubscribePeer: (() => void) | null = null;
  private retryTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(private readonly deps: FileServiceDeps) {
    this.rows = new AttachmentRows(deps.db);
  }

  private get dir(): string {
    return this.deps.store.attachmentsDir;
  }

  /** Resumes interrupted downloads now and whenever a source connects. */
  start(): void {
    this.stopped = false;
    this.unsubscribePeer = this.deps.net.onPeer((e) => {
      if (e.connected) this.resume(e.peerId);
    });
    this.retryTimer = setInterval(() => this.resume(), this.deps.retryMs ?? 15_000);
    this.retryTimer.unref?.();
    this.resume();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribePeer?.();
    this.unsubscribePeer = null;
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
    for (const c of this.downloads.values()) c.abort(new Error('stopping'));
    await Promise.allSettled([...this.running]);
    for (const stage of this.stages.values()) this.dropStage(stage);
  }

  onEvent(listener: (e: FileEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  settings(): FileSettings {
    return readFileSettings(this.deps.db);
  }

  setSettings(patch: Partial<FileSettings>): FileSettings {
    return writeFileSettings(this.deps.db, patch);
  }

  // --- sending ---------------------------------------------------------------

  /** Starts staging a file of `size` bytes; its bytes follow in order with stageChunk. */
  stageBegin(name: string, size: number, mime: string): { stageId: string } {
    this.sweepStages();
    if (size > FILE_MAX_BYTES) throw new ParleyError('INVALID_PARAMS', 'That file is too large to send.');
    const uid = randomBytes(FILE_ID_BYTES).toString('hex');
    const key = newFileKey();
    const fd = this.openForWrite(uid);
    const sealer = new ChunkSealer(key, Buffer.from(uid, 'hex'), size, DEFAULT_CHUNK_SIZE, (sealed) => {
      writeAll(fd, sealed);
    });
    const inline = size <= this.settings().inlineMaxBytes ? [] : null;
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

  async stageCommit(
    stageId: string,
    conversationId: number,
    thumbnail?: { bytes: Uint8Array; width: number; height: number },
  ): Promise<Message> {
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
        const buf = Buffer.alloc(1024 * 1024);
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

  private async publish(
    conversationId: number,
    stage: Stage,
    sha: Buffer,
    inline: Buffer | null,
    thumbnail: { bytes: Uint8Array; width: number; height: number } | null,
  ): Promise<Message> {
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
        const { id } = this.deps.store.messages.insert({
          conversationId,
          uid: stage.uid,
          senderKey: Buffer.from(this.deps.self.identityKey),
          outgoing: true,
          kind: 'file',
          body: stage.name,
          replyToUid: null,
          sentAt,
          receivedAt: sentAt,
          state: recipients > 0 ? 'pending' : 'delivered',
          hasFile: true,
        });
        attachmentId = this.rows.insert({
          messageId: id,
          name: stage.name,
          mime: stage.mime,
          size: stage.size,
          sha256: sha,
          key: stage.key,
          path: fileName(stage.uid),
          state: 'complete',
          transferred: stage.size,
          thumbnail: thumb,
          chunkSize: DEFAULT_CHUNK_SIZE,
          chunkCount,
          sourcePeer: this.deps.self.peerId,
          error: null,
          createdAt: sentAt,
        });
        return id;
      });
    } catch (err) {
      this.removeBytes(stage.uid);
      throw err;
    }
    // Inline bytes travel with the message: as far as this side can tell, sent.
    if (inline) this.sent.set(attachmentId, stage.size);
    const message = messageId === null ? null : this.deps.store.messages.get(messageId);
    if (!message) throw new ParleyError('INTERNAL', 'The file message was not stored.');
    this.deps.logger.log('info', 'files.sent', {
      conversation: conversationId,
      bytes: stage.size,
      inline: inline !== null,
    });
    return message;
  }

  // --- receiving -------------------------------------------------------------

  /**
   * The effects of an incoming `file` message, inside the transaction that
   * commits its MLS state: the message and attachment rows (and, for inline
   * bytes, the sealed file). Returns what to do once that committed.
   */
  applyIncoming(
    conversationId: number,
    sender: { peerId: string; identityKey: Uint8Array },
    content: FileContent,
    now: number,
  ): (() => void) | null {
    const { id: messageId, inserted } = this.deps.store.messages.insert({
      conversationId,
      uid: content.uid,
      senderKey: Buffer.from(sender.identityKey),
      outgoing: false,
      kind: 'file',
      body: content.name,
      replyToUid: content.replyToUid ?? null,
      sentAt: content.sentAt,
      receivedAt: now,
      state: 'received',
      hasFile: true,
    });
    if (!inserted) return null;
    const settings = this.settings();
    const key = Buffer.from(content.key, 'base64url');
    let thumbnail: { bytes: Uint8Array; width: number; height: number } | null = null;
    if (content.thumbnail) {
      const bytes = Buffer.from(content.thumbnail.data, 'base64url');
      if (bytes.length <= FILE_THUMBNAIL_MAX_BYTES && imageMime(bytes))
        thumbnail = { bytes, width: content.thumbnail.width, height: content.thumbnail.height };
    }
    let state: AttachmentRow['state'] = 'pending';
    let error: string | null = null;
    let transferred = 0;
    let path: string | null = null;
    if (
      key.length !== FILE_KEY_BYTES ||
      !isValidChunkSize(content.chunkSize) ||
      content.chunkCount !== chunkCountFor(content.size, content.chunkSize) ||
      content.size > FILE_MAX_BYTES
    ) {
      state = 'failed';
      error = 'This file was described wrongly by the sender; it was not downloaded.';
    } else if (content.size > settings.maxReceiveBytes) {
      state = 'failed';
      error = `Not downloaded: larger than your limit of ${formatBytes(settings.maxReceiveBytes)}.`;
    } else if (content.data !== undefined) {
      const bytes = Buffer.from(content.data, 'base64url');
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (bytes.length !== content.size || sha !== content.sha256) {
        state = 'failed';
        error = 'This file did not match its checksum; it was discarded.';
      } else {
        this.writeSealed(content.uid, key, content.size, content.chunkSize, bytes);
        state = 'complete';
        transferred = content.size;
        path = fileName(content.uid);
      }
    }
    const attachmentId = this.rows.insert({
      messageId,
      name: content.name,
      mime: content.mime,
      size: content.size,
      sha256: Buffer.from(content.sha256, 'hex'),
      key: key.length === FILE_KEY_BYTES ? key : Buffer.alloc(FILE_KEY_BYTES),
      path,
      state,
      transferred,
      thumbnail,
      chunkSize: isValidChunkSize(content.chunkSize) ? content.chunkSize : DEFAULT_CHUNK_SIZE,
      chunkCount: Math.max(1, Math.min(content.chunkCount, 0x7fff_ffff)),
      sourcePeer: sender.peerId,
      error,
      createdAt: now,
    });
    if (state === 'failed') {
      this.deps.logger.log('warn', 'files.refused', {
        conversation: conversationId,
        peer: peerTag(sender.peerId),
      });
    }
    return () => {
      this.changed(attachmentId);
      if (state === 'pending' && content.size <= settings.autoDownloadMaxBytes)
        this.startDownload(attachmentId);
    };
  }

  /** Starts or resumes fetching an incoming file (the user asked). */
  download(attachmentId: number): FileView {
    const row = this.row(attachmentId);
    if (row.outgoing === 1) throw new ParleyError('INVALID_STATE', 'You sent this file; it is already here.');
    if (row.state === 'complete') return this.view(row);
    if (row.error?.startsWith('This file was described wrongly'))
      throw new ParleyError('INVALID_STATE', row.error);
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
    this.startDownload(row.id);
    return this.view(this.row(row.id));
  }

  /** Stops a download (drops its bytes) or withdraws an outgoing file (recipients can no longer fetch it). */
  cancel(attachmentId: number): FileView {
    const row = this.row(attachmentId);
    if (row.outgoing === 0 && row.state === 'complete')
      throw new ParleyError('INVALID_STATE', 'This file is already downloaded.');
    this.downloads.get(row.id)?.abort(new Error('cancelled'));
    this.downloads.delete(row.id);
    if (row.outgoing === 1) this.sent.delete(row.id);
    this.rows.setState(row.id, 'cancelled', {
      transferred: row.outgoing === 1 ? row.transferred : 0,
      path: null,
    });
    this.removeBytes(row.uid);
    this.changed(row.id);
    return this.view(this.row(row.id));
  }

  // --- reading ---------------------------------------------------------------

  forMessages(messageIds: readonly number[]): FileView[] {
    return this.rows.forMessages(messageIds).map((r) => this.view(r));
  }

  get(attachmentId: number): FileView {
    return this.view(this.row(attachmentId));
  }

  /** Plaintext bytes [offset, offset + length) of a complete file. */
  read(attachmentId: number, offset: number, length: number): { data: Buffer; eof: boolean } {
    const row = this.complete(attachmentId);
    if (offset > row.size) throw new ParleyError('INVALID_PARAMS', 'Offset past the end of the file.');
    const end = Math.min(row.size, offset + length);
    const parts: Buffer[] = [];
    const fd = this.openForRead(row);
    try {
      const first = Math.floor(offset / row.chunk_size);
      for (let index = first; index * row.chunk_size < end; index++) {
        const plain = this.readChunk(fd, row, index);
        const from = Math.max(0, offset - index * row.chunk_size);
        const to = Math.min(plain.length, end - index * row.chunk_size);
        parts.push(plain.subarray(from, to));
      }
    } finally {
      closeSync(fd);
    }
    return { data: Buffer.concat(parts), eof: end >= row.size };
  }

  /**
   * Writes the plaintext to `target` (through a temporary file, so a failed
   * save leaves nothing half-written); refuses to replace an existing file
   * unless `replace` (a save dialog already asked the user).
   */
  async saveTo(attachmentId: number, target: string, options: { replace?: boolean } = {}): Promise<string> {
    if (!isAbsolute(target)) throw new ParleyError('INVALID_PARAMS', 'Give the full path to save to.');
    const row = this.complete(attachmentId);
    const temp = `${target}.parley-${randomBytes(4).toString('hex')}.part`;
    const fd = this.openForRead(row);
    let out: number | null = null;
    try {
      out = openSync(temp, 'wx', 0o600);
      const hash = createHash('sha256');
      for (let index = 0; index < row.chunk_count; index++) {
        const plain = this.readChunk(fd, row, index);
        hash.update(plain);
        writeAll(out, plain);
        // Saving a large file must not starve the bridge and the network.
        if (index % 16 === 15) await new Promise((r) => setImmediate(r));
      }
      if (!hash.digest().equals(row.sha256))
        throw new ParleyError('INVALID_STATE', 'The stored file no longer matches its checksum.');
      fdatasyncSync(out);
      closeSync(out);
      out = null;
      if (options.replace) {
        // rename(2) replaces the target in one step: never half a file.
        renameSync(temp, target);
      } else {
        // link(2) fails when the target exists: a save never replaces a file.
        linkSync(temp, target);
        rmSync(temp, { force: true });
      }
    } catch (err) {
      if (out !== null) closeSync(out);
      rmSync(temp, { force: true });
      if (err instanceof ParleyError) throw err;
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new ParleyError(
          'INVALID_PARAMS',
          'A file with that name is already there; choose another name.',
        );
      throw new ParleyError('STORAGE_UNAVAILABLE', 'The file could not be saved there.', { cause: err });
    } finally {
      closeSync(fd);
    }
    return target;
  }

  // --- serving (/parley/file/1.0.0) -----------------------------------------

  /** The node's FileSource: chunks only for devices of members of the file's conversation. */
  source = async (requester: string, fileId: Uint8Array): Promise<FileOpen> => {
    const row = this.rows.byUid(Buffer.from(fileId).toString('hex'));
    if (!row) return { status: 'not-found' };
    if (!this.rows.isMemberDevice(requester, row.conversation_id)) {
      this.deps.logger.log('debug', 'files.denied', { peer: peerTag(requester) });
      return { status: 'denied' };
    }
    if (row.state === 'cancelled' && row.outgoing === 1) return { status: 'cancelled' };
    if (row.state !== 'complete' || row.path === null) return { status: 'not-found' };
    const path = join(this.dir, row.path);
    let handle: Awaited<ReturnType<typeof openFile>>;
    try {
      handle = await openFile(path, 'r');
    } catch {
      return { status: 'not-found' };
    }
    return {
      status: 'ok',
      chunkCount: row.chunk_count,
      read: async (index) => {
        const length = plainChunkLength(row.size, row.chunk_size, index) + GCM_TAG_BYTES;
        const buf = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buf, 0, length, sealedOffset(row.chunk_size, index));
        if (bytesRead !== length) throw new Error('stored file is short');
        return buf;
      },
      close: () => handle.close(),
      served: (index) => {
        if (row.outgoing !== 1) return;
        const done = Math.min(row.size, (index + 1) * row.chunk_size);
        if (done > (this.sent.get(row.id) ?? 0)) {
          this.sent.set(row.id, done);
          this.progress(row, done, 'send', done === row.size);
        }
      },
    };
  };

  // --- downloads -------------------------------------------------------------

  /** Starts fetching what is due: everything, or only what `peer` may have. */
  private resume(peer?: string): void {
    if (this.stopped) return;
    const auto = this.settings().autoDownloadMaxBytes;
    for (const row of this.rows.resumable(auto)) {
      if (this.downloads.has(row.id)) continue;
      if (
        peer !== undefined &&
        row.source_peer !== peer &&
        !this.rows.isMemberDevice(peer, row.conversation_id)
      )
        continue;
      this.startDownload(row.id);
    }
  }

  private startDownload(attachmentId: number): void {
    if (this.stopped || this.downloads.has(attachmentId)) return;
    const controller = new AbortController();
    this.downloads.set(attachmentId, controller);
    const run = this.runDownload(attachmentId, controller.signal)
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        this.deps.logger.log('warn', 'files.download_failed', errorFields(err));
      })
      .finally(() => {
        if (this.downloads.get(attachmentId) === controller) this.downloads.delete(attachmentId);
        this.running.delete(run);
      });
    this.running.add(run);
  }

  private async runDownload(attachmentId: number, signal: AbortSignal): Promise<void> {
    let row = this.row(attachmentId);
    if (row.outgoing === 1 || (row.state !== 'pending' && row.state !== 'transferring')) return;
    if (row.size > this.settings().maxReceiveBytes) return;
    if (row.state === 'pending') {
      this.rows.setState(row.id, 'transferring', { error: null });
      row = this.row(attachmentId);
      this.changed(row.id);
    }
    const fileId = Buffer.from(row.uid, 'hex');
    const key = row.file_key;
    // Resume at the last chunk whose bytes and progress were both committed.
    let next = Math.min(row.chunk_count, Math.floor(row.transferred / row.chunk_size));
    const fd = this.openForResume(row.uid, sealedOffset(row.chunk_size, next));
    const candidates = [
      ...(row.source_peer ? [row.source_peer] : []),
      ...this.rows.memberDevices(row.conversation_id, this.deps.self.peerId),
    ].filter((p, i, all) => all.indexOf(p) === i && p !== this.deps.self.peerId);
    const bad = new Set<string>();
    let withdrawn = false;
    try {
      for (const peer of candidates) {
        // Others than the sender only when connected: a dial to each would stall the download.
        if (peer !== row.source_peer && !this.deps.net.isConnected(peer)) continue;
        while (next < row.chunk_count && !signal.aborted) {
          const count = Math.min(this.deps.batchChunks ?? 32, row.chunk_count - next);
          let status: Awaited<ReturnType<FileProtocol['fetch']>>;
          try {
            status = await this.deps.net.files.fetch(
              peer,
              fileId,
              next,
              count,
              (index, sealed) => {
                const last = index === row.chunk_count - 1;
                const expected = plainChunkLength(row.size, row.chunk_size, index) + GCM_TAG_BYTES;
                if (sealed.length !== expected || openChunk(key, fileId, index, last, sealed) === null)
                  throw new BadChunk(`chunk ${index} failed its check`);
                writeAt(fd, sealed, sealedOffset(row.chunk_size, index));
                next = index + 1;
                this.progress(row, Math.min(row.size, next * row.chunk_size), 'receive', false);
              },
              { signal },
            );
          } catch (err) {
            if (err instanceof BadChunk) {
              bad.add(peer);
              this.deps.logger.log('warn', 'files.bad_chunk', { peer: peerTag(peer) });
            } else if (!isNetError(err)) throw err;
            break;
          } finally {
            this.commitProgress(row, fd, next);
          }
          if (status === 'cancelled') withdrawn = row.source_peer === peer;
          if (status !== 'ok') break;
        }
        if (next >= row.chunk_count || signal.aborted || withdrawn) break;
      }
    } finally {
      closeSync(fd);
    }
    if (signal.aborted) return;
    if (withdrawn) {
      this.fail(row, 'The sender withdrew this file.');
      return;
    }
    if (next < row.chunk_count) {
      if (bad.size > 0 && bad.size === candidates.length) {
        this.fail(row, 'Parts of this file failed their integrity check; it was discarded.');
      }
      // Otherwise: interrupted. It resumes when a source connects.
      return;
    }
    this.finishDownload(row);
  }

  /** All chunks are here: check the whole plaintext's SHA-256 against the message's. */
  private finishDownload(row: AttachmentRow): void {
    const fd = this.openForRead({ ...row, path: fileName(row.uid) });
    const hash = createHash('sha256');
    let ok = true;
    try {
      for (let index = 0; index < row.chunk_count; index++) hash.update(this.readChunk(fd, row, index));
    } catch {
      ok = false;
    } finally {
      closeSync(fd);
    }
    if (!ok || !hash.digest().equals(row.sha256)) {
      this.fail(row, 'This file did not match its checksum; it was discarded.');
      return;
    }
    this.rows.setState(row.id, 'complete', { transferred: row.size, path: fileName(row.uid), error: null });
    this.progress(row, row.size, 'receive', true);
    this.changed(row.id);
    this.deps.logger.log('info', 'files.received', { conversation: row.conversation_id, bytes: row.size });
  }

  private fail(row: AttachmentRow, error: string): void {
    this.removeBytes(row.uid);
    this.rows.setState(row.id, 'failed', { transferred: 0, error, path: null });
    this.changed(row.id);
  }

  /** Makes the chunks written so far durable, then records them, so a resume never trusts unwritten bytes. */
  private commitProgress(row: AttachmentRow, fd: number, next: number): void {
    fdatasyncSync(fd);
    this.rows.setTransferred(row.id, Math.min(row.size, next * row.chunk_size));
  }

  // --- helpers ---------------------------------------------------------------

  private row(attachmentId: number): AttachmentRow {
    const row = this.rows.get(attachmentId);
    if (!row) throw new ParleyError('INVALID_PARAMS', 'No such file.');
    return row;
  }

  private complete(attachmentId: number): AttachmentRow {
    const row = this.row(attachmentId);
    if (row.state !== 'complete' || row.path === null)
      throw new ParleyError('INVALID_STATE', 'This file is not here (yet). Download it first.');
    return row;
  }

  private view(row: AttachmentRow): FileView {
    return toFileView(row, this.sent.get(row.id) ?? 0);
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
    this.removeBytes(stage.uid);
  }

  private sweepStages(): void {
    const now = this.deps.now();
    for (const stage of [...this.stages.values()])
      if (now - stage.touchedAt > STAGE_IDLE_MS) this.dropStage(stage);
  }

  private openForWrite(uid: string): number {
    return openSync(join(this.dir, fileName(uid)), 'w', 0o600);
  }

  /** Opens (or creates) a download's file and cuts it back to `length` bytes: what was committed. */
  private openForResume(uid: string, length: number): number {
    const fd = openSync(join(this.dir, fileName(uid)), fsConstants.O_RDWR | fsConstants.O_CREAT, 0o600);
    ftruncateSync(fd, length);
    return fd;
  }

  private openForRead(row: Pick<AttachmentRow, 'path'>): number {
    if (row.path === null) throw new ParleyError('INVALID_STATE', 'This file is not here.');
    try {
      return openSync(join(this.dir, row.path), 'r');
    } catch (err) {
      throw new ParleyError('STORAGE_UNAVAILABLE', 'The stored file is missing.', { cause: err });
    }
  }

  private readChunk(fd: number, row: AttachmentRow, index: number): Buffer {
    const length = plainChunkLength(row.size, row.chunk_size, index) + GCM_TAG_BYTES;
    const sealed = Buffer.alloc(length);
    const n = readSync(fd, sealed, 0, length, sealedOffset(row.chunk_size, index));
    const plain =
      n === length
        ? openChunk(row.file_key, Buffer.from(row.uid, 'hex'), index, index === row.chunk_count - 1, sealed)
        : null;
    if (!plain) throw new ParleyError('STORAGE_UNAVAILABLE', 'The stored file is damaged.');
    return plain;
  }

  /** Seals a whole (small) plaintext into its file, synchronously (inline files, inside a transaction). */
  private writeSealed(uid: string, key: Uint8Array, size: number, chunkSize: number, plain: Buffer): void {
    const fd = this.openForWrite(uid);
    try {
      const sealer = new ChunkSealer(key, Buffer.from(uid, 'hex'), size, chunkSize, (sealed) =>
        writeAll(fd, sealed),
      );
      sealer.push(plain);
      sealer.finish();
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private removeBytes(uid: string): void {
    try {
      rmSync(join(this.dir, fileName(uid)), { force: true });
    } catch (err) {
      this.deps.logger.log('warn', 'files.delete_failed', errorFields(err));
    }
  }

  private changed(attachmentId: number): void {
    const row = this.rows.get(attachmentId);
    if (!row) return;
    this.emit({
      event: 'files.changed',
      payload: {
        attachmentId: row.id,
        messageId: row.message_id,
        conversationId: row.conversation_id,
        state: row.state,
      },
    });
  }

  private progress(
    row: AttachmentRow,
    bytesDone: number,
    direction: 'send' | 'receive',
    force: boolean,
  ): void {
    const now = Date.now();
    if (!force && now - (this.lastProgress.get(row.id) ?? 0) < PROGRESS_EVERY_MS) return;
    this.lastProgress.set(row.id, now);
    this.emit({
      event: 'files.progress',
      payload: {
        attachmentId: row.id,
        messageId: row.message_id,
        conversationId: row.conversation_id,
        bytesDone,
        bytesTotal: row.size,
        direction,
      },
    });
  }

  private emit(e: FileEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(e);
      } catch (err) {
        this.deps.logger.log('error', 'files.listener_failed', errorFields(err));
      }
    }
  }
}

/** Writes all of `bytes` at the descriptor's position. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Writes all of `bytes` at file position `position`. */
function writeAt(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  zip: 'application/zip',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
};

export function guessMime(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  return MIME_BY_EXT[ext] ?? 'application/octet-stream';
}
