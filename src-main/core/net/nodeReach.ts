import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import type { ConnectionGater } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { errorFields, type Logger } from '../util/logger';
import { ContactRelaySwitch, contactRelayService, DEFAULT_RELAY_LIMITS, RelayGate } from './contactRelay';
import { directUpgrade, type DirectUpgrade } from './directUpgrade';
import type { ParleyNodeOptions } from './nodeOptions';
import { stunResponder } from './stunResponder';
import { reachabilityCheck } from './reachabilityCheck';
import { reservationKeeper } from './reservationKeeper';

/**
 * What a ParleyNode adds to libp2p to reach and be reached beyond one LAN
 * (issue 19; docs/protocol.md §14): the circuit relay transport on every node
 * (dial through a relay, be reached through one), the relay for contacts on a
 * reachable node, the reservation keeper on any other, the gater hooks that
 * decide who may reserve and be relayed, and the announced public addresses;
 * the direct upgrade over WebRTC on a node that may be behind NAT, and the
 * STUN responder on a reachable one (directUpgrade.ts, stunResponder.ts).
 * WebRTC and UPnP are imported only by a node that uses them (~0.3 s and
 * ~0.15 s of module loading): a reachable node, or one with UPnP off, never
 * loads them.
 */
export async function nodeReach(options: ParleyNodeOptions, logger: Logger) {
  // The relay switch exists once libp2p built its services; the check tells it when we are reachable.
  const late: { relaySwitch?: ContactRelaySwitch; upgrade?: DirectUpgrade } = {};
  for (const address of options.announce ?? []) {
    try {
      multiaddr(address);
    } catch (err) {
      throw new RangeError('not a multiaddr announce address', { cause: err });
    }
  }
  const { relay, reservations, access } = options;
  const limits = { ...DEFAULT_RELAY_LIMITS, ...relay?.limits };
  const relayGate = relay
    ? new RelayGate(
        {
          mayReserve: (peer) => relay.mayReserve(peer),
          isBlocked: (peer) => access.isBlocked(peer),
          logger,
          clock: options.clock ?? Date.now,
        },
        limits,
      )
    : null;
  const gater: Pick<
    ConnectionGater,
    'denyInboundRelayReservation' | 'denyOutboundRelayedConnection' | 'denyInboundRelayedConnection'
  > = {
    // Only contacts' devices may reserve; CONNECTs are rate-limited (contactRelay.ts).
    denyInboundRelayReservation: (peer) => relayGate?.denyReservation(peer) ?? true,
    denyOutboundRelayedConnection: (source, destination) =>
      relayGate?.denyConnect(source, destination) ?? true,
    // Relayed to us through a blocked relay or from a blocked peer: refused.
    denyInboundRelayedConnection: (relayPeer, remote) =>
      access.isBlocked(relayPeer.toString()) || access.isBlocked(remote.toString()),
  };
  const switched = relay?.whenReachable === true;
  const relayService = switched
    ? {
        relay: (components: Parameters<ReturnType<typeof circuitRelayServer>>[0]) =>
          (late.relaySwitch = new ContactRelaySwitch(components, contactRelayService(limits))),
      }
    : relay
      ? { relay: contactRelayService(limits) }
      : {};
  // A node that may sit behind NAT (it holds reservations) tries WebRTC to its contacts.
  const direct = reservations !== undefined && options.webrtc !== false;
  const stunPort = stunPortOf(options.announce ?? []);
  const webRTC = direct ? (await import('@libp2p/webrtc')).webRTC : null;
  const uPnPNAT = options.upnp ? (await import('@libp2p/upnp-nat')).uPnPNAT : null;
  const services = {
    ...relayService,
    ...(direct
      ? {
          directUpgrade: (components: Parameters<ReturnType<typeof directUpgrade>>[0]) =>
            (late.upgrade = directUpgrade({
              isCandidate: (peer) => access.isKnown(peer) && !access.isBlocked(peer),
              logger,
              clock: options.clock,
            })(components)),
        }
      : {}),
    // A reachable node answers STUN Binding requests on its public port (UDP), for its contacts' ICE.
    ...(stunPort !== null ? { stun: stunResponder({ port: stunPort, logger, clock: options.clock }) } : {}),
    // Every node checks addresses it cannot vouch for with its contacts (reachProtocol.ts).
    reachability: reachabilityCheck({
      isCandidate: (peer) =>
        (reservations?.isCandidate(peer) ?? access.isKnown(peer)) && !access.isBlocked(peer),
      onReachable: (reachable) => {
        logger.log('info', 'net.reach.changed', { reachable });
        late.relaySwitch
          ?.set(reachable)
          .catch((err: unknown) => logger.log('error', 'net.relay.switch_failed', errorFields(err)));
      },
      logger,
      clock: options.clock,
    }),
    // UPnP IGD / NAT-PMP (RFC 6886) only when switched on: it talks to the LAN's gateway only
    // (SSDP multicast on the LAN, then the gateway's control URL). The mapping's description
    // names no PeerId: other devices on the LAN can list the router's mappings.
    ...(uPnPNAT ? { upnp: uPnPNAT({ portMappingDescription: 'Parley', autoConfirmAddress: false }) } : {}),
    ...(reservations
      ? {
          reservations: reservationKeeper({
            isCandidate: (peer) => reservations.isCandidate(peer) && !access.isBlocked(peer),
            max: reservations.max,
            checkMs: reservations.checkMs,
            logger,
            clock: options.clock,
          }),
        }
      : {}),
  };
  return {
    relayGate,
    gater,
    services,
    transports: [
      circuitRelayTransport({ reservationCompletionTimeout: 10_000 }),
      ...(webRTC
        ? [
            webRTC({
              // Always a list: without one, @libp2p/webrtc falls back to public STUN servers
              // (Google, Twilio, Cloudflare, Mozilla), which Parley never contacts.
              rtcConfiguration: async () => ({ iceServers: (await late.upgrade?.iceServers()) ?? [] }),
              // libp2p's 16 KiB messages (sized for browsers) moved files at 0.5 MB/s on the rig;
              // 128 KiB ones at 23 MB/s. Both ends are node-datachannel, which accepts 256 KiB
              // messages (its SDP a=max-message-size, RFC 8841 §6).
              dataChannel: { maxMessageSize: DATA_CHANNEL_MESSAGE_BYTES },
            }),
          ]
        : []),
    ],
    /** `/webrtc`: accept WebRTC connections signalled over a relayed connection. */
    listen: direct ? ['/webrtc'] : [],
    announce: options.announce?.length ? { appendAnnounce: options.announce } : {},
  };
}

/** The largest message on a WebRTC data channel (see the transport's options above). */
const DATA_CHANNEL_MESSAGE_BYTES = 128 * 1024;

/** The TCP port of the first public IPv4 address we announce: our STUN responder listens there on UDP. */
function stunPortOf(announce: string[]): number | null {
  for (const address of announce) {
    const parts = multiaddr(address).getComponents();
    if (parts[0]?.name === 'ip4' && parts[1]?.name === 'tcp') return Number(parts[1].value);
  }
  return null;
}
