import { describe, expect, it } from 'vitest';
import {
  MAX_FILTER_VALUES,
  MAX_QUERY_LENGTH,
  MAX_TERM_LENGTH,
  MAX_TERMS,
  parseDay,
  parseSearchQuery,
  type SearchQuery,
  type SearchTerm,
} from './searchQuery';

// Wednesday 2024-03-13 15:30 local time.
const NOW = new Date(2024, 2, 13, 15, 30);
const day = (y: number, m: number, d: number): number => new Date(y, m - 1, d).getTime();

const word = (text: string, negated = false): SearchTerm => ({
  kind: 'word',
  text,
  ...(negated ? { negated } : {}),
});
const phrase = (text: string, negated = false): SearchTerm => ({
  kind: 'phrase',
  text,
  ...(negated ? { negated } : {}),
});
const prefix = (text: string, negated = false): SearchTerm => ({
  kind: 'prefix',
  text,
  ...(negated ? { negated } : {}),
});

describe('parseSearchQuery: terms', () => {
  it.each<[string, SearchTerm[]]>([
    ['', []],
    ['   \t\n ', []],
    ['hello', [word('hello')]],
    ['hello world', [word('hello'), word('world')]],
    ['"hello world"', [phrase('hello world')]],
    ['"  spaced   out  "', [phrase('spaced out')]],
    ['caf*', [prefix('caf')]],
    ['caf***', [prefix('caf')]],
    ['"new yo"*', [prefix('new yo')]],
    ['-spam', [word('spam', true)]],
    ['-"bad news"', [phrase('bad news', true)]],
    ['-pre*', [prefix('pre', true)]],
    ['a - b', [word('a'), word('-'), word('b')]],
    ['--x', [word('-x', true)]],
    ['foo"bar baz"', [word('foo'), phrase('bar baz')]],
    ['"unbalanced quote', [phrase('unbalanced quote')]],
    ['"', []],
    ['""', []],
    ['*', []],
    ['-', [word('-')]],
    [':', [word(':')]],
    ['a*b', [word('a*b')]],
    ['AND OR NOT NEAR', [word('AND'), word('OR'), word('NOT'), word('NEAR')]],
    ['NEAR(a b)', [word('NEAR(a'), word('b)')]],
    ['body:secret', [word('body:secret')]],
    ['http://example.com', [word('http://example.com')]],
    ['^start', [word('^start')]],
    ["it's o'clock", [word("it's"), word("o'clock")]],
    ['hello hello HELLO', [word('hello')]],
    ['hello -hello', [word('hello'), word('hello', true)]],
    ['x*', [word('x')]],
  ])('%j', (input, terms) => {
    expect(parseSearchQuery(input, NOW).terms).toEqual(terms);
  });

  it('says when a one-letter prefix is searched as a word', () => {
    expect(parseSearchQuery('x*', NOW).problems).toEqual([
      '"x*" is too short for a prefix search; searching for "x".',
    ]);
  });

  it('removes NUL, controls and direction marks, and keeps emoji and combining marks', () => {
    const q = parseSearchQuery('a\u0000b \u200Fshalom\u200E 😀 e\u0301', NOW);
    expect(q.terms).toEqual([word('a'), word('b'), word('shalom'), word('😀'), word('é')]);
  });

  it('normalizes to NFC', () => {
    expect(parseSearchQuery('cafe\u0301', NOW).terms).toEqual([word('café')]);
  });

  it('replaces lone surrogates', () => {
    expect(parseSearchQuery('ab\uD800cd \uDC00', NOW).terms).toEqual([word('ab'), word('cd')]);
  });

  it(`keeps at most ${MAX_TERMS} terms and says so`, () => {
    const input = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const q = parseSearchQuery(input, NOW);
    expect(q.terms).toHaveLength(MAX_TERMS);
    expect(q.terms.at(-1)).toEqual(word(`w${MAX_TERMS - 1}`));
    expect(q.problems).toContain(`Only the first ${MAX_TERMS} search words are used.`);
  });

  it(`cuts a term to ${MAX_TERM_LENGTH} characters and searches it as a prefix`, () => {
    const long = 'x'.repeat(200);
    const q = parseSearchQuery(long, NOW);
    expect(q.terms).toEqual([prefix('x'.repeat(MAX_TERM_LENGTH))]);
    expect(q.problems[0]).toMatch(/limited to 64 characters/);
  });

  it('never splits a surrogate pair when cutting', () => {
    const q = parseSearchQuery('a' + '😀'.repeat(100), NOW);
    const text = q.terms[0]?.text ?? '';
    expect(text.length).toBeLessThanOrEqual(MAX_TERM_LENGTH);
    expect(text).toBe(text.normalize()); // well-formed
    expect(/[\uD800-\uDBFF]$/.test(text)).toBe(false);
  });

  it('drops the word the length limit cuts through', () => {
    expect(parseSearchQuery('apple '.repeat(2000), NOW).terms).toEqual([word('apple')]);
    const exact = 'b'.repeat(MAX_QUERY_LENGTH - 2) + ' c d';
    expect(parseSearchQuery(exact, NOW).terms.map((t) => t.text)).toEqual(['b'.repeat(MAX_TERM_LENGTH), 'c']);
  });

  it(`reads only the first ${MAX_QUERY_LENGTH} characters`, () => {
    const q = parseSearchQuery('a '.repeat(10_000) + 'from:bob', NOW);
    expect(q.from).toEqual([]);
    expect(q.problems).toContain(`Only the first ${MAX_QUERY_LENGTH} characters of the search are used.`);
  });
});

