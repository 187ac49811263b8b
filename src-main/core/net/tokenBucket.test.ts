import { describe, expect, it } from 'vitest';
import { PeerRateLimiter, TokenBucket } from './tokenBucket';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the configured rate', () => {
    const b = new TokenBucket({ capacity: 3, refillPerSecond: 1 }, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(500)).toBe(false);
    expect(b.take(1000)).toBe(true);
    expect(b.take(100_000)).toBe(true);
    expect(b.isFull(200_000)).toBe(true);
  });
});

describe('PeerRateLimiter', () => {
  it('limits per peer and globally', () => {
    const l = new PeerRateLimiter(
      { capacity: 2, refillPerSecond: 0 },
      { capacity: 3, refillPerSecond: 0 },
      100,
      0,
    );
    expect([l.take('a', 0), l.take('a', 0), l.take('a', 0)]).toEqual([true, true, false]);
    expect([l.take('b', 0), l.take('c', 0)]).toEqual([true, false]);
  });

  it('remembers a bounded number of peers', () => {
    const l = new PeerRateLimiter({ capacity: 1, refillPerSecond: 0 }, undefined, 10, 0);
    for (let i = 0; i < 1000; i++) l.take(`peer-${i}`, 0);
    expect(l.trackedPeers).toBeLessThanOrEqual(10);
  });
});
