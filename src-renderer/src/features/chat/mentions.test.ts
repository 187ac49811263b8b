import { describe, expect, it } from 'vitest';
import { filterCandidates, insertMention, mentionedKeys, mentionQuery, splitMentions } from './mentions';

const ada = { key: 'a'.repeat(64), name: 'Ada' };
const annLee = { key: 'b'.repeat(64), name: 'Ann Lee' };
const ann = { key: 'c'.repeat(64), name: 'Ann' };

describe('mentionQuery', () => {
  it('finds the @word being typed at the start or after a space', () => {
    expect(mentionQuery('@Ad', 3)).toEqual({ start: 0, query: 'Ad' });
    expect(mentionQuery('hi @', 4)).toEqual({ start: 3, query: '' });
    expect(mentionQuery('hi\n@an', 6)).toEqual({ start: 3, query: 'an' });
  });
  it('ignores e-mail addresses, finished words and text after the caret', () => {
    expect(mentionQuery('mail me@example', 15)).toBeNull();
    expect(mentionQuery('@Ada ', 5)).toBeNull();
    expect(mentionQuery('@Ada hello', 2)).toEqual({ start: 0, query: 'A' });
  });
});

describe('filterCandidates', () => {
  it('puts names starting with the query first, then names containing it', () => {
    expect(filterCandidates([ada, annLee, ann], 'an').map((m) => m.name)).toEqual(['Ann Lee', 'Ann']);
    expect(filterCandidates([ada, annLee], 'da').map((m) => m.name)).toEqual(['Ada']);
    expect(filterCandidates([ada, annLee, ann], '')).toHaveLength(3);
  });
});

describe('insertMention and mentionedKeys', () => {
  it('completes the name and keeps only mentions still in the text', () => {
    const done = insertMention('hi @An and bye', 3, 6, 'Ann Lee');
    expect(done).toEqual({ text: 'hi @Ann Lee  and bye', caret: 12 });
    expect(mentionedKeys(done.text, [annLee, ada])).toEqual([annLee.key]);
    expect(mentionedKeys('hi Ann Lee', [annLee])).toEqual([]);
  });
});

describe('splitMentions', () => {
  it('marks @names of mentioned members, longest name first, and flags the reader', () => {
    expect(splitMentions('@Ann Lee and @Ann, see this', [ann, annLee], ann.key)).toEqual([
      { text: '@Ann Lee', mention: { key: annLee.key, self: false } },
      { text: ' and ' },
      { text: '@Ann', mention: { key: ann.key, self: true } },
      { text: ', see this' },
    ]);
  });
  it('leaves other text alone: e-mail addresses, unmentioned names, markup', () => {
    expect(splitMentions('write ada@Ada.org <b>@Bob</b>', [ada], null)).toEqual([
      { text: 'write ada@Ada.org <b>@Bob</b>' },
    ]);
    expect(splitMentions('no mentions', [], null)).toEqual([{ text: 'no mentions' }]);
  });
});
