import { describe, expect, it } from 'vitest';
import { posixTimeLocale, timeLocaleFrom } from './timeLocale';

describe('time locale', () => {
  it('reads POSIX locales: LC_ALL, then LC_TIME, then LANG', () => {
    expect(posixTimeLocale({ LANG: 'en_US.UTF-8', LC_TIME: 'en_GB.UTF-8' })).toBe('en-GB');
    expect(posixTimeLocale({ LANG: 'en_US.UTF-8', LC_TIME: 'en_GB.UTF-8', LC_ALL: 'de_DE@euro' })).toBe(
      'de-DE',
    );
    expect(posixTimeLocale({ LANG: 'en_US.UTF-8', LC_ALL: '' })).toBe('en-US');
  });

  it('leaves the default for C, POSIX and nonsense', () => {
    expect(posixTimeLocale({ LANG: 'C.UTF-8' })).toBeNull();
    expect(posixTimeLocale({ LC_ALL: 'POSIX' })).toBeNull();
    expect(posixTimeLocale({})).toBeNull();
    expect(timeLocaleFrom(['not a locale!', 'sv-SE'])).toBe('sv-SE');
  });
});
