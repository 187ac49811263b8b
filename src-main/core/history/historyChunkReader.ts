import { open, type FileHandle } from 'node:fs/promises';
import { LENGTH_BYTES, TAG_BYTES } from '../backup/archiveFormat';
import { HistoryError } from './historyError';
import { chunkOffset, type HistoryHeader } from './historyStreamFormat';

/**
 * Reads sealed chunks out of a stream file by index (the sender serves them
 * from it, docs/protocol.md §13.7). Chunk i starts at a fixed offset because
 * every chunk but the last holds exactly `chunk size` bytes, so a request from
 * any chunk after a restart costs one seek.
 */
export class HistoryChunkReader {
  private constructor(
    private readonly file: FileHandle,
    readonly header: HistoryHeader,
    readonly headerBytes: Buffer,
  ) {}

  static async open(path: string, header: HistoryHeader, headerBytes: Buffer): Promise<HistoryChunkReader> {
    const file = await open(path, 'r');
    return new HistoryChunkReader(file, header, headerBytes);
  }

  /** The sealed bytes (ciphertext and tag, without the length prefix) of chunk `index`. */
  async read(index: number): Promise<Buffer> {
    if (!Number.isInteger(index) || index < 0 || index >= this.header.chunkCount) {
      throw new RangeError('chunk index outside the stream');
    }
    const at = chunkOffset(this.header, index);
    const lengthBytes = Buffer.alloc(LENGTH_BYTES);
    await this.readExactly(lengthBytes, at);
    const length = lengthBytes.readUInt32BE(0);
    if (length < TAG_BYTES || length > this.header.chunkBytes + TAG_BYTES) {
      throw new HistoryError('damaged', 'The history stream on this device is damaged.');
    }
    const sealed = Buffer.allocUnsafe(length);
    await this.readExactly(sealed, at + LENGTH_BYTES);
    return sealed;
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  private async readExactly(buffer: Buffer, position: number): Promise<void> {
    let got = 0;
    while (got < buffer.length) {
      const { bytesRead } = await this.file.read(buffer, got, buffer.length - got, position + got);
      if (bytesRead === 0)
        throw new HistoryError('damaged', 'The history stream on this device is cut short.');
      got += bytesRead;
    }
  }
}
