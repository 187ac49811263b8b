import { describe, expect, it } from 'vitest';
import { applyAppearance, DEFAULT_APPEARANCE, parseAppearance } from './appearance';

describe('parseAppearance', () => {
  it('reads a stored choice', () => {
    expect(parseAppearance('{"theme":"dark","textSize":"larger"}')).toEqual({
      theme: 'dark',
      textSize: 'larger',
    });
  });

  it('falls back key by key for nothing stored, damaged JSON and unknown values', () => {
    expect(parseAppearance(null)).toEqual(DEFAULT_APPEARANCE);
    expect(parseAppearance('{ not json')).toEqual(DEFAULT_APPEARANCE);
    expect(parseAppearance('"dark"')).toEqual(DEFAULT_APPEARANCE);
    expect(parseAppearance('{"theme":"neon","textSize":"large"}')).toEqual({
      theme: 'system',
      textSize: 'large',
    });
    expect(parseAppearance('{"theme":"light","textSize":7}')).toEqual({
      theme: 'light',
      textSize: 'default',
    });
  });
});

describe('applyAppearance', () => {
  it('sets the root attributes the stylesheet reads, and removes them for the defaults', () => {
    const root = { dataset: {} as DOMStringMap };
    applyAppearance(root, { theme: 'dark', textSize: 'small' });
    expect({ ...root.dataset }).toEqual({ theme: 'dark', textSize: 'small' });
    applyAppearance(root, DEFAULT_APPEARANCE);
    expect({ ...root.dataset }).toEqual({});
  });
});
