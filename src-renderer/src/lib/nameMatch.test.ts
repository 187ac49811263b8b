import { describe, expect, it } from 'vitest';
import { matchNames, nameMatches, nameQuery } from './nameMatch';

describe('name search', () => {
  it('folds case and accents; each word typed starts a word of the name', () => {
    expect(nameMatches('Zoë Ångström', ['zoe'])).toBe(true);
    expect(nameMatches('Zoë Ångström', ['ang'])).toBe(true);
    expect(nameMatches('Zoë Ångström', ['zo', 'ang'])).toBe(true);
    expect(nameMatches('Zoë Ångström', ['rom'])).toBe(false);
    expect(nameMatches('Book club', ['book', 'club'])).toBe(true);
    expect(nameMatches('Mary-Jane', ['jane'])).toBe(true);
  });

  it('leaves filtered or quoted queries to the message search', () => {
    expect(nameQuery('from:bob lunch')).toBeNull();
    expect(nameQuery('lunch before:2026-01-01')).toBeNull();
    expect(nameQuery('"exact phrase"')).toBeNull();
    expect(nameQuery('   ')).toBeNull();
    expect(nameQuery(' Bob  Sm* ')).toEqual(['bob', 'sm']);
  });

  it('puts names that start with the text first and stops at the limit', () => {
    const names = ['Anna Bob', 'Bob', 'Bobby Tables', 'Carl'];
    expect(matchNames(names, (n) => n, ['bob'], 10)).toEqual(['Bob', 'Bobby Tables', 'Anna Bob']);
    expect(matchNames(names, (n) => n, ['bob'], 2)).toEqual(['Bob', 'Bobby Tables']);
  });
});
