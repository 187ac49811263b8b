import type { Hash } from 'node:crypto';
import { readSync } from 'node:fs';
import { GCM_TAG_BYTES, openChunk, plainChunkLength, sealedOffset } from './fileCrypto';
import type { SealedLayout } from './sealedFiles';

/** The re-read yields to the event loop after this many chunks, so the network is not held up. */
const YIELD_EVERY_CHUNKS = 16;

/**
 * Reads back chunks [0, count) of a download's file — what an interrupted
 * download recorded as done — checking each tag and feeding its plaintext
 * to `hash` in order. Returns the index of the first chunk that fails (the
 * file must be cut there and fetched again from it), null when all passed,
 * or 'stopped' when the signal fired first.
 */
export async function recheckPrefix(
  fd: number,
  file: SealedLayout,
  count: number,
  hash: Hash,
  signal: AbortSignal,
): Promise<number | null | 'stopped'> {
  const fileId = Buffer.from(file.uid, 'hex');
  const sealed = Buffer.allocUnsafeSlow(file.chunk_size + GCM_TAG_BYTES);
  for (let index = 0; index < count; index++) {
    if (index % YIELD_EVERY_CHUNKS === YIELD_EVERY_CHUNKS - 1) {
      await new Promise((r) => setImmediate(r));
      if (signal.aborted) return 'stopped';
    }
    const length = plainChunkLength(file.size, file.chunk_size, index) + GCM_TAG_BYTES;
    const n = readSync(fd, sealed, 0, length, sealedOffset(file.chunk_size, index));
    const last = index === file.chunk_count - 1;
    const plain =
      n === length ? openChunk(file.file_key, fileId, index, last, sealed.subarray(0, length)) : null;
    if (plain === null) return index;
    hash.update(plain);
  }
  return null;
}
