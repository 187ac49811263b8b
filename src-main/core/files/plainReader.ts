import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, linkSync, openSync, renameSync, rmSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ParleyError } from '../errors';
import type { AttachmentRepository } from '../store/repositories/attachmentRepository';
import { completeAttachmentOf } from './attachmentLookup';
import { writeAll, type SealedFiles } from './sealedFiles';

/**
 * The plaintext of complete files, for the viewer and for saving: decrypted
 * and checked chunk by chunk (a damaged chunk is an error, never bytes).
 */
export class PlainReader {
  constructor(
    private readonly rows: AttachmentRepository,
    private readonly files: SealedFiles,
  ) {}

  /** Plaintext bytes [offset, offset + length) of a complete file. */
  read(attachmentId: number, offset: number, length: number): { data: Buffer; eof: boolean } {
    const row = completeAttachmentOf(this.rows, attachmentId);
    if (offset > row.size) throw new ParleyError('INVALID_PARAMS', 'Offset past the end of the file.');
    const end = Math.min(row.size, offset + length);
    const parts: Buffer[] = [];
    const fd = this.files.openForRead(row.path);
    try {
      const first = Math.floor(offset / row.chunk_size);
      for (let index = first; index * row.chunk_size < end; index++) {
        const plain = this.files.readChunk(fd, row, index);
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
    const row = completeAttachmentOf(this.rows, attachmentId);
    const temp = `${target}.parley-${randomBytes(4).toString('hex')}.part`;
    const fd = this.files.openForRead(row.path);
    let out: number | null = null;
    try {
      out = openSync(temp, 'wx', 0o600);
      const hash = createHash('sha256');
      for (let index = 0; index < row.chunk_count; index++) {
        const plain = this.files.readChunk(fd, row, index);
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
}
