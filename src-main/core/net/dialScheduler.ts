import { errorFields, type Logger } from '../util/logger';
import { backoffDelay, type BackoffConfig } from './backoff';
import { dialsFirst } from './peerOrder';
import { peerTag } from './protocolService';
import { relayHasNoReservation } from './relayDialError';

/**
 * Who dials whom, and when. Two rules:
 *  - When both sides discover each other, only the lower PeerId dials at once;
 *    the higher one dials only if still unconnected after a grace period (in
 *    case the lower one cannot reach it, e.g. a one-way firewall).
 *  - Peers the caller asked to keep (its contacts) are redialled after every
 *    disconnect with exponential backoff and jitter, the higher side again
 *    waiting the grace period first, until connected or forgotten.
 * Peers that are only discovered get one dial per discovery (mDNS repeats
 * discovery every interval, which is the retry).
 *
 * Beyond one LAN (issue 19; docs/protocol.md §14.4), two refinements:
 *  - A peer that cannot dial us (we are behind NAT and it is on another
 *    network: a public relay, or a peer we reach only through one) is
 *    dialled without the grace period: waiting for its dial is waiting for
 *    nothing.
 *  - A kept peer whose relay answered NO_RESERVATION is (re)starting and
 *    about to reserve there again: it is retried through its relays only, on
 *    a short fixed interval, a bounded number of times, instead of falling
 *    into the exponential backoff (which put the first message seconds after
 *    the peer was reachable).
 */

export interface DialSchedulerNeeds {
  self: string;
  /** Opens a connection; rejects when it cannot. `relayedOnly`: through the peer's relayed addresses only. */
  dial(peer: string, how: { relayedOnly: boolean }): Promise<void>;
  /**
   * The peer cannot dial us (we are not reachable from its network): dial it
   * without the grace period. Absent: every peer may.
   */
  cannotDialUs?(peer: string): boolean;
  isConnected(peer: string): boolean;
  isBlocked(peer: string): boolean;
  logger: Logger;
  random: () => number;
}

export interface DialSchedulerOptions {
  /** How long the higher PeerId waits before dialling itself. */
  graceMs: number;
  backoff: BackoffConfig;
  /** After NO_RESERVATION: retry every `intervalMs`, at most `tries` times in a row. */
  relayRetry: { intervalMs: number; tries: number };
}

/** Retries after NO_RESERVATION: 4 a second for 5 s (a peer reserves within a second of starting). */
export const DEFAULT_RELAY_RETRY = { intervalMs: 250, tries: 20 };

interface PeerDialState {
  kept: boolean;
  attempt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** When the pending timer fires (Date.now() clock). */
  dueAt: number;
  dialing: boolean;
  /** Discovered again while a dial was in flight: if it fails, try the new addresses at once. */
  rediscovered: boolean;
  /** Quick retries after NO_RESERVATION made in a row (reset by a connection). */
  relayTries: number;
  /** The next dial goes through the peer's relays only. */
  relayedOnly: boolean;
}

export class DialScheduler {
  private readonly peers = new Map<string, PeerDialState>();
  private running = false;

  constructor(
    private readonly needs: DialSchedulerNeeds,
    private readonly options: DialSchedulerOptions,
  ) {}

  start(): void {
    this.running = true;
    for (const [peer, state] of this.peers) {
      if (state.kept) this.schedule(peer, state, this.firstDelay(peer));
    }
  }

  stop(): void {
    this.running = false;
    for (const [peer, state] of this.peers) {
      clearTimeout(state.timer);
      state.timer = undefined;
      if (!state.kept) this.peers.delete(peer);
    }
  }

  /** Keep a connection to `peer`: dial now (or after the grace period) and after every disconnect. */
  keep(peer: string): void {
    if (peer === this.needs.self) return;
    const state = this.state(peer);
    state.kept = true;
    if (this.running && !this.needs.isConnected(peer)) this.schedule(peer, state, this.firstDelay(peer));
  }

  /** Stop redialling `peer` (it is not disconnected). */
  forget(peer: string): void {
    const state = this.peers.get(peer);
    if (state === undefined) return;
    clearTimeout(state.timer);
    this.peers.delete(peer);
  }

  get keptPeers(): string[] {
    return [...this.peers].filter(([, s]) => s.kept).map(([p]) => p);
  }

