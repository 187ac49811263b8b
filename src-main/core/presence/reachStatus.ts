import { DEFAULT_RELAY_LIMITS, type RelayLimits } from '../net/relayLimits';
import type { ParleyNode } from '../net/parleyNode';
import type { RelayStatus } from '../net/reservationKeeper';
import { relayLimitsOf, type ReachSettings } from './reachSettings';

/**
 * How this device is reached from other networks (issue 19; Settings →
 * Network): the public addresses it announces (then it relays for its
 * contacts), or else the contacts' relays it holds reservations on, and
 * the relay's limits. A domain object; handlers/reachPresenter.ts makes the
 * view (names instead of PeerIds).
 */
export interface ReachStatus {
  running: boolean;
  publicAddresses: string[];
  relays: RelayStatus[];
  settings: ReachSettings;
  /** The limits in effect on our relay (the defaults while it runs none). */
  relayLimits: RelayLimits;
  /** Connections relayed since the node started; null when it relays for nobody. */
  relayedConnections: number | null;
  /** Stored settings that apply only at start (UPnP, relay limits, public addresses) differ from the running node's. */
  appliesAtNextStart: boolean;
}

export type ReachNode = Pick<
  ParleyNode,
  'publicAddresses' | 'relayStatus' | 'relayLimits' | 'relayMetrics' | 'isReachable'
>;

/** The status of a running node, or of none (networking off: settings only). */
export function reachStatus(
  node: ReachNode | null,
  settings: ReachSettings,
  appliesAtNextStart = false,
): ReachStatus {
  if (node === null) {
    return {
      running: false,
      publicAddresses: [],
      relays: [],
      settings,
      // Networking off: the limits it will start with.
      relayLimits: { ...DEFAULT_RELAY_LIMITS, ...relayLimitsOf(settings.relayLimits) },
      relayedConnections: null,
      appliesAtNextStart: false,
    };
  }
  const publicAddresses = node.publicAddresses();
  return {
    running: true,
    publicAddresses,
    relays: node.relayStatus(),
    settings,
    relayLimits: node.relayLimits() ?? DEFAULT_RELAY_LIMITS,
    // Every node has the relay ready for when contacts find it reachable (§14.9): count only then.
    relayedConnections:
      publicAddresses.length > 0 || node.isReachable() ? (node.relayMetrics()?.connectsRelayed ?? 0) : null,
    appliesAtNextStart,
  };
}
