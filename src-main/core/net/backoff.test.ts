import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const config = { baseMs: 100, maxMs: 1000, factor: 2 };
  it('grows exponentially with equal jitter and stays under the cap', () => {
    expect(backoffDelay(config, 0, () => 0)).toBe(50);
    expect(backoffDelay(config, 0, () => 0.999)).toBeCloseTo(99.95);
    expect(backoffDelay(config, 3, () => 0)).toBe(400);
    expect(backoffDelay(config, 10, () => 0.999)).toBeLessThan(1000);
    expect(backoffDelay(config, 10_000, () => 0)).toBe(500);
  });
});
