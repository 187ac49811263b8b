import { describe, expect, it } from 'vitest';
import { truncateUtf8 } from './utf8';

describe('truncateUtf8', () => {
  it('keeps a string that fits', () => {
    expect(truncateUtf8('Ada', 3)).toBe('Ada');
  });

  it('never splits a code point: a name cut mid-character stays valid text', () => {
    // "é" is 2 bytes and "😀" 4 (a surrogate pair in JS): the cut falls before them.
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('ab😀', 5)).toBe('ab');
    expect(Buffer.byteLength(truncateUtf8('😀😀😀', 10), 'utf8')).toBe(8);
  });

  it('gives the empty string for a zero budget', () => {
    expect(truncateUtf8('Ada', 0)).toBe('');
  });
});
