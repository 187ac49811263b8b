import { getNetConfig, isNetworkAddress } from '@libp2p/utils';
import type { Multiaddr } from '@multiformats/multiaddr';
import { errorFields, type Logger } from '../util/logger';
import { peerTag, type PeerAccess } from './protocolService';
import type { StrangerCounts } from './netMetrics';

/**
 * Connection slots for strangers (issue #14 item 1).
 *
 * A stranger is a peer that is not a contact, not a group member (both are
 * `access.isKnown`) and has no pending contact request with us
 * (`access.hasPendingRequest`). A stranger can only knock: ask who we are
 * (hello), send a contact request, or ask a group for its GroupInfo. None of
 * that needs a connection for more than a second, so strangers get
 *
 *  - their own small budget of inbound connections (`maxConnections` at once
 *    in all, `maxPerHost` from one IP address): when a stranger's connection
 *    opens over budget, the oldest stranger connection of the same scope that
 *    has no open stream is closed to make room, and if every one is busy the
 *    newcomer is closed instead;
 *  - an idle timeout: a stranger connection without an open stream for
 *    `idleMs` is closed, whoever dialled;
 *  - at most `maxPendingHandshakesPerHost` inbound handshakes in progress per
 *    IP address, so a host that opens TCP connections and never speaks Noise
 *    cannot fill libp2p's small table of pending upgrades (which is shared by
 *    everyone, contacts included).
 *
 * Contacts, members and pending requests are never counted or closed here;
 * libp2p's own `maxConnections` is set far above anything strangers can
 * reach, so its pre-handshake refusal (which cannot tell friend from
 * stranger: the PeerId is only known after Noise) never fires because of
 * them. Budgets are enforced when a connection opens, not before the
 * handshake, for the same reason.
 */

export interface StrangerLimits {
  /** Inbound stranger connections open at once, from all hosts. */
  maxConnections: number;
  /** Inbound stranger connections open at once from one IP address. */
  maxPerHost: number;
  /** A stranger connection with no open stream for this long is closed, ms. */
  idleMs: number;
  /** Inbound connections still in their Noise/Yamux handshake, per IP address. */
  maxPendingHandshakesPerHost: number;
}

export const DEFAULT_STRANGER_LIMITS: StrangerLimits = {
  maxConnections: 8,
  maxPerHost: 2,
  idleMs: 5_000,
  maxPendingHandshakesPerHost: 4,
};

/** What the gate needs to see of a libp2p connection (the real one satisfies it). */
export interface GatedConnection {
  id: string;
  remotePeer: { toString(): string };
  remoteAddr: Multiaddr;
  direction: 'inbound' | 'outbound';
  status: string;
  streams: readonly unknown[];
  timeline: { open: number };
  abort(err: Error): void;
}

/** An inbound connection that has not finished its handshake (libp2p's MultiaddrConnection). */
export interface PendingInbound {
  remoteAddr: Multiaddr;
  addEventListener(type: 'close', listener: () => void, options?: { once?: boolean }): void;
}

export interface StrangerGateNeeds {
  access: PeerAccess;
  connections: () => readonly GatedConnection[];
  logger: Logger;
  /** Milliseconds; the same clock as connection timelines (Date.now). */
  clock?: () => number;
}

/** The IP address of a multiaddr, or null (a relayed or unix address: not limited per host). */
export function hostOf(address: Multiaddr): string | null {
  try {
    return isNetworkAddress(address) ? getNetConfig(address).host : null;
  } catch {
    return null;
  }
}

export class StrangerGate {
  readonly limits: StrangerLimits;
  private readonly clock: () => number;
  /** Per connection id: when it was last seen with an open stream (or opened). */
  private readonly lastBusy = new Map<string, number>();
  private readonly pending = new Map<string, number>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private readonly counts: StrangerCounts = {
    strangerConnectionsRefused: 0,
    strangerConnectionsPruned: 0,
    handshakesRefused: 0,
  };

  constructor(
    private readonly needs: StrangerGateNeeds,
    limits: Partial<StrangerLimits> = {},
  ) {
    this.limits = { ...DEFAULT_STRANGER_LIMITS, ...limits };
    this.clock = needs.clock ?? Date.now;
  }

