import type { BackoffConfig } from '../net/backoff';

export interface DeliveryOptions {
  backoff: BackoffConfig;
  /** Deadline for one direct send, ms. */
  sendTimeoutMs: number;
  /** Lifetime asked of holders, seconds. */
  ttlSeconds: number;
  /** Remote holders an envelope is deposited with (besides this device). */
  maxRemoteHolders: number;
  /** How often to fetch from connected holders (catches transient failures), ms. */
  fetchIntervalMs: number;
  /** How often the local mailbox drops expired envelopes, ms. */
  sweepIntervalMs: number;
  /** Envelopes looked at per pass. */
  batch: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  backoff: { baseMs: 1_000, maxMs: 5 * 60_000, factor: 2 },
  sendTimeoutMs: 15_000,
  ttlSeconds: 14 * 24 * 3600,
  maxRemoteHolders: 2,
  fetchIntervalMs: 60_000,
  sweepIntervalMs: 10 * 60_000,
  batch: 256,
};
