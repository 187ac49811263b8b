import { createHash, type Hash } from 'node:crypto';
import { readSync } from 'node:fs';
import { GCM_TAG_BYTES, openChunk, plainChunkLength, sealedOffset } from './fileCrypto';
import type { SealedLayout } from './sealedFiles';

/** What a download's check needs to know of its file (plain data: it crosses to the worker). */
export interface CheckLayout {
  uid: string;
  size: number;
  chunkSize: number;
  chunkCount: number;
  key: Uint8Array;
}

/** The answer for a run of chunks handed to the check. */
export type RunVerdict =
  /** The first `ok` chunks opened and were hashed; if `bad`, the one after them did not. */
  | { ok: number; bad: boolean }
  /** The run does not start where the check expects (after a failure): nothing was looked at. */
  | 'skipped';

/**
 * The per-chunk work of a download (docs/protocol.md §12): each sealed chunk's
 * AES-GCM tag is checked and its plaintext goes into the file's running
 * SHA-256, strictly in index order. It runs on the chunk-check worker
 * (chunkChecker.ts), so the event loop that carries both the network and the
 * bridge does not pay for it; it is plain synchronous code so it can be
 * tested without a thread.
 *
 * After a chunk fails, the check expects that index again: runs that start
 * anywhere else are skipped (they were sent before the caller knew), and the
 * hash holds exactly the plaintext of chunks [0, expected).
 */
export class ChunkCheck {
  private readonly hash: Hash = createHash('sha256');
  private readonly fileId: Buffer;
  private readonly layout: SealedLayout;
  /** The next chunk this check accepts. */
  expected: number;

  constructor(
    file: CheckLayout,
    readonly from: number,
  ) {
    this.fileId = Buffer.from(file.uid, 'hex');
    this.layout = {
      uid: file.uid,
      size: file.size,
      chunk_size: file.chunkSize,
      chunk_count: file.chunkCount,
      file_key: Buffer.from(file.key),
    };
    this.expected = from;
  }

  /**
   * Reads back chunks [0, from) from the download's file — what an
   * interrupted download recorded as done — checking each tag and hashing its
   * plaintext, before any fetched chunk. Returns the first that fails (the
   * file is cut there and fetched again from it; the check then expects it),
   * or null when all passed.
   */
  prefix(fd: number): number | null {
    const { layout } = this;
    const sealed = Buffer.allocUnsafeSlow(layout.chunk_size + GCM_TAG_BYTES);
    for (let index = 0; index < this.from; index++) {
      const length = plainChunkLength(layout.size, layout.chunk_size, index) + GCM_TAG_BYTES;
      const n = readSync(fd, sealed, 0, length, sealedOffset(layout.chunk_size, index));
      const plain = n === length ? this.open(index, sealed.subarray(0, length)) : null;
      if (plain === null) {
        this.expected = index;
        return index;
      }
      this.hash.update(plain);
    }
    return null;
  }

  /** Checks and hashes the chunks of one run, laid end to end in `bytes`, starting at chunk `first`. */
  run(first: number, bytes: Uint8Array, lengths: readonly number[]): RunVerdict {
    if (first !== this.expected) return 'skipped';
    let at = 0;
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i] ?? 0;
      const index = first + i;
      const expectedLength =
        plainChunkLength(this.layout.size, this.layout.chunk_size, index) + GCM_TAG_BYTES;
      const plain =
        length === expectedLength && index < this.layout.chunk_count
          ? this.open(index, bytes.subarray(at, at + length))
          : null;
      if (plain === null) return { ok: i, bad: true };
      this.hash.update(plain);
      this.expected = index + 1;
      at += length;
    }
    return { ok: lengths.length, bad: false };
  }

  /** The SHA-256 of every chunk's plaintext so far (call once, when the file is in). */
  digest(): Buffer {
    return this.hash.digest();
  }

  private open(index: number, sealed: Uint8Array): Buffer | null {
    const last = index === this.layout.chunk_count - 1;
    return openChunk(this.layout.file_key, this.fileId, index, last, sealed);
  }
}

/** Main thread → chunk-check worker. Runs travel as transferred ArrayBuffers (no copy across). */
export type CheckRequest =
  | { op: 'begin'; session: number; file: CheckLayout; from: number }
  | { op: 'prefix'; session: number; fd: number }
  | { op: 'run'; session: number; first: number; buffer: ArrayBuffer; lengths: number[] }
  | { op: 'digest'; session: number }
  | { op: 'end'; session: number };

/** Chunk-check worker → main thread, one per request except begin and end, in order per session. */
export type CheckReply =
  | { op: 'prefix'; session: number; firstBad: number | null }
  | { op: 'run'; session: number; first: number; buffer: ArrayBuffer; verdict: RunVerdict }
  | { op: 'digest'; session: number; sha256: Uint8Array }
  | { op: 'failed'; session: number; message: string };
