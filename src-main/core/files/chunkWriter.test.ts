import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Uint8ArrayList } from 'uint8arraylist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChunkWriter } from './chunkWriter';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-writer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

describe('ChunkWriter', () => {
  it('puts every piece at its position, gathered or not, and all of it is there once durable', async () => {
    const path = join(dir, 'f.pfe');
    const fd = openSync(path, 'w+');
    try {
      const writer = new ChunkWriter(fd);
      // Consecutive chunks (one as pieces, as they come off the network), then a gap, then two large ones.
      writer.add(bytes(100, 1), 0);
      writer.add(new Uint8ArrayList(bytes(50, 2), bytes(50, 3)), 100);
      writer.add(bytes(10, 4), 500);
      writer.add(bytes(700_000, 5), 510);
      writer.add(bytes(700_000, 6), 700_510);
      await writer.durable();
      const file = readFileSync(path);
      expect(file.length).toBe(1_400_510);
      expect(file.subarray(0, 100).every((b) => b === 1)).toBe(true);
      expect(file.subarray(100, 150).every((b) => b === 2)).toBe(true);
      expect(file.subarray(150, 200).every((b) => b === 3)).toBe(true);
      expect(file.subarray(200, 500).every((b) => b === 0)).toBe(true);
      expect(file.subarray(500, 510).every((b) => b === 4)).toBe(true);
      expect(file.subarray(510, 700_510).every((b) => b === 5)).toBe(true);
      expect(file.subarray(700_510).every((b) => b === 6)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('keeps the first write failure: nothing after it is written and every later call says so', async () => {
    const path = join(dir, 'ro.pfe');
    writeFileSync(path, '');
    // A descriptor that cannot be written stands in for a full disk.
    const fd = openSync(path, 'r');
    try {
      const writer = new ChunkWriter(fd);
      writer.add(bytes(2 * 1024 * 1024, 7), 0);
      await expect(writer.durable()).rejects.toMatchObject({ code: 'EBADF' });
      expect(() => writer.add(bytes(10, 1), 0)).toThrow(/EBADF|bad file/i);
      await expect(writer.room()).rejects.toMatchObject({ code: 'EBADF' });
      expect(readFileSync(path).length).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  it('says when each added buffer was written (so a download reuses it), after a failure too', async () => {
    const path = join(dir, 'w.pfe');
    const fd = openSync(path, 'w+');
    try {
      const writer = new ChunkWriter(fd);
      const order: string[] = [];
      const big = bytes(1024 * 1024, 9);
      writer.add(big, 0, () => order.push(`written ${readFileSync(path).length}`));
      writer.add(bytes(10, 8), 1024 * 1024, () => order.push('tail written'));
      expect(order).toEqual([]);
      await writer.durable();
      // The first callback ran only once its bytes were in the file.
      expect(order).toEqual([`written ${1024 * 1024}`, 'tail written']);
    } finally {
      closeSync(fd);
    }
    const ro = join(dir, 'ro2.pfe');
    writeFileSync(ro, '');
    const bad = openSync(ro, 'r');
    try {
      const writer = new ChunkWriter(bad);
      let called = 0;
      writer.add(bytes(2 * 1024 * 1024, 7), 0, () => called++);
      await expect(writer.durable()).rejects.toMatchObject({ code: 'EBADF' });
      expect(called).toBe(1);
    } finally {
      closeSync(bad);
    }
  });
});
