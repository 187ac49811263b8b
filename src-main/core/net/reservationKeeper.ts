import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2';
import type { Connection, Libp2pEvents, PeerId, PeerStore, TypedEventTarget } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { errorFields, type Logger } from '../util/logger';
import { peerTag } from './protocolService';

/**
 * Reservations on contacts' relays (issue 19 item 2; docs/protocol.md §14.4).
 *
 * A node that is not reachable from outside its network holds reservations on
 * up to `max` relays chosen among its contacts' devices that it has a direct
 * (not relayed) connection to and that speak HOP (learnt by identify),
 * longest-connected first. A reservation is made the libp2p way, by listening
 * on `/p2p/<relay>/p2p-circuit`: the circuit relay transport reserves, renews
 * before expiry while the connection lasts, and adds the relayed address to
 * our own addresses.
 *
 * What libp2p does not do (js-libp2p #3601, open): when the connection to a
 * configured relay drops, the reservation is forgotten and never made again.
 * So the keeper checks, on every connection change and at least every
 * `checkMs`, that each chosen relay's address is among our own, and listens
 * again as soon as the relay is connected (the node's reconnect backoff redials
 * contacts). A relay that refuses is not asked again for `refusedBackoffMs`; a
 * relay unreachable for `giveUpMs` makes room for another contact.
 */

export interface ReservationKeeperInit {
  /** Relays to hold reservations on at once (default 3). */
  max?: number;
  /** A device of a contact that is not blocked. */
  isCandidate(peer: string): boolean;
  /** Our own address check, ms (default 5 s). */
  checkMs?: number;
  refusedBackoffMs?: number;
  giveUpMs?: number;
  logger: Logger;
  clock?: () => number;
}

/** What the keeper uses of libp2p's components (the real ones satisfy it). */
export interface ReservationKeeperComponents {
  peerId: PeerId;
  transportManager: { listen(addrs: Multiaddr[]): Promise<void>; getAddrs(): Multiaddr[] };
  connectionManager: { getConnections(peer?: PeerId): Connection[] };
  peerStore: PeerStore;
  events: TypedEventTarget<Libp2pEvents>;
}

/** A relay the keeper chose (Settings → Network lists them by contact name). */
export interface RelayStatus {
  peer: string;
  state: 'reserved' | 'connecting';
}

interface Chosen {
  peer: PeerId;
  /** Since when it has had no direct connection (null: connected). */
  lostAt: number | null;
  /** A listen in flight. */
  reserving: boolean;
}

const isRelayed = (addr: Multiaddr): boolean => addr.toString().includes('/p2p-circuit');

export class ReservationKeeper {
  private readonly max: number;
  private readonly checkMs: number;
  private readonly refusedBackoffMs: number;
  private readonly giveUpMs: number;
  private readonly clock: () => number;
  private readonly chosen = new Map<string, Chosen>();
  private readonly refusedUntil = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private soon: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private reservationsMade = 0;

  constructor(
    private readonly components: ReservationKeeperComponents,
    private readonly init: ReservationKeeperInit,
  ) {
    this.max = init.max ?? 3;
    this.checkMs = init.checkMs ?? 5_000;
    this.refusedBackoffMs = init.refusedBackoffMs ?? 10 * 60_000;
    this.giveUpMs = init.giveUpMs ?? 2 * 60_000;
    this.clock = init.clock ?? Date.now;
  }

  readonly [Symbol.toStringTag] = 'parley/reservation-keeper';

  start(): void {
    this.running = true;
    this.components.events.addEventListener('peer:identify', this.onChange);
    this.components.events.addEventListener('connection:open', this.onChange);
    this.components.events.addEventListener('connection:close', this.onChange);
    this.timer = setInterval(() => this.check(), this.checkMs);
  }

  stop(): void {
    this.running = false;
    this.components.events.removeEventListener('peer:identify', this.onChange);
    this.components.events.removeEventListener('connection:open', this.onChange);
    this.components.events.removeEventListener('connection:close', this.onChange);
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.chosen.clear();
  }

  /** Relays we hold a reservation on now (their PeerIds). */
  relays(): string[] {
    const own = this.components.transportManager.getAddrs().filter(isRelayed).map(String);
    return [...this.chosen.keys()].filter((relay) =>
      own.some((a) => a.includes(`/p2p/${relay}/p2p-circuit`)),
    );
  }

