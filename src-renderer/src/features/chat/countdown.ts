/**
 * The per-message countdown of a disappearing message (issue #17 item 5):
 * short text for the bubble ("45s", "4m", "23h", "3d"), words for screen
 * readers, and when the short text next changes, so a row re-renders only
 * then (once a second in the last minute, once a minute in the last hour…).
 */
export interface Countdown {
  short: string;
  long: string;
  /** Milliseconds until `short` changes (at least 250). */
  nextChangeMs: number;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const UNITS: ReadonlyArray<{ size: number; short: string; word: string }> = [
  { size: DAY, short: 'd', word: 'day' },
  { size: HOUR, short: 'h', word: 'hour' },
  { size: MINUTE, short: 'm', word: 'minute' },
  { size: SECOND, short: 's', word: 'second' },
];

export function countdown(expiresAt: number, now: number): Countdown {
  const left = Math.max(0, expiresAt - now);
  // The largest unit with at least one whole of it left; counts round up ("1m" until the last second of it).
  const unit = UNITS.find((u) => left > u.size) ?? { size: SECOND, short: 's', word: 'second' };
  const n = Math.max(1, Math.ceil(left / unit.size));
  // The count drops at the next multiple of the unit below `left`.
  const toNext = left - (n - 1) * unit.size;
  return {
    short: `${n}${unit.short}`,
    long: `Disappears in ${n} ${unit.word}${n === 1 ? '' : 's'}`,
    nextChangeMs: Math.max(250, toNext),
  };
}
