import { describe, expect, it } from 'vitest';
import data from 'emojibase-data/en/data.json';
import github from 'emojibase-data/en/shortcodes/github.json';
import { buildCatalog } from './emojiCatalog';
import { RECENT_LIMIT, searchEmoji, withRecent } from './emojiSearch';

const catalog = buildCatalog(data, github);
const find = (q: string) => searchEmoji(catalog, q).map((e) => e.emoji);

describe('emoji search', () => {
  it('holds the full set, without components or emoji newer than the bundled font', () => {
    expect(catalog.length).toBeGreaterThan(1800);
    expect(catalog.some((e) => e.emoji === '🏻')).toBe(false);
    // Emoji 17.0 (2025): the bundled Noto font has no glyph for it.
    expect(catalog.some((e) => e.label === 'distorted face')).toBe(false);
  });

  it('finds by name, best match first', () => {
    expect(find('thumbs up')[0]).toBe('👍');
    expect(find('thumbs')).toEqual(expect.arrayContaining(['👍', '👎']));
    expect(find('THUMBS   UP')[0]).toBe('👍');
    expect(find('red heart')[0]).toBe('❤️');
  });

  it('finds by keyword and shortcode', () => {
    expect(find('party')).toContain('🎉');
    expect(find(':+1:')).toContain('👍');
    expect(find('lol')).toContain('😂');
    expect(find('tada')).toContain('🎉');
  });

  it('matches every word of the query as a prefix', () => {
    const results = searchEmoji(catalog, 'cat fa');
    expect(results.map((e) => e.emoji)).toContain('🐱');
    expect(results.every((e) => e.terms.some((t) => t.startsWith('cat')))).toBe(true);
  });

  it('finds nothing for empty, odd or hostile queries, without throwing', () => {
    expect(find('')).toEqual([]);
    expect(find('   ')).toEqual([]);
    expect(find('zzzzqqq')).toEqual([]);
    expect(find('<img src=x>')).toEqual([]);
    expect(find('.*+?^${}()|[]\\')).toEqual([]);
  });

  it('keeps recent emoji most recent first, once each, bounded', () => {
    let recent: string[] = [];
    for (const e of ['👍', '🎉', '👍']) recent = withRecent(recent, e);
    expect(recent).toEqual(['👍', '🎉']);
    for (let i = 0; i < 40; i++) recent = withRecent(recent, String(i));
    expect(recent).toHaveLength(RECENT_LIMIT);
    expect(recent[0]).toBe('39');
  });
});
