import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from './wireFrame';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('wire frame', () => {
  it('round-trips group messages and welcomes', () => {
    const g = { kind: 'group' as const, groupId: bytes(32, 1), message: bytes(100, 2) };
    expect(decodeFrame(encodeFrame(g))).toEqual(g);
    const w = { kind: 'welcome' as const, welcome: bytes(300, 3), ratchetTree: bytes(50, 4) };
    expect(decodeFrame(encodeFrame(w))).toEqual(w);
  });

  it('refuses malformed frames', () => {
    expect(decodeFrame(new Uint8Array([]))).toBeNull();
    expect(decodeFrame(new Uint8Array([2, 1, 1, 1, 1]))).toBeNull();
    expect(decodeFrame(new Uint8Array([1, 9, 1, 1]))).toBeNull();
    expect(decodeFrame(new Uint8Array([1, 1, 0, 5]))).toBeNull();
    expect(decodeFrame(new Uint8Array([1, 1, 4, 1, 2, 3, 4]))).toBeNull();
    expect(decodeFrame(new Uint8Array([1, 2, 0, 0, 0, 9, 1]))).toBeNull();
  });
});
