import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkSealer, chunkCountFor, GCM_TAG_BYTES, newFileKey, openChunk, sealChunk } from './fileCrypto';

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
