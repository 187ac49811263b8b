import { open, type FileHandle } from 'node:fs/promises';
import { HistoryError } from './historyError';
import { databaseSlice, readPayloadLayout, type PayloadLayout } from './historyPayload';
import { openHistoryChunk, type HistoryHeader } from './historyStreamFormat';

/**
 * The receiving side of a history stream (docs/protocol.md §13.7, on N):
 * opens each sealed chunk and writes the snapshot's bytes it carries at their
 * offset in `.history-<id>.db`. Only SQLCipher pages reach the disk: the
 * manifest (with the snapshot key) is read from chunk 0 and kept by the
 * caller in the encrypted database, never in the file. Chunks must come in
 * order from where the caller resumes; the same index always carries the same
 * bytes, so a chunk written twice after a restart is harmless.
 */
export class HistoryAssembler {
  private constructor(
    private readonly file: FileHandle,
    private readonly key: Buffer,
    readonly header: HistoryHeader,
    private readonly headerBytes: Buffer,
    private layoutValue: PayloadLayout | null,
  ) {}

  /**
   * Opens (creating when new) the snapshot file. `layout` is the manifest
   * and offset taken from chunk 0 earlier (null before chunk 0 was accepted).
   */
  static async open(
    dbPath: string,
    key: Buffer,
    header: HistoryHeader,
    headerBytes: Buffer,
    layout: PayloadLayout | null,
  ): Promise<HistoryAssembler> {
    const file = await open(dbPath, layout === null ? 'w' : 'r+', 0o600);
    return new HistoryAssembler(file, key, header, headerBytes, layout);
  }

  get layout(): PayloadLayout | null {
    return this.layoutValue;
  }

  /**
   * Opens chunk `index` and writes its snapshot bytes. Returns false when the
   * chunk does not authenticate (the caller fetches it again once); throws
   * HistoryError 'damaged' when it authenticates but breaks the format (a
   * sender bug or a hostile sender with the key: not worth a retry).
   * Returns the plaintext length on success.
   */
  async accept(index: number, sealed: Uint8Array): Promise<number | false> {
    const plain = openHistoryChunk(this.key, this.headerBytes, this.header, index, sealed);
    if (plain === null) return false;
    const { chunkBytes, chunkCount, plaintextBytes } = this.header;
    const expected = index === chunkCount - 1 ? plaintextBytes - index * chunkBytes : chunkBytes;
    if (plain.length !== expected) {
      throw new HistoryError(
        'damaged',
        `The history from the other device is damaged (chunk ${index} size).`,
      );
    }
    if (index === 0) this.layoutValue = readPayloadLayout(plain, plaintextBytes);
    const layout = this.layoutValue;
    if (layout === null) throw new Error('chunk 0 must be accepted first');
    const slice = databaseSlice(layout, chunkBytes, index, plain);
    let at = 0;
    while (at < slice.bytes.length) {
      const { bytesWritten } = await this.file.write(
        slice.bytes,
        at,
        slice.bytes.length - at,
        slice.offset + at,
      );
      at += bytesWritten;
    }
    plain.fill(0);
    return expected;
  }

  /** fsync: progress is recorded only after the bytes before it are on disk (§13.7, like file downloads). */
  async sync(): Promise<void> {
    await this.file.sync();
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
