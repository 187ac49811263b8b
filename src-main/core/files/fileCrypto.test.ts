import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Uint8ArrayList } from 'uint8arraylist';
import {
  ChunkSealer,
  chunkCountFor,
  GCM_TAG_BYTES,
  newFileKey,
  openChunk,
  openChunkPieces,
  sealChunk,
} from './fileCrypto';

describe('file chunk sealing', () => {
  const key = newFileKey();
  const id = randomBytes(16);

  it('opens only at its own file, index and last flag', () => {
    const sealed = sealChunk(key, id, 3, false, Buffer.from('hello'));
    expect(openChunk(key, id, 3, false, sealed)?.toString()).toBe('hello');
    expect(openChunk(key, id, 4, false, sealed)).toBeNull();
    expect(openChunk(key, id, 3, true, sealed)).toBeNull();
    expect(openChunk(key, randomBytes(16), 3, false, sealed)).toBeNull();
    expect(openChunk(newFileKey(), id, 3, false, sealed)).toBeNull();
    const flipped = Buffer.from(sealed);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(openChunk(key, id, 3, false, flipped)).toBeNull();
    expect(openChunk(key, id, 3, false, sealed.subarray(0, 10))).toBeNull();
  });

  it('opens a chunk held in pieces (the tag split between two) only when nothing was changed', () => {
    const plain = randomBytes(40_000);
    const sealed = sealChunk(key, id, 7, true, plain);
    // Cut so that the 16-byte tag straddles the last two pieces.
    const cuts = [0, 1, 9_999, 30_000, sealed.length - 9, sealed.length];
    const pieces = new Uint8ArrayList(...cuts.slice(1).map((end, i) => sealed.subarray(cuts[i], end)));
    expect(Buffer.concat(openChunkPieces(key, id, 7, true, pieces) ?? []).equals(plain)).toBe(true);
    expect(openChunkPieces(key, id, 7, false, pieces)).toBeNull();
    const flipped = Buffer.from(sealed);
    flipped[20_000] = (flipped[20_000] ?? 0) ^ 1;
    expect(openChunkPieces(key, id, 7, true, new Uint8ArrayList(flipped))).toBeNull();
    expect(openChunkPieces(key, id, 7, true, new Uint8ArrayList(sealed.subarray(0, 10)))).toBeNull();
  });

  it('cuts any pushes into fixed chunks, marks the last, and hashes the plaintext', () => {
    const data = randomBytes(100_000);
    const out: Buffer[] = [];
    const sealer = new ChunkSealer(key, id, data.length, 16 * 1024, (s) => out.push(s));
    sealer.push(data.subarray(0, 7));
    sealer.push(data.subarray(7, 50_000));
    sealer.push(data.subarray(50_000));
    sealer.finish();
    expect(out).toHaveLength(chunkCountFor(data.length, 16 * 1024));
    const plain = out.map((s, i) => openChunk(key, id, i, i === out.length - 1, s));
    expect(Buffer.concat(plain.map((p) => p ?? Buffer.alloc(0))).equals(data)).toBe(true);
    expect(out[0]?.length).toBe(16 * 1024 + GCM_TAG_BYTES);
  });

  it('refuses more or fewer bytes than announced; an empty file is one empty chunk', () => {
    const short = new ChunkSealer(key, id, 10, 16 * 1024, () => undefined);
    short.push(Buffer.alloc(5));
    expect(() => short.finish()).toThrow(RangeError);
    const long = new ChunkSealer(key, id, 4, 16 * 1024, () => undefined);
    expect(() => long.push(Buffer.alloc(5))).toThrow(RangeError);
    const out: Buffer[] = [];
    new ChunkSealer(key, id, 0, 16 * 1024, (s) => out.push(s)).finish();
    expect(out).toHaveLength(1);
    expect(openChunk(key, id, 0, true, out[0] ?? Buffer.alloc(0))?.length).toBe(0);
  });
});
