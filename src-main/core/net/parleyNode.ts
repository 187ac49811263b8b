import type { Libp2p, PeerId, PeerInfo } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { errorFields, silentLogger, type Logger } from '../util/logger';
import { DEFAULT_BACKOFF } from './backoff';
import { toListenError } from './listenError';
import { DEFAULT_RELAY_RETRY, DialScheduler } from './dialScheduler';
import { LanBeacon } from './lanBeacon';
import type { RelayCounts, RelayGate, RelayLimits } from './contactRelay';
import { endReservation, relayOf } from './relayReservations';
import type { DirectUpgradeCounts } from './directUpgrade';
import type { HostServices } from './libp2pHost';
import { announcedAddresses, hasPublicAddress } from './reachAddresses';
import {
  connectionInfos,
  directHostOf,
  isConnectedOn,
  onLibp2pEvents,
  parsePeer,
  relayedAddressesOf,
} from './libp2pConnections';
import type { RelayStatus } from './reservationKeeper';
import { openConnectionHost } from './openConnectionHost';
import { resolveLimits, type NetLimits } from './limits';
import { NetError } from './netError';
import { NetCounters, type NetMetrics } from './netMetrics';
import type { ConnectionInfo, ConnectionState, ParleyNodeOptions, PeerEvent } from './nodeOptions';
import type { ProtocolComponents } from './protocolComponents';
import { peerTag } from './protocolErrors';
import type { AnyProtocolService, ProtocolFactory } from './protocolService';
import type { StrangerGate } from './strangerGate';

export { DEFAULT_HEARTBEAT, DEFAULT_LISTEN, MAX_CONNECTIONS } from './hostDefaults';

/**
 * The Parley peer node (DESIGN.md §2 net).
 *
 * Design, briefly:
 * - libp2p 3 with TCP, Noise, Yamux, identify and ping; mDNS only when asked
 *   for, and then switchable at run time ("Discoverable on this network": when
 *   off there is no mDNS socket, so we neither announce nor answer).
 * - The PeerId is the device key the caller passes in (it lives in the
 *   encrypted database); this module never stores anything.
 * - Protocols are services composed the way js-libp2p composes its own
 *   (`services: { ping: ping() }`): the caller passes a map of
 *   `factory(init) => (components) => Service` (parleyProtocols.ts holds
 *   Parley's), the node calls each with its components (protocolComponents.ts),
 *   starts them after the transports (each registers its stream handler) and
 *   exposes them typed as `node.services`. Frames are varint-length-prefixed
 *   protobuf, versioned in
 *   the protocol id and in a version field, size-limited per protocol, with a
 *   deadline on every read and write (limits.ts; README.md). One request per
 *   stream, except deliver: its streams are reused sessions of request/ack
 *   pairs (no stream setup or negotiation per envelope), closed after 2 s idle.
 * - Acks mean "committed": the receiver acks an envelope only after the
 *   caller's handler resolved; a failed handler gets no ack, so the sender's
 *   delivery layer retries and the envelope id makes that idempotent.
 * - Blocking is enforced at the edge twice: the connection gater refuses
 *   blocked peers' connections and dials, and every protocol resets a blocked
 *   peer's streams before reading. Peers the caller does not know may only use
 *   contact-request, hello and groupinfo, which are rate-limited.
 * - Strangers have their own small connection budget and an idle timeout
 *   (strangerGate.ts), so they cannot crowd out contacts.
 * - Malformed input resets that one stream and bumps a counter (metrics());
 *   nothing a peer sends can throw out of a handler or stop the node.
 * - Who dials: the lower PeerId at once, the higher after a grace period;
 *   kept peers (contacts) are redialled with exponential backoff and jitter.
 * - A heartbeat (libp2p's connection monitor pinging every connection) aborts
 *   a dead or black-holed connection within seconds, so the redial starts.
 * - Contacts keep each other's addresses current (/parley/address/1.0.0,
 *   signed records) and, with mDNS, recognise each other's LAN beacon even
 *   when not discoverable; fresh addresses from either are dialled at once.
 * - The node reports { state: offline | looking | connected, peers } on change.
 */

