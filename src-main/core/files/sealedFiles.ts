import {
  closeSync,
  constants as fsConstants,
  fdatasyncSync,
  ftruncateSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ParleyError } from '../errors';
import type { AttachmentRow } from '../store/repositories/attachmentRepository';
import { errorFields, type Logger } from '../util/logger';
import { ChunkSealer, GCM_TAG_BYTES, openChunk, plainChunkLength, sealedOffset } from './fileCrypto';

/** The name of a file's sealed bytes in the attachments folder. */
export const sealedFileName = (uid: string): string => `${uid}.pfe`;

/** What reading one sealed chunk of a stored file needs to know. */
export type SealedLayout = Pick<AttachmentRow, 'uid' | 'size' | 'chunk_size' | 'chunk_count' | 'file_key'>;

/**
 * The attachments folder: every file's bytes as `<uid>.pfe`, the sealed
 * chunks one after the other (fileCrypto.ts), never plaintext. Descriptors
 * are plain numbers; whoever opens one closes it.
 */
export class SealedFiles {
  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  openForWrite(uid: string): number {
    return openSync(join(this.dir, sealedFileName(uid)), 'w', 0o600);
  }

  /** Opens (or creates) a download's file and cuts it back to `length` bytes: what was committed. */
  openForResume(uid: string, length: number): number {
    const fd = openSync(join(this.dir, sealedFileName(uid)), fsConstants.O_RDWR | fsConstants.O_CREAT, 0o600);
    ftruncateSync(fd, length);
    return fd;
  }

  openForRead(path: string | null): number {
    if (path === null) throw new ParleyError('INVALID_STATE', 'This file is not here.');
    try {
      return openSync(join(this.dir, path), 'r');
    } catch (err) {
      throw new ParleyError('STORAGE_UNAVAILABLE', 'The stored file is missing.', { cause: err });
    }
  }

  /** Full path of a stored file (for async opens). */
  pathOf(path: string): string {
    return join(this.dir, path);
  }

  /** The plaintext of chunk `index`, its tag checked; a damaged chunk is a STORAGE_UNAVAILABLE error. */
  readChunk(fd: number, file: SealedLayout, index: number): Buffer {
    const length = plainChunkLength(file.size, file.chunk_size, index) + GCM_TAG_BYTES;
    const sealed = Buffer.alloc(length);
    const n = readSync(fd, sealed, 0, length, sealedOffset(file.chunk_size, index));
    const plain =
      n === length
        ? openChunk(
            file.file_key,
            Buffer.from(file.uid, 'hex'),
            index,
            index === file.chunk_count - 1,
            sealed,
          )
        : null;
    if (!plain) throw new ParleyError('STORAGE_UNAVAILABLE', 'The stored file is damaged.');
    return plain;
  }

  /** Seals a whole (small) plaintext into its file, synchronously (inline files, inside a transaction). */
  writeSealed(uid: string, key: Uint8Array, size: number, chunkSize: number, plain: Buffer): void {
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

  remove(uid: string): void {
    try {
      rmSync(join(this.dir, sealedFileName(uid)), { force: true });
    } catch (err) {
      this.logger.log('warn', 'files.delete_failed', errorFields(err));
    }
  }
}

/** Writes all of `bytes` at the descriptor's position. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Writes all of `bytes` at file position `position`. */
export function writeAt(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}
