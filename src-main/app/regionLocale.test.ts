import { describe, expect, it } from 'vitest';
import { regionTimeLocale, type LocaleSource } from './regionLocale';

const source = (system: string, languages: string[]): LocaleSource => ({
  getSystemLocale: () => system,
  getPreferredSystemLanguages: () => languages,
});

describe('regionTimeLocale', () => {
  it('takes the region format, not the UI language', () => {
    // An English UI with a German region: times as in Germany.
    expect(regionTimeLocale(source('de-DE', ['en-US', 'de-DE']))).toBe('de-DE');
    expect(regionTimeLocale(source('en-GB', ['en-US']))).toBe('en-GB');
  });

  it('falls back to the preferred languages, then to none', () => {
    expect(regionTimeLocale(source('', ['fr-CA', 'en-US']))).toBe('fr-CA');
    expect(regionTimeLocale(source('C', []))).toBeNull();
    expect(regionTimeLocale(source('', []))).toBeNull();
  });

  it('accepts the OS spelling and survives an OS that throws', () => {
    expect(regionTimeLocale(source('en_GB.UTF-8', []))).toBe('en-GB');
    const broken: LocaleSource = {
      getSystemLocale: () => {
        throw new Error('not ready');
      },
      getPreferredSystemLanguages: () => [],
    };
    expect(regionTimeLocale(broken)).toBeNull();
  });
});