  /** Starts the idle sweep (a few times per idle period). */
  start(): void {
    if (this.sweeper !== undefined) return;
    const every = Math.max(100, Math.min(1_000, Math.floor(this.limits.idleMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref?.();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.lastBusy.clear();
  }

  metrics(): StrangerCounts {
    return { ...this.counts };
  }

  /** Not a contact, member or pending request. A failing check counts as a stranger (the safe side). */
  isStranger(peer: string): boolean {
    try {
      const { access } = this.needs;
      return !access.isKnown(peer) && !(access.hasPendingRequest?.(peer) ?? false);
    } catch (err) {
      this.needs.logger.log('error', 'net.access.failed', errorFields(err));
      return true;
    }
  }

  /**
   * libp2p's `denyInboundConnection` gater hook, before the handshake: true
   * (deny) when this host already has too many handshakes in progress.
   */
  denyHandshake = (conn: PendingInbound): boolean => {
    const host = hostOf(conn.remoteAddr);
    if (host === null) return false;
    const inProgress = this.pending.get(host) ?? 0;
    if (inProgress >= this.limits.maxPendingHandshakesPerHost) {
      this.counts.handshakesRefused += 1;
      this.needs.logger.log('debug', 'net.handshake.refused', {});
      return true;
    }
    this.pending.set(host, inProgress + 1);
    let done = false;
    const release = (): void => {
      if (done) return;
      done = true;
      const left = (this.pending.get(host) ?? 1) - 1;
      if (left <= 0) this.pending.delete(host);
      else this.pending.set(host, left);
    };
    this.handshakeDone.set(conn, release);
    conn.addEventListener('close', release, { once: true });
    return false;
  };

  private readonly handshakeDone = new WeakMap<PendingInbound, () => void>();

  /** The handshake of `conn` finished (libp2p's `denyInbound/OutboundEncryptedConnection` hook). */
  handshakeFinished(conn: PendingInbound): void {
    this.handshakeDone.get(conn)?.();
    this.handshakeDone.delete(conn);
  }

  /** libp2p's `connection:open`: closes the newcomer or an idle stranger when over budget. */
  onOpen(conn: GatedConnection): void {
    const peer = conn.remotePeer.toString();
    this.lastBusy.set(conn.id, this.clock());
    if (conn.direction !== 'inbound' || !this.isStranger(peer)) return;
    const host = hostOf(conn.remoteAddr);
    const strangers = this.inboundStrangers().filter((c) => c.id !== conn.id);
    const sameHost = host === null ? [] : strangers.filter((c) => hostOf(c.remoteAddr) === host);
    const scope =
      host !== null && sameHost.length >= this.limits.maxPerHost
        ? sameHost
        : strangers.length >= this.limits.maxConnections
          ? strangers
          : null;
    if (scope === null) return;
    const victim = this.oldestIdle(scope);
    if (victim !== undefined) {
      this.close(victim, 'strangerConnectionsPruned', 'net.stranger.pruned');
    } else {
      this.close(conn, 'strangerConnectionsRefused', 'net.stranger.refused');
    }
  }

  /** libp2p's `connection:close`. */
  onClose(conn: { id: string }): void {
    this.lastBusy.delete(conn.id);
  }

  /** Closes stranger connections that had no open stream for `idleMs`. */
  sweep(): void {
    const now = this.clock();
    for (const conn of this.needs.connections()) {
      if (conn.status !== 'open') continue;
      if (conn.streams.length > 0 || !this.isStranger(conn.remotePeer.toString())) {
        this.lastBusy.set(conn.id, now);
        continue;
      }
      const since = this.lastBusy.get(conn.id) ?? conn.timeline.open;
      if (now - since >= this.limits.idleMs)
        this.close(conn, 'strangerConnectionsPruned', 'net.stranger.idle');
    }
  }

  private inboundStrangers(): GatedConnection[] {
    return this.needs
      .connections()
      .filter(
        (c) => c.status === 'open' && c.direction === 'inbound' && this.isStranger(c.remotePeer.toString()),
      );
  }

  private oldestIdle(connections: GatedConnection[]): GatedConnection | undefined {
    let oldest: GatedConnection | undefined;
    for (const c of connections) {
      if (c.streams.length > 0) continue;
      if (oldest === undefined || c.timeline.open < oldest.timeline.open) oldest = c;
    }
    return oldest;
  }

  private close(conn: GatedConnection, counter: keyof StrangerCounts, event: string): void {
    this.counts[counter] += 1;
    this.lastBusy.delete(conn.id);
    // Debug only: a stranger can trigger this at will (docs/protocol.md, Errors and counters).
    this.needs.logger.log('debug', event, { peer: peerTag(conn.remotePeer.toString()) });
    // Abort, not close: a graceful close waits for the remote, which a hostile peer may never give.
    conn.abort(new Error('stranger connection budget'));
  }
}