describe('parseSearchQuery: filters', () => {
  type Expect = Partial<Omit<SearchQuery, 'problems'>> & { problems?: string[] };
  it.each<[string, Expect]>([
    ['from:bob', { from: ['bob'], terms: [] }],
    ['FROM:Bob', { from: ['Bob'] }],
    ['from:"Ada Lovelace" hi', { from: ['Ada Lovelace'], terms: [word('hi')] }],
    ['from:"Ada', { from: ['Ada'] }],
    ['from:me from:bob from:ME', { from: ['me', 'bob'] }],
    ['in:team', { in: ['team'] }],
    ['in:"Book club" in:rocket', { in: ['Book club', 'rocket'] }],
    ['has:file', { hasFile: true }],
    ['has:FILES', { hasFile: true }],
    ['has:attachment', { hasFile: true }],
    ['has:link', { hasFile: false, problems: ['Unknown "has:link"; only has:file is supported.'] }],
    ['before:2024-03-01', { before: day(2024, 3, 1) }],
    ['after:2024-03-01', { after: day(2024, 3, 2) - 1 }],
    ['before:2024-3-1', { before: day(2024, 3, 1) }],
    ['before:today', { before: day(2024, 3, 13) }],
    ['after:yesterday', { after: day(2024, 3, 13) - 1 }],
    ['before:Yesterday', { before: day(2024, 3, 12) }],
    ['before:2024-03-05 before:2024-03-01', { before: day(2024, 3, 1) }],
    ['after:2024-03-01 after:2024-03-05', { after: day(2024, 3, 6) - 1 }],
    ['before:"2024-03-01"', { before: day(2024, 3, 1) }],
    [
      'before:tomorow',
      {
        before: undefined,
        problems: ['Unknown date "tomorow" in before: (use YYYY-MM-DD, today or yesterday).'],
      },
    ],
    ['before:2024-02-30', { before: undefined }],
    ['after:2024-13-01', { after: undefined }],
    ['after:99999-01-01', { after: undefined }],
    ['from:', { from: [], problems: ['Nothing after "from:"; that filter was ignored.'] }],
    ['from: bob', { from: [], terms: [word('bob')] }],
    ['-from:bob', { from: [], problems: ['"-from:" is not supported; that filter was ignored.'] }],
    ['-in:x -has:file', { in: [], hasFile: false }],
    ['to:bob', { terms: [word('to:bob')] }],
    ['body:x', { terms: [word('body:x')] }],
    ['from:bob:x', { from: ['bob:x'] }],
    ['in:"a""b"', { in: ['a'], terms: [phrase('b')] }],
  ])('%j', (input, expected) => {
    const q = parseSearchQuery(input, NOW);
    const { problems, ...rest } = expected;
    for (const key of Object.keys(rest) as Array<keyof typeof rest>) expect(q[key]).toEqual(rest[key]);
    if (problems) expect(q.problems).toEqual(problems);
  });

  it('says when the dates exclude each other', () => {
    const q = parseSearchQuery('after:2024-03-05 before:2024-03-01', NOW);
    expect(q.problems).toContain(
      'The after: date is not earlier than the before: date, so nothing can match.',
    );
    expect(parseSearchQuery('after:2024-03-01 before:2024-03-03', NOW).problems).toEqual([]);
  });

  it(`keeps at most ${MAX_FILTER_VALUES} values per filter`, () => {
    const input = Array.from({ length: 12 }, (_, i) => `in:c${i}`).join(' ');
    const q = parseSearchQuery(input, NOW);
    expect(q.in).toHaveLength(MAX_FILTER_VALUES);
    expect(q.problems).toContain(`Only the first ${MAX_FILTER_VALUES} in: filters are used.`);
  });

  it('cuts a long filter value', () => {
    expect(parseSearchQuery(`in:${'n'.repeat(500)}`, NOW).in[0]).toHaveLength(MAX_TERM_LENGTH);
  });

  it('uses the current time when none (or an invalid one) is given', () => {
    const today = new Date();
    const start = new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
    expect(parseSearchQuery('before:today').before).toBe(start);
    expect(parseSearchQuery('before:today', new Date(Number.NaN)).before).toBe(start);
  });
});

