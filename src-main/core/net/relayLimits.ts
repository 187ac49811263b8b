import type { BucketConfig } from './tokenBucket';

/** What a contact relay allows (contactRelay.ts), apart from it so that naming them does not load the relay. */
export interface RelayLimits {
  /** Reservations held at once. */
  maxReservations: number;
  /** How long one reservation lasts before its holder must renew it, ms. */
  reservationTtlMs: number;
  /** How long one relayed connection may stay open, ms. */
  durationLimitMs: number;
  /** Bytes one relayed connection may carry (both directions together). */
  dataLimitBytes: number;
  /** Relayed connections open at once (STOP streams this relay opens). */
  maxRelayedConnections: number;
  /** CONNECT requests from one source PeerId to one destination: a burst and a refill rate. */
  connectsPerPair: BucketConfig;
  /** CONNECT requests per source PeerId, to all destinations together. */
  connectsPerSource: BucketConfig;
  /** CONNECT requests from everyone together (PeerIds are free to mint). */
  connectsInTotal: BucketConfig;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  maxReservations: 64,
  reservationTtlMs: 60 * 60_000,
  durationLimitMs: 60 * 60_000,
  dataLimitBytes: 1024 * 1024 * 1024,
  maxRelayedConnections: 128,
  // A source reconnects to a contact after every restart and drop, sometimes
  // twice: a burst of 20 towards one destination, then one a second. One
  // bucket per source (a burst of 10, then one every 2 s) made the 9th and
  // 10th of ten back-to-back restarts wait for a token (the first-message
  // bench, docs/protocol.md §14.8); 3 and 6 a minute made it wait 8-14 s.
  connectsPerPair: { capacity: 20, refillPerSecond: 1 },
  // A source's fan-out over all destinations: a device reconnecting to
  // several contacts reserved here. Below the total, so one source (a
  // stranger's PeerId) never takes everyone's budget.
  connectsPerSource: { capacity: 30, refillPerSecond: 1 },
  // PeerIds are free to mint: everyone together.
  connectsInTotal: { capacity: 60, refillPerSecond: 2 },
};
