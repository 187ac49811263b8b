import { PROTOCOL_NAMES, type ProtocolName } from './limits';

/**
 * Counters of what the edge refused or could not parse, per protocol. They are
 * how tests (and a diagnostics screen) see that hostile input was dropped
 * rather than served; nothing else reads them.
 */
export const COUNTER_NAMES = [
  /** Bad length prefix, oversized, truncated, undecodable protobuf, wrong version, invalid field. */
  'malformedFrames',
  /** Streams from a blocked peer, reset before reading. */
  'blockedStreams',
  /** Streams from a peer we do not know on a protocol other than contact-request. */
  'unknownPeerStreams',
  /** Streams refused by a token bucket (contact requests, key package fetches). */
  'rateLimited',
  /** Inbound streams beyond the per-peer concurrency limit. */
  'streamLimit',
  /** A frame read/write or a handler that did not finish in time. */
  'timeouts',
  /** The caller-supplied handler threw: no ack was sent. */
  'handlerErrors',
  /** Inbound requests served to completion. */
  'served',
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];

export type ProtocolMetrics = Record<CounterName, Record<ProtocolName, number>> & {
  /** Connections refused by the connection gater because the peer is blocked. */
  deniedConnections: number;
};

/**
 * What the stranger gate (strangerGate.ts) refused or pruned. Declared here,
 * with the other counters, so the gate depends on the metrics and not the
 * other way round (the two with protocolService formed an import loop).
 */
export interface StrangerCounts {
  /** Stranger connections closed at once because their budget was full and none was idle. */
  strangerConnectionsRefused: number;
  /** Idle stranger connections closed: timed out, or to make room for a newer one. */
  strangerConnectionsPruned: number;
  /** Inbound TCP connections refused because their host had too many handshakes in progress. */
  handshakesRefused: number;
}

/** Everything `ParleyNode.metrics()` reports: per-protocol counters and the stranger budget's. */
export type NetMetrics = ProtocolMetrics & StrangerCounts;

export class NetCounters {
  private readonly counts = new Map<string, number>();
  private denied = 0;

  add(counter: CounterName, protocol: ProtocolName, by = 1): void {
    const key = `${counter}:${protocol}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + by);
  }

  deniedConnection(): void {
    this.denied += 1;
  }

  snapshot(): ProtocolMetrics {
    const out = { deniedConnections: this.denied } as ProtocolMetrics;
    for (const counter of COUNTER_NAMES) {
      const perProtocol = {} as Record<ProtocolName, number>;
      for (const protocol of PROTOCOL_NAMES) {
        perProtocol[protocol] = this.counts.get(`${counter}:${protocol}`) ?? 0;
      }
      out[counter] = perProtocol;
    }
    return out;
  }
}
