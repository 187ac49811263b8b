import type { FileHandle } from 'node:fs/promises';
import {
  HEADER_BYTES,
  LENGTH_BYTES,
  TAG_BYTES,
  decodeHeader,
  DEFAULT_ARCHIVE_KDF,
  isCostlyKdf,
  openArchiveKey,
  openChunk,
  sealChunk,
  type ArchiveHeader,
} from './archiveFormat';
import { formatBytes } from '../../../src-shared/contract/format';
import { BackupError } from './backupError';

/**
 * Writes plaintext into sealed chunks of `header.chunkBytes`. A full buffer is
 * sealed only once more data arrives, so the last chunk, and only it, carries
 * the last-chunk flag (STREAM, docs/backup-format.md §3). Holds one chunk in
 * memory, whatever the size of the archive.
 */
export class ArchiveWriter {
  private readonly buffer: Buffer;
  private filled = 0;
  private index = 0;
  private finished = false;
  /** Bytes written to the file so far (header and sealed chunks). */
  written = 0;

  constructor(
    private readonly file: FileHandle,
    private readonly key: Buffer,
    // Only the STREAM parameters: the history stream (history/) writes its own header with this writer.
    private readonly header: Pick<ArchiveHeader, 'noncePrefix' | 'chunkBytes'>,
    private readonly headerBytes: Buffer,
  ) {
    this.buffer = Buffer.allocUnsafe(header.chunkBytes);
  }

  async writeHeader(): Promise<void> {
    await this.writeAll(this.headerBytes);
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.finished) throw new Error('archive already finished');
    let at = 0;
    while (at < data.length) {
      if (this.filled === this.buffer.length) await this.seal(false);
      const n = Math.min(this.buffer.length - this.filled, data.length - at);
      this.buffer.set(data.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
    }
  }

  /** Seals what is buffered as the last chunk (possibly empty: the end is authenticated either way). */
  async finish(): Promise<void> {
    if (this.finished) return;
    await this.seal(true);
    this.finished = true;
    this.buffer.fill(0);
  }

  private async seal(last: boolean): Promise<void> {
    const sealed = sealChunk(
      this.key,
      this.headerBytes,
      this.header.noncePrefix,
      this.index,
      last,
      this.buffer.subarray(0, this.filled),
    );
    await this.writeAll(sealed);
    this.index += 1;
    this.filled = 0;
  }

  private async writeAll(bytes: Buffer): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      const { bytesWritten } = await this.file.write(bytes, at, bytes.length - at);
      at += bytesWritten;
    }
    this.written += bytes.length;
  }
}

async function readFully(file: FileHandle, buffer: Buffer, position: number): Promise<number> {
  let got = 0;
  while (got < buffer.length) {
    const { bytesRead } = await file.read(buffer, got, buffer.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/** The header of an archive file; BackupError when it is not one, is cut short or too new. */
export async function readArchiveHeader(
  file: FileHandle,
): Promise<{ header: ArchiveHeader; headerBytes: Buffer }> {
  const headerBytes = Buffer.alloc(HEADER_BYTES);
  const got = await readFully(file, headerBytes, 0);
  const header = decodeHeader(headerBytes.subarray(0, got));
  return { header, headerBytes };
}

export interface OpenedArchive {
  header: ArchiveHeader;
  /** Every chunk's plaintext in order; throws BackupError on the first chunk that fails. */
  chunks: AsyncGenerator<Buffer, void, undefined>;
  /** Archive bytes consumed so far (for progress). */
  position(): number;
}

/**
 * Opens an archive for reading: checks the header and the password, then
 * yields chunk plaintexts. Each chunk is authenticated before it is yielded;
 * the generator ends normally only after the chunk flagged last, followed by
 * the end of the file. Anything else (a short read, a chunk that opens under
 * neither flag, bytes after the last chunk) is a BackupError.
 */
export async function openArchive(
  file: FileHandle,
  password: string,
  options: { allowCostlyKdf?: boolean } = {},
): Promise<OpenedArchive> {
  const { header, headerBytes } = await readArchiveHeader(file);
  if (isCostlyKdf(header.kdf) && options.allowCostlyKdf !== true) {
    throw new BackupError(
      'costly_kdf',
      `Checking this backup's password would take ${formatBytes(header.kdf.memoryKiB * 1024)} of memory and ` +
        `${header.kdf.iterations} passes (Parley's own backups use ${DEFAULT_ARCHIVE_KDF.memoryKiB / 1024} MiB ` +
        `and ${DEFAULT_ARCHIVE_KDF.iterations}). Its header may have been tampered with. Continue only if you ` +
        `made this backup with such a setting.`,
    );
  }
  const key = await openArchiveKey(password, header);
  let position = HEADER_BYTES;
  const maxSealed = header.chunkBytes + TAG_BYTES;
  const lengthBuf = Buffer.alloc(LENGTH_BYTES);
  const sealedBuf = Buffer.allocUnsafe(maxSealed);

  async function* chunks(): AsyncGenerator<Buffer, void, undefined> {
    try {
      for (let index = 0; ; index++) {
        const gotLength = await readFully(file, lengthBuf, position);
        if (gotLength < LENGTH_BYTES) {
          throw new BackupError('truncated', 'This backup is cut short: its end is missing.');
        }
        const length = lengthBuf.readUInt32BE(0);
        if (length < TAG_BYTES || length > maxSealed) {
          throw new BackupError(
            'corrupt',
            `This backup is damaged (chunk ${index} has an impossible length).`,
          );
        }
        const sealed = sealedBuf.subarray(0, length);
        const got = await readFully(file, sealed, position + LENGTH_BYTES);
        if (got < length) throw new BackupError('truncated', 'This backup is cut short: its end is missing.');
        position += LENGTH_BYTES + length;
        let plain = openChunk(key, headerBytes, header.noncePrefix, index, false, sealed);
        let last = false;
        if (!plain) {
          plain = openChunk(key, headerBytes, header.noncePrefix, index, true, sealed);
          last = plain !== null;
        }
        if (!plain) {
          throw new BackupError(
            'corrupt',
            `This backup is damaged or was tampered with (chunk ${index} does not authenticate).`,
          );
        }
        yield plain;
        if (last) {
          const extra = await readFully(file, lengthBuf.subarray(0, 1), position);
          if (extra > 0) {
            throw new BackupError('corrupt', 'This backup is damaged (there are bytes after its end).');
          }
          return;
        }
      }
    } finally {
      key.fill(0);
    }
  }
  return { header, chunks: chunks(), position: () => position };
}
