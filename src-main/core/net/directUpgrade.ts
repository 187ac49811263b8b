import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2';
import type { Connection, Libp2pEvents, PeerId, PeerStore, TypedEventTarget } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { errorFields, type Logger } from '../util/logger';
import { peerTag } from './protocolErrors';

/**
 * Direct when possible (issue 19 item 3; docs/protocol.md §14.10): after a
 * relayed connection to a contact is up, the side that dialled it tries for
 * a direct one with WebRTC (@libp2p/webrtc, node-datachannel), its offer,
 * answer and ICE candidates (RFC 8445) signalled over the relayed connection
 * (`/webrtc-signaling/0.0.1`, which runs on limited connections). The
 * routers' mappings are found by STUN (RFC 8489 Binding) against the relays
 * we are connected to (stunResponder.ts on a reachable Parley node), never a
 * third party's server; there is no TURN (the circuit relay is the fallback).
 *
 * Where both routers keep a home's source port (endpoint-independent
 * mapping, RFC 4787 §4.1), the connectivity checks open the path and the
 * connection moves to it; behind a port-randomising router the checks go to
 * ports nobody mapped and the contact stays relayed. Both connections stay
 * open; traffic takes the one without a relay's limit (openConnectionHost.ts).
 * A failed try is not repeated for `retryMs`; at most one try per contact at a
 * time, each bounded by `timeoutMs`.
 */

export interface DirectUpgradeInit {
  /** A contact's device that is not blocked: worth a direct connection. */
  isCandidate(peer: string): boolean;
  logger: Logger;
  clock?: () => number;
  /** Wait this long after the relayed connection opens (its identify and first requests go first). */
  delayMs?: number;
  timeoutMs?: number;
  retryMs?: number;
  /** How often open relayed connections are looked at again, ms (default 5 s). */
  scanMs?: number;
}

export interface DirectUpgradeComponents {
  connectionManager: {
    getConnections(peer?: PeerId): Connection[];
    openConnection(target: Multiaddr, options?: { signal?: AbortSignal }): Promise<Connection>;
  };
  peerStore: PeerStore;
  events: TypedEventTarget<Libp2pEvents>;
}

export interface DirectUpgradeCounts {
  attempts: number;
  upgraded: number;
  failed: number;
}

const isCircuit = (addr: Multiaddr): boolean => addr.toString().includes('/p2p-circuit');
const isWebRtc = (addr: Multiaddr): boolean => addr.toString().includes('/webrtc');

/** `<relay>/p2p-circuit/p2p/<peer>` → `<relay>/p2p-circuit/webrtc/p2p/<peer>`, or null. */
export function webRtcAddressOf(relayed: Multiaddr): Multiaddr | null {
  const text = relayed.toString();
  const match = /^(.*\/p2p-circuit)\/p2p\/([^/]+)$/.exec(text);
  if (!match || text.includes('/webrtc')) return null;
  return multiaddr(`${match[1]}/webrtc/p2p/${match[2]}`);
}

/** A connection without a relay's limits and not through a relay: TCP, or WebRTC once ICE found a path. */
export function isDirect(conn: Connection): boolean {
  return (
    conn.status === 'open' &&
    conn.limits === undefined &&
    (!isCircuit(conn.remoteAddr) || isWebRtc(conn.remoteAddr))
  );
}

export class DirectUpgrade {
  private readonly clock: () => number;
  private readonly inFlight = new Set<string>();
  private readonly failedAt = new Map<string, number>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly counts: DirectUpgradeCounts = { attempts: 0, upgraded: 0, failed: 0 };
  private running = false;
  private scan: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly components: DirectUpgradeComponents,
    private readonly init: DirectUpgradeInit,
  ) {
    this.clock = init.clock ?? Date.now;
  }

  readonly [Symbol.toStringTag] = 'parley/direct-upgrade';

  start(): void {
    this.running = true;
    this.components.events.addEventListener('connection:open', this.onOpen);
    // A relayed connection may become a contact's after it opened (an invite is accepted over it).
    this.scan = setInterval(() => this.scanAll(), this.init.scanMs ?? 5_000);
  }

  stop(): void {
    this.running = false;
    this.components.events.removeEventListener('connection:open', this.onOpen);
    clearInterval(this.scan);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private scanAll(): void {
    for (const conn of this.components.connectionManager.getConnections()) this.consider(conn, 0);
  }

  metrics(): DirectUpgradeCounts {
    return { ...this.counts };
  }

  /**
   * STUN servers for ICE: the relays we hold a direct connection to (we
   * dialled them, so the remote port is their listen port, where their STUN
   * responder answers on UDP). At most three; never anyone else.
   */
  async iceServers(): Promise<{ urls: string[] }[]> {
    const urls = new Set<string>();
    for (const conn of this.components.connectionManager.getConnections()) {
      if (!isDirect(conn) || isWebRtc(conn.remoteAddr) || conn.direction !== 'outbound') continue;
      const parts = conn.remoteAddr.getComponents();
      const [host, port] = [parts[0], parts[1]];
      if (host?.name !== 'ip4' || port?.name !== 'tcp') continue;
      const peer = await this.components.peerStore.get(conn.remotePeer).catch(() => null);
      if (!peer?.protocols.includes(RELAY_V2_HOP_CODEC)) continue;
      urls.add(`stun:${host.value}:${port.value}`);
      if (urls.size >= 3) break;
    }
    return [...urls].map((url) => ({ urls: [url] }));
  }

  private readonly onOpen = (event: CustomEvent<Connection>): void => {
    this.consider(event.detail, this.init.delayMs ?? 250);
  };

  private consider(conn: Connection, delayMs: number): void {
    const peer = conn.remotePeer.toString();
    // The dialling side tries (it holds the relayed address); the other side answers.
    if (
      !this.running ||
      conn.direction !== 'outbound' ||
      !isCircuit(conn.remoteAddr) ||
      isWebRtc(conn.remoteAddr)
    )
      return;
    if (!this.init.isCandidate(peer)) return;
    const target = webRtcAddressOf(conn.remoteAddr);
    if (target === null) return;
    if (delayMs === 0) {
      void this.attempt(peer, target);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(peer, target);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(peer: string, target: Multiaddr): Promise<void> {
    if (!this.running || this.inFlight.has(peer)) return;
    if (
      this.components.connectionManager
        .getConnections()
        .some((c) => c.remotePeer.toString() === peer && isDirect(c))
    )
      return;
    const failed = this.failedAt.get(peer);
    if (failed !== undefined && this.clock() - failed < (this.init.retryMs ?? 60_000)) return;
    this.inFlight.add(peer);
    this.counts.attempts += 1;
    try {
      await this.components.connectionManager.openConnection(target, {
        signal: AbortSignal.timeout(this.init.timeoutMs ?? 15_000),
      });
      this.counts.upgraded += 1;
      this.failedAt.delete(peer);
      this.init.logger.log('info', 'net.direct.upgraded', { peer: peerTag(peer) });
    } catch (err) {
      this.counts.failed += 1;
      this.failedAt.set(peer, this.clock());
      this.init.logger.log('info', 'net.direct.failed', { peer: peerTag(peer), ...errorFields(err) });
    } finally {
      this.inFlight.delete(peer);
    }
  }
}

/** The libp2p service factory (`services: { directUpgrade: directUpgrade(init) }`). */
export function directUpgrade(
  init: DirectUpgradeInit,
): (components: DirectUpgradeComponents) => DirectUpgrade {
  return (components) => new DirectUpgrade(components, init);
}