export type {
  ConnectionInfo,
  ConnectionState,
  ConnectionStateName,
  HeartbeatOptions,
  MdnsOptions,
  ParleyNodeOptions,
  PeerEvent,
} from './nodeOptions';

/** A map of protocol factories, libp2p's `services` option. */
export type ProtocolFactories = Record<string, ProtocolFactory>;
/** The services a map of factories makes, by name. */
export type ServicesOf<F extends ProtocolFactories> = { [K in keyof F]: ReturnType<F[K]> };

/**
 * The node names no protocol: it composes whatever map it is given. Parley's
 * own map, and the node type it makes, are in parleyProtocols.ts.
 */
export class ParleyNode<S extends Record<string, AnyProtocolService> = Record<string, AnyProtocolService>> {
  readonly peerId: string;
  /** The protocol services, by the names they were composed under (parleyProtocols.ts). */
  readonly services: S;
  /** The contacts' LAN beacon; null without mDNS. It runs once it has hooks (`beacon` option or handle()). */
  readonly beacon: LanBeacon | null;
  readonly limits: NetLimits;

  private readonly counters: NetCounters;
  private readonly scheduler: DialScheduler;
  private readonly logger: Logger;
  private readonly mdnsEnabled: boolean;
  private discoverable: boolean;
  private running = false;
  private lastState: ConnectionState = { state: 'offline', peers: 0 };
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly peerListeners = new Set<(event: PeerEvent) => void>();
  private readonly discoveryListeners = new Set<(peer: string) => void>();
  private unsubscribeDiscovery: (() => void) | undefined;
  /** Peers we were given an internet address for (issue 19): on another network, they cannot dial us. */
  private readonly publicPeers = new Set<string>();

  private constructor(
    private readonly libp2p: Libp2p<HostServices>,
    private readonly options: ParleyNodeOptions,
    components: ProtocolComponents,
    services: S,
    private readonly gate: StrangerGate,
    private readonly relayGate: RelayGate | null,
  ) {
    this.peerId = components.peerId;
    this.counters = components.counters;
    this.limits = components.limits;
    this.logger = components.logger;
    this.services = services;
    this.mdnsEnabled = options.mdns !== undefined && options.mdns !== false;
    this.discoverable = typeof options.mdns === 'object' ? (options.mdns.discoverable ?? true) : true;
    const clock = components.clock;
    const mdnsOptions = typeof options.mdns === 'object' ? options.mdns : {};
    this.beacon = this.mdnsEnabled
      ? new LanBeacon(options.beacon ?? null, {
          serviceName: mdnsOptions.beaconService,
          intervalMs: mdnsOptions.intervalMs,
          clock,
          logger: this.logger,
        })
      : null;

    const dialTimeoutMs = options.dialTimeoutMs ?? 5_000;
    this.scheduler = new DialScheduler(
      {
        self: this.peerId,
        dial: async (peer, how) => {
          const signal = AbortSignal.timeout(dialTimeoutMs);
          const relayed = how.relayedOnly ? await relayedAddressesOf(this.libp2p, peer) : [];
          await this.libp2p.dial(relayed.length > 0 ? relayed : peerIdFromString(peer), { signal });
        },
        cannotDialUs: (peer) => !this.isReachable() && this.publicPeers.has(peer),
        isConnected: (peer) => this.isConnected(peer),
        isBlocked: (peer) => options.access.isBlocked(peer),
        logger: this.logger,
        random: options.random ?? Math.random,
      },
      {
        graceMs: options.dialGraceMs ?? 2_000,
        backoff: { ...DEFAULT_BACKOFF, ...options.reconnect },
        relayRetry: DEFAULT_RELAY_RETRY,
      },
    );

    libp2p.addEventListener('connection:open', (evt) => gate.onOpen(evt.detail));
    libp2p.addEventListener('connection:close', (evt) => gate.onClose(evt.detail));
    libp2p.addEventListener('peer:connect', (evt) => this.onPeerChange(evt.detail, true));
    libp2p.addEventListener('peer:disconnect', (evt) => this.onPeerChange(evt.detail, false));
  }

