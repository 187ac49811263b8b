import { describe, expect, it } from 'vitest';
import { countdown } from './countdown';

const s = 1_000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('disappearing message countdown', () => {
  it('uses the largest unit, rounding up', () => {
    expect(countdown(45 * s, 0).short).toBe('45s');
    expect(countdown(4 * m + 10 * s, 0).short).toBe('5m');
    expect(countdown(23 * h, 0).short).toBe('23h');
    expect(countdown(3 * d + h, 0).short).toBe('4d');
    expect(countdown(28 * d, 0).short).toBe('28d');
  });

  it('says it in words for screen readers', () => {
    expect(countdown(1 * s, 0).long).toBe('Disappears in 1 second');
    expect(countdown(2 * h, 0).long).toBe('Disappears in 2 hours');
  });

  it('changes when the count drops, not before', () => {
    // 5m shown for 4m10s left: becomes 4m in 10 s.
    expect(countdown(4 * m + 10 * s, 0).nextChangeMs).toBe(10 * s);
    // 2m left exactly: "2m" for a whole minute, then "1m".
    expect(countdown(2 * m, 0).nextChangeMs).toBe(m);
    expect(countdown(30 * s, 0).nextChangeMs).toBe(s);
  });

  it('never goes below one second or negative, and never asks for a busy loop', () => {
    expect(countdown(0, 5 * s)).toEqual({ short: '1s', long: 'Disappears in 1 second', nextChangeMs: 250 });
  });
});
