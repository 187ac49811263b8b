/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half is
 * random, so peers that lost the same network at the same moment do not all
 * come back in lockstep, yet no retry comes sooner than half the nominal delay.
 */
export interface BackoffConfig {
  /** Delay before the first retry, in ms. */
  baseMs: number;
  /** Upper bound on any delay, in ms. */
  maxMs: number;
  /** Growth per attempt. */
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { baseMs: 500, maxMs: 60_000, factor: 2 };

/** The delay before retry number `attempt` (0 = first retry). `random` returns [0, 1). */
export function backoffDelay(config: BackoffConfig, attempt: number, random: () => number): number {
  const nominal = Math.min(config.maxMs, config.baseMs * Math.pow(config.factor, Math.min(attempt, 64)));
  return nominal / 2 + (nominal / 2) * random();
}
