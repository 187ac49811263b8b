import type { BackoffConfig } from './backoff';
import type { LanBeaconHooks } from './lanBeacon';
import type { NetLimitOverrides } from './limits';
import type { PeerAccess } from './protocolComponents';
import type { Logger } from '../util/logger';
import type { StrangerLimits } from './strangerGate';
import type { RelayLimits } from './contactRelay';

/**
 * What a ParleyNode is built from and what it reports (net/parleyNode.ts).
 * The protocols and their handlers are not options: they are the services
 * map ParleyNode.create takes (parleyProtocols.ts).
 */

export type ConnectionStateName = 'offline' | 'looking' | 'connected';

export interface ConnectionState {
  state: ConnectionStateName;
  /** Distinct remote peers with at least one open connection. */
  peers: number;
}

export interface PeerEvent {
  peerId: string;
  connected: boolean;
}

export interface ConnectionInfo {
  peerId: string;
  /** 'outbound' when this node dialled. */
  direction: 'inbound' | 'outbound';
  remoteAddress: string;
  /** Open streams on this connection, by protocol id. */
  streams: Record<string, number>;
}

export interface MdnsOptions {
  /** Start discoverable (default true). Toggle later with setDiscoverable(). */
  discoverable?: boolean;
  serviceTag?: string;
  /** Query interval, ms (default 10 s), for discovery and for the contacts' beacon. */
  intervalMs?: number;
  /** DNS-SD service of the contacts' LAN beacon (default `_parley-contacts._udp.local`). */
  beaconService?: string;
}

/**
 * The heartbeat (issue 13, deliver 2): every connection is pinged every
 * `intervalMs`; one ping unanswered for `timeoutMs` aborts the connection, and
 * kept peers are redialled. Defaults 4 s and 5 s: a dead or black-holed
 * connection is noticed within 9 s, well inside the 15 s budget with the
 * redial, and a ping on a loaded LAN link still has seconds to spare.
 */
export interface HeartbeatOptions {
  intervalMs: number;
  timeoutMs: number;
}

export interface ParleyNodeOptions {
  /** The device's Ed25519 private key, protobuf (generateDeviceKey) or raw 64-byte form. */
  deviceKey: Uint8Array;
  /** Multiaddrs to listen on. Default: all IPv4 interfaces, any port. */
  listen?: string[];
  /** mDNS discovery; omitted or false: compiled out, no multicast ever. */
  mdns?: boolean | MdnsOptions;
  /** Who may open streams at all (every protocol asks before a byte is read). */
  access: PeerAccess;
  /** The contacts' LAN beacon (runs only with mDNS, whatever "Discoverable" says). */
  beacon?: LanBeaconHooks;
  heartbeat?: Partial<HeartbeatOptions>;
  limits?: NetLimitOverrides;
  /** How long the higher PeerId waits before dialling a discovered or kept peer (default 2 s). */
  dialGraceMs?: number;
  reconnect?: Partial<BackoffConfig>;
  /** Inbound connection attempts accepted per second per remote host (libp2p's default is 5). */
  inboundConnectionsPerSecond?: number;
  /** How long one dial may take, ms (default 5 s). */
  dialTimeoutMs?: number;
  /** Connection budget and idle timeout for strangers (strangerGate.ts). */
  strangers?: Partial<StrangerLimits>;
  /**
   * Issue 19: addresses other networks can dial us on (`parley node --public`),
   * announced to peers; with `relay`, this node relays for its contacts.
   */
  announce?: string[];
  /**
   * Run a circuit relay v2 for contacts' devices (contactRelay.ts); omitted: no relay.
   * `whenReachable`: only while contacts confirm a public address of ours
   * (reachabilityCheck.ts: a UPnP mapping, a public interface address).
   */
  relay?: { mayReserve(peer: string): boolean; limits?: Partial<RelayLimits>; whenReachable?: boolean };
  /**
   * Ask the home router for a port mapping (UPnP IGD, NAT-PMP RFC 6886) for
   * our TCP port; it counts once a contact dialled us back there. Default off:
   * only the LAN's gateway is contacted, and only when this is on.
   */
  upnp?: boolean;
  /**
   * Try a direct WebRTC connection after a relayed one is up (directUpgrade.ts);
   * only on a node that holds reservations. Default true.
   */
  webrtc?: boolean;

  /** Hold reservations on contacts' relays (reservationKeeper.ts); omitted: none. */
  reservations?: { isCandidate(peer: string): boolean; max?: number; checkMs?: number };
  logger?: Logger;
  clock?: () => number;
  random?: () => number;
}
