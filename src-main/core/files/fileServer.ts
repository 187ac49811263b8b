import { open as openFile } from 'node:fs/promises';
import type { FileOpen } from '../net/fileProtocol';
import { peerTag } from '../net/protocolService';
import type { AttachmentRepository } from '../store/repositories/attachmentRepository';
import type { Logger } from '../util/logger';
import { GCM_TAG_BYTES, plainChunkLength, sealedOffset } from './fileCrypto';
import type { FileEvents } from './fileEvents';
import type { SealedFiles } from './sealedFiles';

/**
 * Serving (/parley/file/1.0.0, docs/protocol.md §12): the node's FileSource.
 * Sealed chunks go only to devices of members of the file's conversation,
 * and only of a file this device has complete; what recipients fetched of an
 * outgoing file is its send progress.
 */
/**
 * Read buffers kept for reuse (each about READ_RUN_CHUNKS sealed chunks,
 * 1 MiB): the runs of one request (64 chunks) can come back at once when the
 * transport lets go of them late.
 */
const POOL_MAX = 16;
/**
 * How long the buffers outlive the last open file: a download's requests come
 * one after the other (pipelined two deep, fileDownload.ts), and between two
 * of them no file may be open for a moment; dropping the pool there made a
 * 100 MB transfer allocate 30 of its 100 runs afresh.
 */
const POOL_IDLE_MS = 5_000;

export class FileServer {
  /**
   * Disk read buffers the transport has handed back (fileProtocol's recycle):
   * a 100 MB file otherwise allocates 100 MB of fresh buffers, which cost
   * page faults and full garbage collections on the thread that also runs the
   * network (issue 16 item 8). Emptied once no file was open for serving for
   * POOL_IDLE_MS, so an idle app holds none.
   */
  private pool: ArrayBuffer[] = [];
  private open = 0;
  private drop: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deps: {
      rows: AttachmentRepository;
      files: SealedFiles;
      events: FileEvents;
      logger: Logger;
    },
  ) {}

  source = async (requester: string, fileId: Uint8Array): Promise<FileOpen> => {
    const { rows, files, events } = this.deps;
    const row = rows.byUid(Buffer.from(fileId).toString('hex'));
    if (!row) return { status: 'not-found' };
    if (!rows.isMemberDevice(requester, row.conversation_id)) {
      this.deps.logger.log('debug', 'files.denied', { peer: peerTag(requester) });
      return { status: 'denied' };
    }
    if (row.state === 'cancelled' && row.outgoing === 1) return { status: 'cancelled' };
    if (row.state !== 'complete' || row.path === null) return { status: 'not-found' };
    let handle: Awaited<ReturnType<typeof openFile>>;
    try {
      handle = await openFile(files.pathOf(row.path), 'r');
    } catch {
      return { status: 'not-found' };
    }
    this.open += 1;
    clearTimeout(this.drop);
    let closed = false;
    return {
      status: 'ok',
      chunkCount: row.chunk_count,
      // One read for the run: the sealed chunks lie one after the other on disk.
      read: async (first, count) => {
        const lengths = Array.from(
          { length: count },
          (_, i) => plainChunkLength(row.size, row.chunk_size, first + i) + GCM_TAG_BYTES,
        );
        const total = lengths.reduce((sum, n) => sum + n, 0);
        const buf = this.buffer(total);
        const start = sealedOffset(row.chunk_size, first);
        for (let got = 0; got < total;) {
          const { bytesRead } = await handle.read(buf, got, total - got, start + got);
          if (bytesRead === 0) throw new Error('stored file is short');
          got += bytesRead;
        }
        let at = 0;
        return lengths.map((n) => {
          at += n;
          return buf.subarray(at - n, at);
        });
      },
      close: async () => {
        if (!closed) {
          closed = true;
          this.open -= 1;
          if (this.open === 0) {
            clearTimeout(this.drop);
            this.drop = setTimeout(() => {
              if (this.open === 0) this.pool = [];
            }, POOL_IDLE_MS);
            this.drop.unref?.();
          }
        }
        await handle.close();
      },
      recycle: (run) => {
        const first = run[0];
        if (first === undefined || this.pool.length >= POOL_MAX) return;
        // The run's chunks are views of one buffer (read() above): its memory comes back whole.
        if (!this.pool.includes(first.buffer as ArrayBuffer)) this.pool.push(first.buffer as ArrayBuffer);
      },
      served: (index) => {
        if (row.outgoing === 1) events.served(row, Math.min(row.size, (index + 1) * row.chunk_size));
      },
    };
  };

  /** A buffer of `size` bytes: a handed-back one large enough, or a new one. */
  private buffer(size: number): Buffer {
    const at = this.pool.findIndex((b) => b.byteLength >= size);
    if (at >= 0) {
      const [reused] = this.pool.splice(at, 1);
      if (reused !== undefined) return Buffer.from(reused, 0, size);
    }
    // Not zero-filled: every byte is overwritten by the read or the run is refused.
    return Buffer.allocUnsafeSlow(size);
  }
}