describe('parseDay', () => {
  it('counts days on the calendar, so a DST day is 23 or 25 hours, and rolls over months and years', () => {
    expect(parseDay('2024-01-01', NOW)).toEqual({ start: day(2024, 1, 1), nextStart: day(2024, 1, 2) });
    expect(parseDay('2023-12-31', NOW)?.nextStart).toBe(day(2024, 1, 1));
    expect(parseDay('2024-02-29', NOW)).not.toBeNull();
    expect(parseDay('2023-02-29', NOW)).toBeNull();
    expect(parseDay('yesterday', new Date(2024, 0, 1, 0, 5))?.start).toBe(day(2023, 12, 31));
  });
});

describe('parseSearchQuery is total', () => {
  it('never throws and always returns the full shape', () => {
    const inputs = [
      '"'.repeat(1001),
      '-'.repeat(5000),
      ':'.repeat(300),
      'from:"'.repeat(200),
      '\u0000'.repeat(10),
      '*'.repeat(10_000),
      '😀'.repeat(5000),
      'x'.repeat(100_000),
      '\uD800'.repeat(50),
      'a\u0301'.repeat(2000),
      "'); DROP TABLE messages; --",
      'before:2024-01-01 after:1970-01-01 in: from: has:',
    ];
    for (const input of inputs) {
      const q = parseSearchQuery(input, NOW);
      expect(Array.isArray(q.terms)).toBe(true);
      expect(q.terms.length).toBeLessThanOrEqual(MAX_TERMS);
      for (const t of q.terms) expect(t.text.length).toBeLessThanOrEqual(MAX_TERM_LENGTH);
      expect(Array.isArray(q.problems)).toBe(true);
    }
  });

  it('tolerates a non-string from untyped callers', () => {
    expect(parseSearchQuery(undefined as unknown as string, NOW).terms).toEqual([]);
  });
});
