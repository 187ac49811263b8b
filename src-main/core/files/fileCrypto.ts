import { createCipheriv, createDecipheriv, createHash, randomBytes, type Hash } from 'node:crypto';
import type { Uint8ArrayList } from 'uint8arraylist';

/**
 * The encryption of file bytes, in transit and at rest (docs/protocol.md
 * "Files"). A file is cut into chunks of `chunkSize` plaintext bytes (the
 * last may be shorter; an empty file is one empty chunk) and each chunk is
 * sealed with AES-256-GCM under the file's own random key:
 *
 *   nonce = 0x00000000 ‖ u64be(index)                      (96 bits, NIST SP 800-38D §8.2.1)
 *   AAD   = "parley/v1/file-chunk" ‖ file id (16) ‖ u32be(index) ‖ u8(last)
 *
 * One key per file and one nonce per index, so no (key, nonce) pair repeats.
 * The AAD binds every chunk to its file and position and marks the last one,
 * so chunks cannot be swapped between files, reordered, or the file cut
 * short without a tag failing. The encrypted file is the concatenation of
 * the sealed chunks: chunk i starts at i × (chunkSize + 16), which is what
 * the sender stores, what travels, and what the receiver stores.
 */

export const FILE_KEY_BYTES = 32;
export const FILE_ID_BYTES = 16;
export const GCM_TAG_BYTES = 16;
/** Default plaintext chunk: one fits a frame with room to spare (net/limits.ts). */
export const DEFAULT_CHUNK_SIZE = 256 * 1024;
/** Chunk sizes a receiver accepts: powers of two from 16 KiB to 256 KiB. */
export const MIN_CHUNK_SIZE = 16 * 1024;
export const MAX_CHUNK_SIZE = 256 * 1024;

const AAD_LABEL = Buffer.from('parley/v1/file-chunk', 'ascii');

export function isValidChunkSize(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_CHUNK_SIZE && n <= MAX_CHUNK_SIZE && (n & (n - 1)) === 0;
}

/** How many chunks a file of `size` bytes has (an empty file has one, empty). */
export function chunkCountFor(size: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(size / chunkSize));
}

/** Plaintext length of chunk `index`. */
export function plainChunkLength(size: number, chunkSize: number, index: number): number {
  return Math.max(0, Math.min(chunkSize, size - index * chunkSize));
}

/** Where chunk `index` starts in the encrypted file. */
export function sealedOffset(chunkSize: number, index: number): number {
  return index * (chunkSize + GCM_TAG_BYTES);
}

export function newFileKey(): Uint8Array {
  return new Uint8Array(randomBytes(FILE_KEY_BYTES));
}

function nonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

function aad(fileId: Uint8Array, index: number, last: boolean): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail.writeUInt8(last ? 1 : 0, 4);
  return Buffer.concat([AAD_LABEL, fileId, tail]);
}

export function sealChunk(
  key: Uint8Array,
  fileId: Uint8Array,
  index: number,
  last: boolean,
  plain: Uint8Array,
): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce(index));
  cipher.setAAD(aad(fileId, index, last));
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** The plaintext, or null when the chunk is not this file's chunk `index` (any tamper). */
export function openChunk(
  key: Uint8Array,
  fileId: Uint8Array,
  index: number,
  last: boolean,
  sealed: Uint8Array,
): Buffer | null {
  if (sealed.length < GCM_TAG_BYTES) return null;
  const body = sealed.subarray(0, sealed.length - GCM_TAG_BYTES);
  const tag = sealed.subarray(sealed.length - GCM_TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce(index));
    decipher.setAAD(aad(fileId, index, last));
    decipher.setAuthTag(tag);
    const plain = decipher.update(body);
    // GCM is a stream mode: final() only checks the tag and yields no bytes,
    // so the plaintext is not copied again into a concatenation.
    const rest = decipher.final();
    return rest.length === 0 ? plain : Buffer.concat([plain, rest]);
  } catch {
    return null;
  }
}

/**
 * openChunk for a sealed chunk held in pieces (as it came off the network):
 * the plaintext in pieces, returned only once the tag verified (GCM yields
 * plaintext before it checks the tag, so nothing may use it before), or null.
 */
export function openChunkPieces(
  key: Uint8Array,
  fileId: Uint8Array,
  index: number,
  last: boolean,
  sealed: Uint8ArrayList,
): Buffer[] | null {
  const length = sealed.byteLength;
  if (length < GCM_TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce(index));
    decipher.setAAD(aad(fileId, index, last));
    decipher.setAuthTag(sealed.subarray(length - GCM_TAG_BYTES));
    const plain: Buffer[] = [];
    for (const piece of sealed.sublist(0, length - GCM_TAG_BYTES)) plain.push(decipher.update(piece));
    const rest = decipher.final();
    if (rest.length > 0) plain.push(rest);
    return plain;
  } catch {
    return null;
  }
}

/**
 * Turns a stream of plaintext pushes (any sizes) into sealed chunks, with the
 * SHA-256 of the plaintext on the side. The total size is known up front, so
 * the last chunk is marked as it is sealed; `finish()` refuses a stream that
 * came out shorter or longer than announced.
 */
export class ChunkSealer {
  private readonly hash: Hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private received = 0;
  readonly chunkCount: number;

  constructor(
    private readonly key: Uint8Array,
    private readonly fileId: Uint8Array,
    readonly size: number,
    readonly chunkSize: number,
    private readonly emit: (sealed: Buffer, index: number) => void,
  ) {
    this.chunkCount = chunkCountFor(size, chunkSize);
  }

  get bytesIn(): number {
    return this.received;
  }

  push(bytes: Uint8Array): void {
    if (this.received + bytes.length > this.size) throw new RangeError('more bytes than the file size');
    this.received += bytes.length;
    this.hash.update(bytes);
    this.pending.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    this.pendingBytes += bytes.length;
    while (this.pendingBytes >= this.chunkSize && this.index < this.chunkCount - 1)
      this.flush(this.chunkSize);
  }

  /** Seals the last chunk; returns the plaintext's SHA-256. */
  finish(): Buffer {
    if (this.received !== this.size) throw new RangeError('fewer bytes than the file size');
    while (this.index < this.chunkCount) this.flush(Math.min(this.chunkSize, this.pendingBytes));
    return this.hash.digest();
  }

  private flush(n: number): void {
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    const plain = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    const last = this.index === this.chunkCount - 1;
    this.emit(sealChunk(this.key, this.fileId, this.index, last, plain), this.index);
    this.index += 1;
  }
}
