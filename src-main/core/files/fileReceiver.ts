import { createHash } from 'node:crypto';
import { FILE_MAX_BYTES, FILE_THUMBNAIL_MAX_BYTES } from '../../../src-shared/contract/areas/files';
import { formatBytes } from '../../../src-shared/contract/format';
import type { FileContent } from '../content/content';
import { peerTag } from '../net/protocolService';
import type { AttachmentState } from '../store/repositories/attachmentRepository';
import type { Store } from '../store/store';
import { imageMime } from '../util/imageType';
import type { Logger } from '../util/logger';
import { chunkCountFor, DEFAULT_CHUNK_SIZE, FILE_KEY_BYTES, isValidChunkSize } from './fileCrypto';
import type { FileEvents } from './fileEvents';
import type { Thumbnail } from './fileSender';
import { sealedFileName, type SealedFiles } from './sealedFiles';

/**
 * Receiving a `file` message (docs/protocol.md §12): the message row and the
 * attachment row are written in the transaction that commits the MLS state.
 * The description is checked before anything acts on it; a claim larger than
 * the receive limit is refused there, before a byte is fetched; inline bytes
 * are checked against size and hash and sealed at once. What is left to
 * fetch is handed to the downloads once the transaction committed.
 */

export interface FileReceiverDeps {
  store: Store;
  files: SealedFiles;
  events: FileEvents;
  /** Starts fetching an attachment (after the commit). */
  startDownload: (attachmentId: number) => void;
  logger: Logger;
}

export const DESCRIBED_WRONGLY = 'This file was described wrongly by the sender; it was not downloaded.';

export class FileReceiver {
  constructor(private readonly deps: FileReceiverDeps) {}

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
    const { store } = this.deps;
    // Sent by another device of this person (docs/protocol.md §13.6): ours, as its text messages
    // are (content/inboundContent.ts); its bytes are still fetched, since this device has none.
    const self = store.identity.get()?.publicKey;
    const own = self !== undefined && self.equals(Buffer.from(sender.identityKey));
    const { id: messageId, inserted } = store.messages.insert({
      conversationId,
      uid: content.uid,
      senderKey: Buffer.from(sender.identityKey),
      outgoing: own,
      kind: 'file',
      body: content.name,
      replyToUid: content.replyToUid ?? null,
      sentAt: content.sentAt,
      receivedAt: now,
      state: own ? 'sent' : 'received',
      hasFile: true,
    });
    if (!inserted) return null;
    const settings = store.fileSettings.get();
    const key = Buffer.from(content.key, 'base64url');
    let thumbnail: Thumbnail | null = null;
    if (content.thumbnail) {
      const bytes = Buffer.from(content.thumbnail.data, 'base64url');
      if (bytes.length <= FILE_THUMBNAIL_MAX_BYTES && imageMime(bytes))
        thumbnail = { bytes, width: content.thumbnail.width, height: content.thumbnail.height };
    }
    let state: AttachmentState = 'pending';
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
      error = DESCRIBED_WRONGLY;
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
        this.deps.files.writeSealed(content.uid, key, content.size, content.chunkSize, bytes);
        state = 'complete';
        transferred = content.size;
        path = sealedFileName(content.uid);
      }
    }
    const attachmentId = store.attachments.insert({
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
      this.deps.events.changed(attachmentId);
      if (state === 'pending' && content.size <= settings.autoDownloadMaxBytes)
        this.deps.startDownload(attachmentId);
    };
  }
}
