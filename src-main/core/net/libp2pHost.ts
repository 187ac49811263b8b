import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, type Identify } from '@libp2p/identify';
import type { Libp2p, MultiaddrConnection, PeerId } from '@libp2p/interface';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { silentLogger } from '../util/logger';
import { loadDeviceKey } from './deviceKey';
import { STREAM_WINDOW_BYTES } from './frameStream';
import { mdnsSwitch, PARLEY_MDNS_SERVICE_TAG, type MdnsSwitch } from './mdnsSwitch';
import type { NetCounters } from './netMetrics';
import type { ParleyNodeOptions } from './nodeOptions';
import { DEFAULT_HEARTBEAT, DEFAULT_LISTEN, MAX_CONNECTIONS } from './hostDefaults';
import type { RelayGate } from './contactRelay';
import type { RelayHolder } from './relayReservations';
import { nodeReach } from './nodeReach';
import { denyOffNetworkDial } from './offNetworkDial';
import type { ReservationKeeper } from './reservationKeeper';
import type { ReachabilityCheck } from './reachabilityCheck';
import type { DirectUpgrade } from './directUpgrade';
import { StrangerGate } from './strangerGate';

/**
 * The libp2p node under a ParleyNode: TCP, Noise, Yamux, identify, ping and
 * the switchable mDNS (README.md "Transport"), with the connection gater and
 * the strangers' budget (strangerGate.ts) at its edge. Parley's own protocols
 * are not libp2p services: ParleyNode composes them on top (parleyNode.ts).
 */

export type HostServices = {
  identify: Identify;
  ping: Ping;
  discovery: MdnsSwitch;
  reservations?: ReservationKeeper;
  /** The relay for contacts (issue 19), on a node that runs one. */
  relay?: RelayHolder;
  reachability: ReachabilityCheck;
  directUpgrade?: DirectUpgrade;
};

/** Builds the stopped libp2p node. Throws RangeError for a bad device key or listen address. */
export async function createLibp2pHost(
  options: ParleyNodeOptions,
  counters: NetCounters,
): Promise<{ libp2p: Libp2p<HostServices>; gate: StrangerGate; relayGate: RelayGate | null }> {
  const privateKey = loadDeviceKey(options.deviceKey);
  const listen = options.listen ?? [...DEFAULT_LISTEN];
  for (const address of listen) {
    try {
      multiaddr(address);
    } catch (err) {
      throw new RangeError('not a multiaddr listen address', { cause: err });
    }
  }
  // The gate needs the node's connections; the node needs the gate's hooks at creation.
  const host: { node?: Libp2p<HostServices> } = {};
  const gate = new StrangerGate(
    {
      access: options.access,
      connections: () => host.node?.getConnections() ?? [],
      logger: options.logger ?? silentLogger,
    },
    options.strangers,
  );
  const isBlocked = (peer: PeerId, maConn: MultiaddrConnection): boolean => {
    gate.handshakeFinished(maConn);
    const blocked = options.access.isBlocked(peer.toString());
    if (blocked) counters.deniedConnection();
    return blocked;
  };
  const mdnsOptions = typeof options.mdns === 'object' ? options.mdns : {};
  const heartbeat = { ...DEFAULT_HEARTBEAT, ...options.heartbeat };
  const reach = await nodeReach(options, options.logger ?? silentLogger);
  const libp2p = await createLibp2p<HostServices>({
    start: false,
    privateKey,
    addresses: {
      listen: [...listen, ...reach.listen],
      ...reach.announce,
      // `/webrtc` addresses are never told (identify, records): a peer that learnt one
      // would dial it like any address, an ICE try where a relayed dial is due.
      announceFilter: (addrs) => addrs.filter((a) => !a.toString().includes('/webrtc')),
    },
    transports: [tcp(), ...reach.transports],
    connectionEncrypters: [noise()],
    streamMuxers: [
      yamux({
        maxInboundStreams: 256,
        streamOptions: { maxStreamWindowSize: STREAM_WINDOW_BYTES, inactivityTimeout: 60_000 },
      }),
    ],
    connectionGater: {
      denyDialPeer: (peer) => options.access.isBlocked(peer.toString()),
      denyInboundConnection: gate.denyHandshake,
      denyInboundEncryptedConnection: isBlocked,
      denyOutboundEncryptedConnection: isBlocked,
      // A private address off our networks of a peer with a relayed one: not dialled (offNetworkDial.ts).
      denyDialMultiaddr: (address) => denyOffNetworkDial(address, host.node?.peerStore),
      ...reach.gater,
    },
    connectionManager: {
      // A ceiling, not a budget: libp2p refuses over it before the handshake,
      // when it cannot tell a contact from a stranger yet. Strangers have
      // their own small budget (strangerGate.ts), so only contacts, members
      // and pending requests could ever come near it.
      maxConnections: MAX_CONNECTIONS,
      // Handshakes in progress, shared by all; the gate caps them per host.
      maxIncomingPendingConnections: 64,
      // Noise XX and Yamux take milliseconds on a LAN: a handshake that is
      // not done in 5 s is a stalled or hostile one holding a pending slot.
      inboundUpgradeTimeout: 5_000,
      inboundConnectionThreshold: options.inboundConnectionsPerSecond ?? 5,
      dialTimeout: options.dialTimeoutMs ?? 5_000,
    },
    // The heartbeat: a ping per connection every interval, the connection aborted on one failure.
    connectionMonitor: {
      pingInterval: heartbeat.intervalMs,
      pingTimeout: { minTimeout: heartbeat.timeoutMs, maxTimeout: heartbeat.timeoutMs },
      abortConnectionOnPingFailure: true,
    },
    nodeInfo: { name: 'parley', version: '1' },
    services: {
      identify: identify(),
      ping: ping(),
      discovery: mdnsSwitch({
        serviceTag: mdnsOptions.serviceTag ?? PARLEY_MDNS_SERVICE_TAG,
        intervalMs: mdnsOptions.intervalMs ?? 10_000,
      }),
      ...reach.services,
    },
  });
  host.node = libp2p;
  return { libp2p, gate, relayGate: reach.relayGate };
}