  /**
   * Builds a stopped node with the protocol services `services` makes (in
   * that order: they start in it and stop in reverse). Throws RangeError for a
   * bad device key or listen address.
   */
  static async create<F extends ProtocolFactories>(
    options: ParleyNodeOptions,
    services: F,
  ): Promise<ParleyNode<ServicesOf<F>>> {
    const limits = resolveLimits(options.limits);
    const counters = new NetCounters();
    // libp2p and its transports (~0.5 s of module loading on 2 cores) load when the first node is
    // built, not when the process starts: a shell shows its unlock screen without them, and a web
    // shell that stays offline never loads them (bench/ui.bench.ts, start → home).
    const { createLibp2pHost } = await import('./libp2pHost');
    const { libp2p, gate, relayGate } = await createLibp2pHost(options, counters);
    const components: ProtocolComponents = {
      host: openConnectionHost(libp2p),
      access: options.access,
      counters,
      limits,
      logger: options.logger ?? silentLogger,
      clock: options.clock ?? Date.now,
      peerId: libp2p.peerId.toString(),
      isConnected: (peer) => isConnectedOn(libp2p, peer),
      directHost: (peer) => directHostOf(libp2p, peer),
      dialFresh: async (address, dialOptions) => {
        const conn = await libp2p.dial(address, { ...dialOptions, force: true });
        await conn.close().catch(() => undefined);
        return conn.remotePeer.toString();
      },
    };
    const made: Record<string, AnyProtocolService> = {};
    for (const [name, factory] of Object.entries(services)) made[name] = factory(components);
    // The map holds exactly what each factory returned, by the same names.
    return new ParleyNode(libp2p, options, components, made as ServicesOf<F>, gate, relayGate);
  }

