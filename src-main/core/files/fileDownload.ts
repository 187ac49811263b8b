import { createHash } from 'node:crypto';
import { closeSync, fdatasyncSync } from 'node:fs';
import type { FileProtocol } from '../net/fileProtocol';
import { isNetError } from '../net/netError';
import { peerTag } from '../net/protocolService';
import type { AttachmentRepository, AttachmentRow } from '../store/repositories/attachmentRepository';
import type { FileSettingsRepository } from '../store/repositories/fileSettingsRepository';
import type { Logger } from '../util/logger';
import { GCM_TAG_BYTES, openChunk, plainChunkLength, sealedOffset } from './fileCrypto';
import type { FileEvents } from './fileEvents';
import { attachmentOf } from './fileViews';
import { sealedFileName, writeAt, type SealedFiles } from './sealedFiles';

/**
 * One download (docs/protocol.md §12): chunks are pulled over
 * /parley/file/1.0.0 from the sender's device first, then any other
 * connected member device that has the file, each tag checked before it is
 * written, progress committed per batch so a download resumes at the last
 * good chunk after a disconnect or a restart, and the plaintext's SHA-256
 * checked at the end (a mismatch discards the bytes).
 */

/** What downloads need of the network (the ParleyNode satisfies it). */
export interface FileNet {
  files: Pick<FileProtocol, 'fetch'>;
  isConnected(peer: string): boolean;
  onPeer(listener: (e: { peerId: string; connected: boolean }) => void): () => void;
}

export interface DownloadDeps {
  rows: AttachmentRepository;
  settings: FileSettingsRepository;
  files: SealedFiles;
  events: FileEvents;
  net: FileNet;
  selfPeerId: string;
  logger: Logger;
  batchChunks: number;
}

/** A chunk whose tag does not verify: the source is faulty or hostile. */
class BadChunk extends Error {
  override name = 'BadChunk';
}

export async function downloadFile(
  deps: DownloadDeps,
  attachmentId: number,
  signal: AbortSignal,
): Promise<void> {
  const { rows, events } = deps;
  let row = attachmentOf(rows, attachmentId);
  if (row.outgoing === 1 || (row.state !== 'pending' && row.state !== 'transferring')) return;
  if (row.size > deps.settings.get().maxReceiveBytes) return;
  if (row.state === 'pending') {
    rows.setState(row.id, 'transferring', { error: null });
    row = attachmentOf(rows, attachmentId);
    events.changed(row.id);
  }
  const fileId = Buffer.from(row.uid, 'hex');
  const key = row.file_key;
  // Resume at the last chunk whose bytes and progress were both committed.
  let next = Math.min(row.chunk_count, Math.floor(row.transferred / row.chunk_size));
  const fd = deps.files.openForResume(row.uid, sealedOffset(row.chunk_size, next));
  const candidates = [
    ...(row.source_peer ? [row.source_peer] : []),
    ...rows.memberDevices(row.conversation_id, deps.selfPeerId),
  ].filter((p, i, all) => all.indexOf(p) === i && p !== deps.selfPeerId);
  const bad = new Set<string>();
  let withdrawn = false;
  try {
    for (const peer of candidates) {
      // Others than the sender only when connected: a dial to each would stall the download.
      if (peer !== row.source_peer && !deps.net.isConnected(peer)) continue;
      while (next < row.chunk_count && !signal.aborted) {
        const count = Math.min(deps.batchChunks, row.chunk_count - next);
        let status: Awaited<ReturnType<FileProtocol['fetch']>>;
        try {
          status = await deps.net.files.fetch(
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
              events.progress(row, Math.min(row.size, next * row.chunk_size), 'receive', false);
            },
            { signal },
          );
        } catch (err) {
          if (err instanceof BadChunk) {
            bad.add(peer);
            deps.logger.log('warn', 'files.bad_chunk', { peer: peerTag(peer) });
          } else if (!isNetError(err)) throw err;
          break;
        } finally {
          commitProgress(rows, row, fd, next);
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
    failDownload(deps, row, 'The sender withdrew this file.');
    return;
  }
  if (next < row.chunk_count) {
    if (bad.size > 0 && bad.size === candidates.length) {
      failDownload(deps, row, 'Parts of this file failed their integrity check; it was discarded.');
    }
    // Otherwise: interrupted. It resumes when a source connects.
    return;
  }
  finishDownload(deps, row);
}

/** All chunks are here: check the whole plaintext's SHA-256 against the message's. */
function finishDownload(deps: DownloadDeps, row: AttachmentRow): void {
  const fd = deps.files.openForRead(sealedFileName(row.uid));
  const hash = createHash('sha256');
  let ok = true;
  try {
    for (let index = 0; index < row.chunk_count; index++) hash.update(deps.files.readChunk(fd, row, index));
  } catch {
    ok = false;
  } finally {
    closeSync(fd);
  }
  if (!ok || !hash.digest().equals(row.sha256)) {
    failDownload(deps, row, 'This file did not match its checksum; it was discarded.');
    return;
  }
  deps.rows.setState(row.id, 'complete', {
    transferred: row.size,
    path: sealedFileName(row.uid),
    error: null,
  });
  deps.events.progress(row, row.size, 'receive', true);
  deps.events.changed(row.id);
  deps.logger.log('info', 'files.received', { conversation: row.conversation_id, bytes: row.size });
}

function failDownload(deps: DownloadDeps, row: AttachmentRow, error: string): void {
  deps.files.remove(row.uid);
  deps.rows.setState(row.id, 'failed', { transferred: 0, error, path: null });
  deps.events.changed(row.id);
}

/** Makes the chunks written so far durable, then records them, so a resume never trusts unwritten bytes. */
function commitProgress(rows: AttachmentRepository, row: AttachmentRow, fd: number, next: number): void {
  fdatasyncSync(fd);
  rows.setTransferred(row.id, Math.min(row.size, next * row.chunk_size));
}
