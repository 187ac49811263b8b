import { circuitRelayServer, type CircuitRelayServerInit } from '@libp2p/circuit-relay-v2';
import { start, stop, type PeerId } from '@libp2p/interface';
import type { Logger } from '../util/logger';
import { peerTag } from './protocolService';
import { PeerRateLimiter } from './tokenBucket';

/**
 * A relay for contacts (issue 19 item 1; docs/protocol.md §14.2, §14.3): the
 * circuit relay v2 HOP service (libp2p spec relay/circuit-v2.md) that a
 * reachable node runs so its contacts behind NAT can be reached through it.
 *
 * - RESERVE: granted only to a device of one of our contacts that is not
 *   blocked (`mayReserve`, the contacts directory asked per request); anyone
 *   else gets PERMISSION_DENIED and nothing is stored.
 * - CONNECT: anyone may ask to be connected to a device holding a reservation
 *   (that is how a contact of our contact who is not ours reaches it; the
 *   destination applies its own access rules to the Noise-authenticated
 *   source). Rate-limited per source and destination, per source, and in
 *   total; over a limit the answer is PERMISSION_DENIED. The source's own connection to us counts
 *   against the stranger budget (strangerGate.ts) like any stranger's.
 * - Limits per relayed connection: libp2p's defaults (2 min, 128 KiB) fit a
 *   hole-punch handshake, not a conversation with files. Parley's relays carry
 *   the conversation itself, so: 60 min and 1 GiB (both directions counted
 *   together, as js-libp2p counts), after which the relay resets the circuit
 *   and both ends redial; delivery and file transfers resume.
 */

import type { RelayLimits } from './relayLimits';
import type { RelayReservations } from './relayReservations';

export { DEFAULT_RELAY_LIMITS, type RelayLimits } from './relayLimits';

export interface ContactRelayNeeds {
  /** A device of a contact that is not blocked (may hold a reservation here). */
  mayReserve(peer: string): boolean;
  /** A blocked peer is never relayed, in either role. */
  isBlocked(peer: string): boolean;
  logger: Logger;
  clock: () => number;
}

export interface RelayCounts {
  reservationsRefused: number;
  connectsRefused: number;
  connectsRelayed: number;
}

/** The connection-gater hooks libp2p's relay server consults, backed by the contacts directory. */
export class RelayGate {
  private readonly perPair: PeerRateLimiter;
  private readonly perSource: PeerRateLimiter;
  private readonly counts: RelayCounts = { reservationsRefused: 0, connectsRefused: 0, connectsRelayed: 0 };

  constructor(
    private readonly needs: ContactRelayNeeds,
    /** The limits this relay applies (shown in Settings → Network). */
    readonly limits: RelayLimits,
  ) {
    const now = needs.clock();
    this.perPair = new PeerRateLimiter(limits.connectsPerPair, undefined, 1_024, now);
    this.perSource = new PeerRateLimiter(limits.connectsPerSource, limits.connectsInTotal, 1_024, now);
  }

  /** libp2p's `denyInboundRelayReservation`: true refuses (PERMISSION_DENIED). */
  readonly denyReservation = (source: PeerId): boolean => {
    const peer = source.toString();
    if (this.needs.mayReserve(peer) && !this.needs.isBlocked(peer)) return false;
    this.counts.reservationsRefused += 1;
    this.needs.logger.log('debug', 'net.relay.reservation_refused', { peer: peerTag(peer) });
    return true;
  };

  /** libp2p's `denyOutboundRelayedConnection` (a CONNECT through us): true refuses. */
  readonly denyConnect = (source: PeerId, destination: PeerId): boolean => {
    const from = source.toString();
    const to = destination.toString();
    const refused =
      this.needs.isBlocked(from) ||
      this.needs.isBlocked(to) ||
      !this.needs.mayReserve(to) ||
      !this.withinRate(from, to);
    if (refused) {
      this.counts.connectsRefused += 1;
      this.needs.logger.log('debug', 'net.relay.connect_refused', { peer: peerTag(from) });
      return true;
    }
    this.counts.connectsRelayed += 1;
    return false;
  };

  /**
   * A token from the pair's bucket, then from the source's and the total one.
   * (A refusal by the second may have spent a pair token: it refills in a second.)
   */
  private withinRate(from: string, to: string): boolean {
    const now = this.needs.clock();
    return this.perPair.take(`${from}>${to}`, now) && this.perSource.take(from, now);
  }

  metrics(): RelayCounts {
    return { ...this.counts };
  }
}

/** The libp2p service factory of the relay, with Parley's limits. */
export function contactRelayService(limits: RelayLimits): ReturnType<typeof circuitRelayServer> {
  const init: CircuitRelayServerInit = {
    hopTimeout: 15_000,
    maxOutboundStopStreams: limits.maxRelayedConnections,
    reservations: {
      maxReservations: limits.maxReservations,
      reservationTtl: limits.reservationTtlMs,
      applyDefaultLimit: true,
      // js-libp2p's relay takes the duration in ms (it puts the same number in
      // the spec's Limit.duration, which is seconds; the client only reads it).
      defaultDurationLimit: limits.durationLimitMs,
      defaultDataLimit: BigInt(limits.dataLimitBytes),
    },
  };
  return circuitRelayServer(init);
}

type RelayFactory = ReturnType<typeof circuitRelayServer>;
type RelayService = ReturnType<RelayFactory>;

/**
 * The relay for a node that is reachable only sometimes (a UPnP mapping its
 * contacts confirmed; reachabilityCheck.ts): built with the node, serving HOP
 * only while `set(true)`. libp2p's relay server cannot start again once
 * stopped, so each switch-on builds a fresh one; switching off drops its
 * reservations (their holders reserve elsewhere, reservationKeeper.ts).
 */
export class ContactRelaySwitch {
  private inner: RelayService | null = null;
  private switching: Promise<void> = Promise.resolve();

  constructor(
    private readonly components: Parameters<RelayFactory>[0],
    private readonly factory: RelayFactory,
  ) {}

  readonly [Symbol.toStringTag] = 'parley/contact-relay-switch';

  start(): void {}

  async stop(): Promise<void> {
    await this.set(false);
  }

  get on(): boolean {
    return this.inner !== null;
  }

  /** The relay while it is on (its reservations); null while it is off. */
  get current(): RelayReservations | null {
    return this.inner;
  }

  /** Serves HOP (on) or stops (off); calls run one after the other. */
  set(on: boolean): Promise<void> {
    this.switching = this.switching.then(async () => {
      if (on && this.inner === null) {
        const relay = this.factory(this.components);
        // libp2p's start()/stop() call a service's own (its public type leaves them out).
        await start(relay);
        this.inner = relay;
      } else if (!on && this.inner !== null) {
        const relay = this.inner;
        this.inner = null;
        await stop(relay);
      }
    });
    return this.switching;
  }
}
