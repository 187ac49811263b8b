import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkCheck } from './chunkCheck';
import { ChunkSealer, newFileKey } from './fileCrypto';

const CHUNK = 16 * 1024;

function sealed(size: number) {
  const uid = randomBytes(16).toString('hex');
  const key = newFileKey();
  const plain = randomBytes(size);
  const chunks: Buffer[] = [];
  const sealer = new ChunkSealer(key, Buffer.from(uid, 'hex'), size, CHUNK, (c) => chunks.push(c));
  sealer.push(plain);
  sealer.finish();
  const file = { uid, size, chunkSize: CHUNK, chunkCount: chunks.length, key };
  return { file, plain, chunks };
}

const runOf = (chunks: Buffer[]) => ({ bytes: Buffer.concat(chunks), lengths: chunks.map((c) => c.length) });

describe('ChunkCheck (the work of the chunk-check worker)', () => {
  it('hashes runs in order; after a failed tag it skips runs until that chunk comes again', () => {
    const { file, plain, chunks } = sealed(10 * CHUNK + 3);
    const check = new ChunkCheck(file, 0);
    const a = runOf(chunks.slice(0, 4));
    expect(check.run(0, a.bytes, a.lengths)).toEqual({ ok: 4, bad: false });
    const tampered = chunks.slice(4, 8).map((c) => Buffer.from(c));
    const hit = tampered[2] as Buffer;
    hit[9] = (hit[9] ?? 0) ^ 1;
    const b = runOf(tampered);
    expect(check.run(4, b.bytes, b.lengths)).toEqual({ ok: 2, bad: true });
    // Sent before the sender of run b knew: nothing of it is looked at.
    const c = runOf(chunks.slice(8));
    expect(check.run(8, c.bytes, c.lengths)).toBe('skipped');
    const again = runOf(chunks.slice(6));
    expect(check.run(6, again.bytes, again.lengths)).toEqual({ ok: 5, bad: false });
    expect(check.digest().equals(createHash('sha256').update(plain).digest())).toBe(true);
  });

  it('refuses a chunk of the wrong length or past the end', () => {
    const { file, chunks } = sealed(3 * CHUNK);
    const check = new ChunkCheck(file, 0);
    const cut = (chunks[0] as Buffer).subarray(1);
    expect(check.run(0, cut, [cut.length])).toEqual({ ok: 0, bad: true });
    const all = runOf([...chunks, chunks[0] as Buffer]);
    expect(check.run(0, all.bytes, all.lengths)).toEqual({ ok: 3, bad: true });
  });
});
