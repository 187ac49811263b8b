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
  /** CONNECT requests per source PeerId: a burst and a refill rate. */
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
  // A source reconnects after every restart and drop, and several of its
  // requests may dial at once (delivery, presence, files): a burst of 10,
  // then one every 2 s. The first-message bench ran into the earlier 3 and
  // 6 a minute (PERMISSION_DENIED, then the dialler's backoff: 8-14 s).
  connectsPerSource: { capacity: 10, refillPerSecond: 30 / 60 },
  connectsInTotal: { capacity: 30, refillPerSecond: 1 },
};