  /** mDNS (or anything else) found `peer` at addresses already added to the peer store. */
  discovered(peer: string): void {
    if (!this.running || peer === this.needs.self) return;
    if (this.needs.isConnected(peer)) return;
    const state = this.state(peer);
    const delay = this.firstDelay(peer);
    if (state.dialing) {
      state.rediscovered = true;
      return;
    }
    // A kept peer's backoff retry may be far off, from a dial that failed
    // only because its addresses were stale: discovery just brought fresh
    // ones, so dial as for a new discovery if that is sooner.
    if (state.timer !== undefined && state.dueAt > Date.now() + delay) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
    // Fresh addresses may be direct ones: the next dial tries them all.
    state.relayedOnly = false;
    this.schedule(peer, state, delay);
  }

  connected(peer: string): void {
    const state = this.peers.get(peer);
    if (state === undefined) return;
    clearTimeout(state.timer);
    state.timer = undefined;
    state.attempt = 0;
    state.relayTries = 0;
    state.relayedOnly = false;
  }

  disconnected(peer: string): void {
    const state = this.peers.get(peer);
    if (!this.running || state === undefined || !state.kept) return;
    this.schedule(peer, state, this.retryDelay(peer, state.attempt));
  }

  private state(peer: string): PeerDialState {
    let state = this.peers.get(peer);
    if (state === undefined) {
      state = {
        kept: false,
        attempt: 0,
        timer: undefined,
        dueAt: 0,
        dialing: false,
        rediscovered: false,
        relayTries: 0,
        relayedOnly: false,
      };
      this.peers.set(peer, state);
    }
    return state;
  }

  /** Whether we wait for `peer` to dial first (it is the lower PeerId and can reach us). */
  private waitsForPeer(peer: string): boolean {
    return !dialsFirst(this.needs.self, peer) && !(this.needs.cannotDialUs?.(peer) ?? false);
  }

  private firstDelay(peer: string): number {
    if (!this.waitsForPeer(peer)) return 0;
    return this.options.graceMs * (1 + 0.5 * this.needs.random());
  }

  private retryDelay(peer: string, attempt: number): number {
    const grace = this.waitsForPeer(peer) ? this.options.graceMs : 0;
    return grace + backoffDelay(this.options.backoff, attempt, this.needs.random);
  }

  /** At most one timer or dial in flight per peer. */
  private schedule(peer: string, state: PeerDialState, delayMs: number): void {
    if (state.timer !== undefined || state.dialing) return;
    state.dueAt = Date.now() + delayMs;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.dial(peer, state);
    }, delayMs);
  }

  private async dial(peer: string, state: PeerDialState): Promise<void> {
    if (!this.running || this.peers.get(peer) !== state) return;
    if (this.needs.isBlocked(peer) || this.needs.isConnected(peer)) {
      if (!state.kept) this.peers.delete(peer);
      return;
    }
    state.dialing = true;
    state.rediscovered = false;
    const relayedOnly = state.relayedOnly;
    state.relayedOnly = false;
    let failed = false;
    let quickRetry = false;
    try {
      await this.needs.dial(peer, { relayedOnly });
      state.attempt = 0;
      state.relayTries = 0;
      if (!state.kept) this.peers.delete(peer);
    } catch (err) {
      failed = true;
      quickRetry =
        state.kept && state.relayTries < this.options.relayRetry.tries && relayHasNoReservation(err);
      if (quickRetry) state.relayTries += 1;
      else state.attempt += 1;
      this.needs.logger.log('debug', 'net.dial.failed', {
        peer: peerTag(peer),
        attempt: state.attempt,
        relayTries: state.relayTries,
        ...errorFields(err),
      });
      if (!state.kept && !state.rediscovered) this.peers.delete(peer);
    } finally {
      state.dialing = false;
    }
    // Forgotten meanwhile (or stopped, or connected): nothing more to do.
    if (!this.running || this.needs.isConnected(peer) || this.peers.get(peer) !== state) return;
    if (failed && state.rediscovered) {
      // Found again while this dial was failing: try the new addresses now.
      state.rediscovered = false;
      this.schedule(peer, state, this.firstDelay(peer));
    } else if (quickRetry) {
      state.relayedOnly = true;
      this.schedule(peer, state, this.options.relayRetry.intervalMs);
    } else if (state.kept) {
      this.schedule(peer, state, this.retryDelay(peer, state.attempt));
    }
  }
}
