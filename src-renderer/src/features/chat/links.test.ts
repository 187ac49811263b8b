import { describe, expect, it } from 'vitest';
import { splitLinks } from './links';

describe('links in a message', () => {
  it('finds web and invite links and leaves the rest as text', () => {
    expect(splitLinks('see https://example.org/a?b=1, and parley://invite/AbC_12 now.')).toEqual([
      { text: 'see ' },
      { text: 'https://example.org/a?b=1', link: { kind: 'web', url: 'https://example.org/a?b=1' } },
      { text: ', and ' },
      { text: 'parley://invite/AbC_12', link: { kind: 'invite', url: 'parley://invite/AbC_12' } },
      { text: ' now.' },
    ]);
  });

  it('keeps a closing parenthesis that belongs to the URL, drops trailing punctuation', () => {
    expect(splitLinks('(https://en.wikipedia.org/wiki/Tea_(drink))')[1]?.link?.url).toBe(
      'https://en.wikipedia.org/wiki/Tea_(drink)',
    );
    expect(splitLinks('go to http://x.org!')[1]?.link?.url).toBe('http://x.org');
  });

  it('never turns other schemes into links', () => {
    for (const text of ['javascript:alert(1)', 'file:///etc/passwd', 'parley://settings', 'ftp://x.org']) {
      expect(
        splitLinks(text).every((s) => !s.link),
        text,
      ).toBe(true);
    }
    expect(splitLinks('plain text')).toEqual([{ text: 'plain text' }]);
  });
});
