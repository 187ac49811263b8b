import { describe, expect, it } from 'vitest';
import { parseFormatting, type FormatNode } from './formatting';

const t = (text: string): FormatNode => ({ type: 'text', text });

describe('message formatting', () => {
  it('leaves plain text as one text node', () => {
    expect(parseFormatting('just words, 2*3*4 = 24 and file_name_here')).toEqual([
      t('just words, 2*3*4 = 24 and file_name_here'),
    ]);
  });

  it('renders bold, italic, strikethrough and inline code', () => {
    expect(parseFormatting('**bold** _it_ *it2* ~~gone~~ `x_y*z`')).toEqual([
      { type: 'bold', children: [t('bold')] },
      t(' '),
      { type: 'italic', children: [t('it')] },
      t(' '),
      { type: 'italic', children: [t('it2')] },
      t(' '),
      { type: 'strike', children: [t('gone')] },
      t(' '),
      { type: 'code', text: 'x_y*z' },
    ]);
  });

  it('nests marks', () => {
    expect(parseFormatting('**very _much_ so**')).toEqual([
      { type: 'bold', children: [t('very '), { type: 'italic', children: [t('much')] }, t(' so')] },
    ]);
  });

  it('needs a non-space inside the marks, so stray stars stay as typed', () => {
    expect(parseFormatting('a ** b ** c')).toEqual([t('a ** b ** c')]);
    expect(parseFormatting('* not a list *')).toEqual([t('* not a list *')]);
    expect(parseFormatting('**unclosed')).toEqual([t('**unclosed')]);
    expect(parseFormatting('****')).toEqual([t('****')]);
  });

  it('keeps links whole: marks inside a URL are not formatting', () => {
    const nodes = parseFormatting('see https://x.org/a_b_c and _this_');
    expect(nodes).toEqual([
      t('see '),
      { type: 'link', text: 'https://x.org/a_b_c', link: { kind: 'web', url: 'https://x.org/a_b_c' } },
      t(' and '),
      { type: 'italic', children: [t('this')] },
    ]);
    expect(parseFormatting('**https://x.org**')).toEqual([
      {
        type: 'bold',
        children: [{ type: 'link', text: 'https://x.org', link: { kind: 'web', url: 'https://x.org' } }],
      },
    ]);
  });

  it('renders fenced code blocks verbatim, dropping the language word', () => {
    expect(parseFormatting('before\n```ts\nconst a = **b**;\n<b>x</b>\n```\nafter')).toEqual([
      t('before'),
      { type: 'codeblock', text: 'const a = **b**;\n<b>x</b>' },
      t('after'),
    ]);
    expect(parseFormatting('``` ```')).toEqual([t('``` ```')]);
  });

  it('keeps HTML as text', () => {
    expect(parseFormatting('<img src=x onerror=alert(1)> **<b>**')).toEqual([
      t('<img src=x onerror=alert(1)> '),
      { type: 'bold', children: [t('<b>')] },
    ]);
  });

  it('stays linear on hostile input', () => {
    const hostile = '**a '.repeat(20_000) + '_b '.repeat(20_000) + '~~'.repeat(10_000);
    const nodes = parseFormatting(hostile);
    expect(nodes.map((n) => (n.type === 'text' ? n.text : '')).join('')).toBe(hostile);
    const deep = '**_~~'.repeat(50) + 'x' + '~~_**'.repeat(50);
    expect(() => parseFormatting(deep)).not.toThrow();
  });
});
