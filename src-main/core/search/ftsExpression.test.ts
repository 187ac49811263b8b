import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFtsExclusion, toFtsMatch } from './ftsExpression';
import { parseSearchQuery, type SearchTerm } from './searchQuery';

const w = (text: string, negated = false): SearchTerm => ({
  kind: 'word',
  text,
  ...(negated ? { negated } : {}),
});
const p = (text: string): SearchTerm => ({ kind: 'phrase', text });
const x = (text: string, negated = false): SearchTerm => ({
  kind: 'prefix',
  text,
  ...(negated ? { negated } : {}),
});

describe('toFtsMatch', () => {
  it.each<[SearchTerm[], string | null]>([
    [[], null],
    [[w('hello')], '"hello"'],
    [[w('hello'), w('world')], '("hello" AND "world")'],
    [[p('hello world')], '"hello world"'],
    [[x('caf')], '"caf"*'],
    [[p('new yo')].map((t) => ({ ...t, kind: 'prefix' as const })), '"new yo"*'],
    [[w('a'), w('b', true)], '"a" NOT "b"'],
    [[w('a'), w('b'), w('c', true), x('d', true)], '("a" AND "b") NOT "c" NOT "d"*'],
    [[w('b', true)], null],
    [[w('b', true), w('c', true)], null],
    [[w('say "hi"')], '"say ""hi"""'],
    [[w('"')], null],
    [[w('...'), w('?!')], null],
    [[w('😀')], null],
    [[w('...'), w('ok')], '"ok"'],
    [[w('AND')], '"AND"'],
    [[w('NEAR(a b)')], '"NEAR(a b)"'],
    [[w('body:x')], '"body:x"'],
    [[w('^x')], '"^x"'],
    [[w('a\u0000b')], '"ab"'],
    [[w('\u0000')], null],
    [[w('\uE000')], '"\uE000"'],
  ])('%j → %j', (terms, expected) => {
    expect(toFtsMatch(terms)).toBe(expected);
  });
});

describe('toFtsExclusion', () => {
  it.each<[SearchTerm[], string | null]>([
    [[], null],
    [[w('a')], null],
    [[w('a', true)], '"a"'],
    [[w('a', true), x('b"c', true), w('d')], '"a" OR "b""c"*'],
    [[w('!!', true)], null],
  ])('%j → %j', (terms, expected) => {
    expect(toFtsExclusion(terms)).toBe(expected);
  });
});

/**
 * The expression is run against a real FTS5 table with the production
 * tokenizer: whatever the terms, SQLite accepts it, and a quoted keyword or
 * operator character is searched as text, never obeyed.
 */
describe('toFtsMatch against FTS5', () => {
  let db: Database.Database;
  const search = (terms: SearchTerm[]): number[] => {
    const match = toFtsMatch(terms);
    if (match === null) return [];
    return (
      db.prepare('SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid').all(match) as Array<{ rowid: number }>
    ).map((r) => r.rowid);
  };

  beforeAll(() => {
    db = new Database(':memory:');
    db.exec(
      `CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')`,
    );
    const insert = db.prepare('INSERT INTO t (rowid, body) VALUES (?, ?)');
    [
      'apples AND oranges',
      'apples oranges',
      'near the river',
      'body text here',
      'say "hi" to her',
      'a caret ^ sign',
      'not now',
    ].forEach((body, i) => insert.run(i + 1, body));
  });
  afterAll(() => db.close());

  it('searches keywords as words', () => {
    expect(search([w('AND')])).toEqual([1]);
    expect(search([w('NEAR')])).toEqual([3]);
    expect(search([w('NOT')])).toEqual([7]);
    expect(search([w('apples'), w('OR'), w('oranges')])).toEqual([]);
  });

  it('searches operator characters as separators, not syntax', () => {
    expect(search([w('body:text')])).toEqual([4]);
    expect(search([w('^caret')])).toEqual([6]);
    expect(search([w('"hi"')])).toEqual([5]);
    expect(search([w('apples'), w('oranges', true)])).toEqual([]);
    expect(search([w('apples'), w('and', true)])).toEqual([2]);
    expect(search([p('apples oranges')])).toEqual([2]);
    expect(search([x('ora')])).toEqual([1, 2]);
  });

  it('is accepted by FTS5 for any parsed input', () => {
    const alphabet = [
      '"',
      '*',
      '-',
      ':',
      '^',
      '(',
      ')',
      ' ',
      'NEAR',
      'AND',
      'OR',
      'NOT',
      'a',
      'é',
      '\u0000',
      '😀',
      '+',
      '{',
      '}',
      ',',
    ];
    let seed = 1;
    const random = (n: number): number => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    for (let i = 0; i < 1000; i++) {
      let input = '';
      const length = random(20);
      for (let j = 0; j < length; j++) input += alphabet[random(alphabet.length)];
      const terms = parseSearchQuery(input).terms;
      expect(() => search(terms), JSON.stringify(input)).not.toThrow();
    }
  });
});
