import { describe, expect, it } from 'vitest';
import { freeMarkers, leadingSnippet, parseMarked } from './snippetMarks';

const O = '\uE000';
const C = '\uE001';

describe('parseMarked', () => {
  it.each<[string, string, Array<[number, number]>]>([
    ['', '', []],
    ['plain', 'plain', []],
    [`${O}Café${C} au lait`, 'Café au lait', [[0, 4]]],
    [
      `a ${O}b${C} c ${O}d${C}`,
      'a b c d',
      [
        [2, 3],
        [6, 7],
      ],
    ],
    [`…and ${O}😀x${C}`, '…and 😀x', [[5, 8]]],
    [`${O}${C}empty`, 'empty', []],
    [`${O}open to the end`, 'open to the end', [[0, 15]]],
    [`stray ${C}close`, 'stray close', []],
  ])('%j', (marked, text, highlights) => {
    expect(parseMarked(marked)).toEqual({ text, highlights });
  });

  it('with other markers, drops U+E000/U+E001 from the text so they cannot pose as highlights', () => {
    const marked = `fake ${O}x${C} real \uE002y\uE003`;
    expect(parseMarked(marked, '\uE002', '\uE003')).toEqual({
      text: 'fake x real y',
      highlights: [[12, 13]],
    });
  });
});

describe('freeMarkers', () => {
  it('picks private-use characters the text does not contain', () => {
    expect(freeMarkers('hello')).toEqual({ open: '\uE002', close: '\uE003' });
    expect(freeMarkers('\uE002\uE004')).toEqual({ open: '\uE003', close: '\uE005' });
  });

  it('gives up only when every private-use character is taken', () => {
    let all = '';
    for (let c = 0xe000; c <= 0xf8ff; c++) all += String.fromCharCode(c);
    expect(freeMarkers(all)).toBeNull();
  });
});

describe('leadingSnippet', () => {
  it('collapses whitespace, strips marker characters and cuts at a word', () => {
    expect(leadingSnippet('  a\n\nb\uE000  ')).toBe('a b');
    const long = 'word '.repeat(50);
    const cut = leadingSnippet(long, 22);
    expect(cut).toBe('word word word word…');
  });

  it('never leaves half a surrogate pair', () => {
    const cut = leadingSnippet('😀'.repeat(100), 11);
    expect(cut.endsWith('…')).toBe(true);
    expect(/[\uD800-\uDBFF]…$/.test(cut)).toBe(false);
  });
});