  /** Each chosen relay and whether we hold a reservation there now or are (re)connecting to it. */
  status(): RelayStatus[] {
    const held = new Set(this.relays());
    return [...this.chosen.keys()].map((peer) => ({
      peer,
      state: held.has(peer) ? ('reserved' as const) : ('connecting' as const),
    }));
  }

  /** Reservations made so far (first ones and renewals after a drop). */
  get made(): number {
    return this.reservationsMade;
  }

  /** Something changed: check soon, once for a burst of events. */
  private readonly onChange = (): void => {
    if (!this.running || this.soon !== undefined) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.check();
    }, 50);
  };

  /** Keeps the chosen set full and every chosen relay reserved. Bounded: at most `max` listens in flight. */
  check(): void {
    if (!this.running) return;
    const now = this.clock();
    const held = new Set(this.relays());
    for (const [key, chosen] of this.chosen) {
      if (!this.init.isCandidate(key)) {
        this.chosen.delete(key);
        continue;
      }
      const direct = this.directConnection(chosen.peer) !== undefined;
      chosen.lostAt = direct ? null : (chosen.lostAt ?? now);
      if (!held.has(key) && chosen.lostAt !== null && now - chosen.lostAt >= this.giveUpMs) {
        this.chosen.delete(key);
      }
    }
    if (this.chosen.size < this.max) this.choose(now);
    for (const [key, chosen] of this.chosen) {
      if (held.has(key) || chosen.reserving || chosen.lostAt !== null) continue;
      this.reserve(key, chosen);
    }
  }

  private choose(now: number): void {
    const candidates = new Map<string, { peer: PeerId; since: number }>();
    for (const conn of this.components.connectionManager.getConnections()) {
      const key = conn.remotePeer.toString();
      if (conn.status !== 'open' || isRelayed(conn.remoteAddr) || this.chosen.has(key)) continue;
      if ((this.refusedUntil.get(key) ?? 0) > now || !this.init.isCandidate(key)) continue;
      const since = conn.timeline.open;
      const known = candidates.get(key);
      if (!known || since < known.since) candidates.set(key, { peer: conn.remotePeer, since });
    }
    const sorted = [...candidates.values()].sort((a, b) => a.since - b.since);
    for (const { peer } of sorted) {
      if (this.chosen.size >= this.max) break;
      // Only relays: identify told us which protocols the peer speaks.
      void this.speaksHop(peer).then((hop) => {
        const key = peer.toString();
        if (!hop || !this.running || this.chosen.size >= this.max || this.chosen.has(key)) return;
        const chosen: Chosen = { peer, lostAt: null, reserving: false };
        this.chosen.set(key, chosen);
        // Reserve at once: contacts trying to reach us through this relay get
        // NO_RESERVATION until we have (issue 19; docs/protocol.md §14.4).
        if (this.directConnection(peer) !== undefined) this.reserve(key, chosen);
        else this.onChange();
      });
    }
  }

  private async speaksHop(peer: PeerId): Promise<boolean> {
    try {
      return (await this.components.peerStore.get(peer)).protocols.includes(RELAY_V2_HOP_CODEC);
    } catch {
      return false;
    }
  }

  private reserve(key: string, chosen: Chosen): void {
    chosen.reserving = true;
    const address = multiaddr(`/p2p/${key}/p2p-circuit`);
    this.components.transportManager
      .listen([address])
      .then(() => {
        this.reservationsMade += 1;
        this.init.logger.log('info', 'net.relay.reserved', { relay: peerTag(key) });
      })
      .catch((err: unknown) => {
        // A refusal (PERMISSION_DENIED, RESERVATION_REFUSED) is an answer: do not ask again for a while.
        if (String((err as Error)?.message ?? err).includes('reservation failed')) {
          this.refusedUntil.set(key, this.clock() + this.refusedBackoffMs);
          this.chosen.delete(key);
        }
        this.init.logger.log('debug', 'net.relay.reserve_failed', {
          relay: peerTag(key),
          ...errorFields(err),
        });
      })
      .finally(() => {
        chosen.reserving = false;
      });
  }

  private directConnection(peer: PeerId): Connection | undefined {
    return this.components.connectionManager
      .getConnections(peer)
      .find((c) => c.status === 'open' && !isRelayed(c.remoteAddr));
  }
}

/** The libp2p service factory (`services: { reservations: reservationKeeper(init) }`). */
export function reservationKeeper(
  init: ReservationKeeperInit,
): (components: ReservationKeeperComponents) => ReservationKeeper {
  return (components) => new ReservationKeeper(components, init);
}
