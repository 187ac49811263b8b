import { describe, expect, it } from 'vitest';
import { sliceHighlights } from './highlight';

describe('sliceHighlights', () => {
  it('cuts text into plain and marked parts', () => {
    expect(sliceHighlights('the quick fox', [[4, 9]])).toEqual([
      { text: 'the ', marked: false },
      { text: 'quick', marked: true },
      { text: ' fox', marked: false },
    ]);
  });

  it('sorts, merges overlapping ranges and clamps out-of-range ones', () => {
    expect(
      sliceHighlights('abcdef', [
        [4, 99],
        [0, 2],
        [1, 3],
        [-5, 0],
        [5, 5],
      ]),
    ).toEqual([
      { text: 'abc', marked: true },
      { text: 'd', marked: false },
      { text: 'ef', marked: true },
    ]);
  });

  it('keeps markup as text and returns the whole text unmarked without ranges', () => {
    expect(sliceHighlights('<b>x</b>', [])).toEqual([{ text: '<b>x</b>', marked: false }]);
    expect(sliceHighlights('', [[0, 3]])).toEqual([]);
  });

  it('slices by UTF-16 offsets, as the core reports them', () => {
    const parts = sliceHighlights('😀 café', [[3, 7]]);
    expect(parts).toEqual([
      { text: '😀 ', marked: false },
      { text: 'café', marked: true },
    ]);
  });
});
