import type { AbortOptions, PeerId, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../util/logger';
import type { NetLimits } from './limits';
import type { NetCounters } from './netMetrics';

/**
 * What the node hands every protocol service it composes: js-libp2p's
 * "components" (libp2p/src/components.ts), cut down to what a Parley protocol
 * uses. A protocol is a `factory(init) => (components) => Service`
 * (protocolService.ts), the shape of `ping(init)` or `identify(init)`.
 */

/** What a protocol needs from the libp2p node (the node itself satisfies this). */
export interface ProtocolHost {
  handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>;
  unhandle(protocol: string): Promise<void>;
  dialProtocol(
    peer: PeerId,
    protocol: string,
    options?: AbortOptions & { runOnLimitedConnection?: boolean },
  ): Promise<Stream>;
}

/**
 * Caller-supplied access decisions, consulted for every inbound stream. Kept
 * synchronous on purpose: the answer must come before a byte is read, so the
 * caller keeps these sets in memory (they are small).
 */
export interface PeerAccess {
  isBlocked(peerId: string): boolean;
  isKnown(peerId: string): boolean;
  /**
   * A contact request from this peer waits for the user's answer. Such a peer
   * is no stranger to the connection budget (strangerGate.ts), though it may
   * still use only the protocols open to unknown peers.
   */
  hasPendingRequest?(peerId: string): boolean;
}

/** The explicit list of what a protocol service gets from the node (DESIGN.md §1 rule 5). */
export interface ProtocolComponents {
  host: ProtocolHost;
  access: PeerAccess;
  counters: NetCounters;
  limits: NetLimits;
  logger: Logger;
  /** Milliseconds since the epoch; injectable so TTL and rate limits can be tested. */
  clock: () => number;
  /** This node's PeerId. */
  peerId: string;
  /** Whether this node has an open connection to `peer` right now. */
  isConnected(peer: string): boolean;
  /** The IP address `peer`'s direct (not relayed) open connection comes from, or null. */
  directHost(peer: string): string | null;
  /** Opens a new connection to `address` even when one is open, closes it, and says whose PeerId answered. */
  dialFresh(address: Multiaddr, options?: AbortOptions): Promise<string>;
}
