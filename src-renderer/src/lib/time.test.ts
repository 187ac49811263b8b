import { describe, expect, it, vi } from 'vitest';
import {
  calendarDaysBetween,
  dayKey,
  formatClock,
  formatDateTime,
  formatDayLabel,
  formatRelative,
  formatStamp,
  isoDay,
  setTimeLocale,
} from './time';

const at = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min).getTime();

describe('time wording', () => {
  const now = at(2025, 6, 18, 15, 0);

  it('formats relative times for the home list', () => {
    expect(formatRelative(now - 10_000, now, 'en-GB')).toBe('now');
    expect(formatRelative(now - 5 * 60_000, now, 'en-GB')).toBe('5 min');
    expect(formatRelative(at(2025, 6, 18, 9, 5), now, 'en-GB')).toBe('09:05');
    expect(formatRelative(at(2025, 6, 17, 23, 59), now, 'en-GB')).toBe('Yesterday');
    expect(formatRelative(at(2025, 6, 14), now, 'en-GB')).toBe('Sat');
    expect(formatRelative(at(2025, 1, 2), now, 'en-GB')).toBe('2 Jan');
    expect(formatRelative(at(2024, 1, 2), now, 'en-GB')).toBe('2 Jan 2024');
  });

  // Issue 17 item 20: "06:06 PM" in the chat but "Dec 5, 2026, 6:06 PM" in search.
  it('writes one clock everywhere, the locale’s own short time', () => {
    const evening = at(2025, 6, 18, 18, 6);
    expect(formatClock(evening, 'en-US')).toMatch(/^6:06\s?PM$/);
    expect(formatClock(evening, 'en-GB')).toBe('18:06');
    expect(formatClock(evening, 'de-DE')).toBe('18:06');
    for (const locale of ['en-US', 'en-GB', 'de-DE']) {
      expect(formatDateTime(evening, locale)).toContain(formatClock(evening, locale));
      expect(formatStamp(at(2025, 6, 2, 18, 6), now, locale)).toContain(formatClock(evening, locale));
    }
  });

  it('stamps search results: clock today, Yesterday, then date and clock', () => {
    expect(formatStamp(at(2025, 6, 18, 9, 5), now, 'en-GB')).toBe('09:05');
    expect(formatStamp(at(2025, 6, 17, 9, 5), now, 'en-GB')).toBe('Yesterday 09:05');
    expect(formatStamp(at(2025, 6, 2, 9, 5), now, 'en-GB')).toBe('2 Jun, 09:05');
    expect(formatStamp(at(2024, 6, 2, 9, 5), now, 'en-GB')).toBe('2 Jun 2024, 09:05');
  });

  it('counts calendar days, not 24-hour spans', () => {
    expect(calendarDaysBetween(at(2025, 6, 17, 23, 59), at(2025, 6, 18, 0, 1))).toBe(1);
    expect(calendarDaysBetween(at(2025, 6, 18, 0, 1), at(2025, 6, 18, 23, 59))).toBe(0);
    expect(calendarDaysBetween(at(2025, 3, 29), at(2025, 3, 31))).toBe(2);
  });

  it('labels day separators', () => {
    expect(formatDayLabel(now - 60_000, now, 'en-GB')).toBe('Today');
    expect(formatDayLabel(at(2025, 6, 17), now, 'en-GB')).toBe('Yesterday');
    expect(formatDayLabel(at(2025, 6, 1), now, 'en-GB')).toMatch(/^Sunday,? 1 June$/);
    expect(formatDayLabel(at(2024, 6, 1), now, 'en-GB')).toMatch(/^Saturday,? 1 June 2024$/);
  });

  it('keys days and prints ISO days in local time', () => {
    expect(dayKey(at(2025, 6, 18, 0, 0))).toBe(dayKey(at(2025, 6, 18, 23, 59)));
    expect(dayKey(at(2025, 6, 18))).not.toBe(dayKey(at(2025, 6, 19)));
    expect(isoDay(at(2025, 2, 3))).toBe('2025-02-03');
  });
});

describe('time formatters', () => {
  // A chat row formats two times per render; building a formatter each time cost opening a
  // conversation tens of milliseconds (issue 17, "open a 100k conversation").
  it('builds each formatter once and reuses it, per locale', () => {
    const built = vi.spyOn(Intl, 'DateTimeFormat');
    try {
      const t = new Date(2025, 5, 18, 15, 0).getTime();
      for (let i = 0; i < 50; i++) {
        formatClock(t + i * 60_000, 'en-GB');
        formatDateTime(t + i * 60_000, 'en-GB');
      }
      expect(formatClock(t, 'en-US')).toBe('3:00 PM');
      expect(formatClock(t, 'en-GB')).toBe('15:00');
      expect(built.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      built.mockRestore();
    }
  });
});

describe('the region locale', () => {
  it('is the default of every time once set, and null gives the page default back', () => {
    const t = new Date(2025, 5, 18, 15, 0).getTime();
    try {
      setTimeLocale('en-GB');
      expect(formatClock(t)).toBe('15:00');
      setTimeLocale('en-US');
      expect(formatClock(t)).toBe('3:00 PM');
      // A caller naming a locale still gets that one.
      expect(formatClock(t, 'en-GB')).toBe('15:00');
      setTimeLocale(null);
      expect(formatClock(t)).toBe(new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(t));
    } finally {
      setTimeLocale(null);
    }
  });
});