  /**
   * Needs: the listen addresses free (else ListenError: which address, and
   * why), the caller's handlers ready to be called.
   * Order: transports, then protocol handlers, then dialing and discovery, so
   * nothing reaches us before we can serve it.
   */
  async start(): Promise<void> {
    if (this.running) return;
    try {
      await this.libp2p.start();
    } catch (err) {
      // Whatever did start (other transports, services) stops again.
      await Promise.resolve()
        .then(() => this.libp2p.stop())
        .catch(() => undefined);
      throw toListenError(err, this.options.listen ?? []) ?? err;
    }
    try {
      for (const service of Object.values(this.services)) await service.start();
    } catch (err) {
      // The ones that started stop again (stop() of one that did not is a no-op).
      for (const service of Object.values(this.services).reverse())
        await service.stop().catch(() => undefined);
      await this.libp2p.stop();
      throw err;
    }
    this.running = true;
    this.gate.start();
    this.scheduler.start();
    if (this.mdnsEnabled) {
      this.unsubscribeDiscovery = this.libp2p.services.discovery.onDiscovered((peer) =>
        this.onDiscovered(peer),
      );
      if (this.discoverable) await this.libp2p.services.discovery.set(true);
    }
    this.beacon?.start();
    this.updateState();
    this.logger.log('info', 'net.node.started', { peer: peerTag(this.peerId), mdns: this.mdnsEnabled });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.gate.stop();
    this.scheduler.stop();
    this.unsubscribeDiscovery?.();
    this.unsubscribeDiscovery = undefined;
    this.beacon?.stop();
    await this.libp2p.services.discovery.set(false);
    for (const service of Object.values(this.services).reverse()) await service.stop();
    await this.libp2p.stop();
    this.updateState();
    this.logger.log('info', 'net.node.stopped', { peer: peerTag(this.peerId) });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Listening addresses, each ending in /p2p/<our PeerId>; relayed ones only via our chosen relays. */
  addresses(): string[] {
    return announcedAddresses(
      this.libp2p.getMultiaddrs().map((a) => a.toString()),
      this.relays(),
    );
  }

  /** Relays we hold a reservation on now (issue 19), by PeerId. */
  relays(): string[] {
    return this.libp2p.services.reservations?.relays() ?? [];
  }

  /** Whether contacts confirmed a public address of ours (or we were told one: `--public`). */
  isReachable(): boolean {
    return this.libp2p.services.reachability.isReachable;
  }

  /** Direct upgrades over WebRTC tried so far (issue 19); null on a node that tries none. */
  directMetrics(): DirectUpgradeCounts | null {
    return this.libp2p.services.directUpgrade?.metrics() ?? null;
  }

  /** What this node's relay for contacts did so far; null when it runs none. */
  relayMetrics(): RelayCounts | null {
    return this.relayGate?.metrics() ?? null;
  }

  /** The limits of our relay for contacts; null when it runs none. */
  relayLimits(): RelayLimits | null {
    return this.relayGate?.limits ?? null;
  }

  /** Devices our relay for contacts holds a reservation for now, by PeerId (none when it runs none). */
  relayReservations(): string[] {
    return [...(relayOf(this.libp2p.services.relay)?.reservations.keys() ?? [])].map(String);
  }

  /**
   * Ends the reservation our relay holds for `peer` (a device its person's
   * list removed, docs/protocol.md §13.8): see contactRelay.ts endReservation.
   */
  endRelayReservation(peer: string): boolean {
    return endReservation(relayOf(this.libp2p.services.relay), parsePeer(peer));
  }

  /** The relays the keeper chose, reserved or being reconnected to (issue 19). */
  relayStatus(): RelayStatus[] {
    return this.libp2p.services.reservations?.status() ?? [];
  }

  /**
   * Addresses other networks dial us at (issue 19): the ones the user gave
   * (`parley node --public`) and the ones contacts confirmed, without our
   * own `/p2p/<PeerId>`.
   */
  publicAddresses(): string[] {
    const own = `/p2p/${this.peerId}`;
    const confirmed = this.libp2p.services.reachability
      .publicAddresses()
      .map((a) => (a.endsWith(own) ? a.slice(0, -own.length) : a));
    return [...new Set([...(this.options.announce ?? []), ...confirmed])];
  }

  /** "Discoverable on this network". No effect when the node was built without mDNS. */
  async setDiscoverable(on: boolean): Promise<void> {
    this.discoverable = on;
    if (this.mdnsEnabled && this.running) await this.libp2p.services.discovery.set(on);
  }

  get isDiscoverable(): boolean {
    return this.mdnsEnabled && this.discoverable && this.libp2p.services.discovery.active;
  }

  connectionState(): ConnectionState {
    return this.lastState;
  }

  /** Called with the new state on every change; returns an unsubscribe function. */
  onConnectionState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Called with each peer mDNS finds (not blocked, not us), after its addresses are stored. */
  onDiscoveredPeer(listener: (peer: string) => void): () => void {
    this.discoveryListeners.add(listener);
    return () => this.discoveryListeners.delete(listener);
  }

  /**
   * Called when our own listen addresses changed (a transport started or
   * stopped listening: a relay reservation granted or gone, issue 19).
   */
  onAddressesChanged(listener: () => void): () => void {
    return onLibp2pEvents(this.libp2p, ['transport:listening', 'transport:close'], listener);
  }

  /** Called when any connection opens or closes (a path to a peer changed, e.g. relayed to direct). */
  onConnectionsChanged(listener: () => void): () => void {
    return onLibp2pEvents(this.libp2p, ['connection:open', 'connection:close'], listener);
  }

  /** Called when a peer gets its first connection or loses its last one. */
  onPeer(listener: (event: PeerEvent) => void): () => void {
    this.peerListeners.add(listener);
    return () => this.peerListeners.delete(listener);
  }

  connectedPeers(): string[] {
    return [...new Set(this.libp2p.getConnections().map((c) => c.remotePeer.toString()))];
  }

  /** Open connections, for diagnostics (and to check who dialled whom). */
  connections(): ConnectionInfo[] {
    return connectionInfos(this.libp2p);
  }

  isConnected(peer: string): boolean {
    return isConnectedOn(this.libp2p, peer);
  }

  /** Remembers addresses for a peer (from an invite, a QR code, a previous session). */
  async addAddresses(peer: string, addresses: string[]): Promise<void> {
    const peerId = parsePeer(peer);
    if (hasPublicAddress(addresses)) this.publicPeers.add(peer);
    const multiaddrs = addresses.map((a) => multiaddr(a));
    await this.libp2p.peerStore.merge(peerId, { multiaddrs });
  }

  /** Keep a connection to this peer: dial it now and redial after every disconnect. */
  async keepConnected(peer: string, addresses: string[] = []): Promise<void> {
    if (addresses.length > 0) await this.addAddresses(peer, addresses);
    this.scheduler.keep(peer);
  }

  forget(peer: string): void {
    this.scheduler.forget(peer);
  }

  /**
   * Someone told us where `peer` listens now (its signed record, its LAN
   * beacon): remember the addresses and, if it is not connected, dial as for
   * a discovery, even when a backoff retry is far off.
   */
  async freshAddresses(peer: string, addresses: string[]): Promise<void> {
    if (!this.running || peer === this.peerId || this.options.access.isBlocked(peer)) return;
    await this.addAddresses(peer, addresses);
    this.scheduler.discovered(peer);
  }

  /** Dials now, whatever the PeerId order. Throws NetError('unreachable' | 'refused' | 'closed'). */
  async connect(peerOrAddress: string, options: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.running) throw new NetError('closed', 'the node is not running');
    const target = peerOrAddress.startsWith('/') ? multiaddr(peerOrAddress) : parsePeer(peerOrAddress);
    try {
      await this.libp2p.dial(target, { signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) });
    } catch (err) {
      throw new NetError('unreachable', 'could not connect', { cause: err });
    }
  }

  /** Closes every connection to the peer (it may reconnect unless forgotten or blocked). */
  async hangUp(peer: string): Promise<void> {
    await this.libp2p.hangUp(parsePeer(peer));
  }

  /** After the caller blocks someone: drop connections to every peer that is now blocked. */
  async enforceBlocks(): Promise<void> {
    for (const peer of this.connectedPeers()) {
      if (this.options.access.isBlocked(peer)) {
        this.scheduler.forget(peer);
        await this.libp2p.hangUp(parsePeer(peer));
      }
    }
  }

  /** Round-trip time to a connected peer, ms (libp2p ping). */
  async ping(peer: string): Promise<number> {
    return this.libp2p.services.ping.ping(parsePeer(peer), { signal: AbortSignal.timeout(5_000) });
  }

  metrics(): NetMetrics {
    return { ...this.counters.snapshot(), ...this.gate.metrics() };
  }

  private onDiscovered(info: PeerInfo): void {
    const peer = info.id.toString();
    if (peer === this.peerId || this.options.access.isBlocked(peer)) return;
    this.libp2p.peerStore
      .merge(info.id, { multiaddrs: info.multiaddrs })
      .then(() => {
        this.scheduler.discovered(peer);
        for (const listener of this.discoveryListeners) listener(peer);
      })
      .catch((err: unknown) => this.logger.log('warn', 'net.discovery.failed', errorFields(err)));
  }

  private onPeerChange(peerId: PeerId, connected: boolean): void {
    const peer = peerId.toString();
    if (connected) this.scheduler.connected(peer);
    else this.scheduler.disconnected(peer);
    for (const listener of this.peerListeners) {
      try {
        listener({ peerId: peer, connected });
      } catch (err) {
        this.logger.log('error', 'net.listener.failed', errorFields(err));
      }
    }
    this.updateState();
  }

  private updateState(): void {
    const peers = this.running ? this.connectedPeers().length : 0;
    const state: ConnectionState = {
      state: !this.running ? 'offline' : peers > 0 ? 'connected' : 'looking',
      peers,
    };
    if (state.state === this.lastState.state && state.peers === this.lastState.peers) return;
    this.lastState = state;
    for (const listener of this.stateListeners) {
      try {
        listener(state);
      } catch (err) {
        this.logger.log('error', 'net.listener.failed', errorFields(err));
      }
    }
  }
}
