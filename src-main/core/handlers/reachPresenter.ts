import type { NetworkReachView } from '../../../src-shared/contract/areas/network';
import type { ReachStatus } from '../presence/reachStatus';
import type { Store } from '../store/store';

/**
 * Settings → Network's view of how this device is reached (issue 19): the
 * relays by the name their contact goes by here (the user's rename first),
 * the relay's limits in minutes and MiB.
 */
export function networkReachView(repos: Pick<Store, 'devices'>, status: ReachStatus): NetworkReachView {
  const { relayLimits: limits } = status;
  return {
    running: status.running,
    publicAddresses: status.publicAddresses,
    relays: status.relays.map((r) => ({
      name: repos.devices.contactNameOf(r.peer) ?? 'a contact',
      state: r.state,
    })),
    relayForContacts: status.settings.relayForContacts,
    relayLimits: {
      durationMinutes: Math.round(limits.durationLimitMs / 60_000),
      dataMiB: Math.round(limits.dataLimitBytes / (1024 * 1024)),
      reservations: limits.maxReservations,
      connections: limits.maxRelayedConnections,
    },
    relayedConnections: status.relayedConnections,
    upnp: status.settings.upnp,
    relayLimitSettings: status.settings.relayLimits,
    publicAddressSettings: status.settings.publicAddresses,
    appliesAtNextStart: status.appliesAtNextStart,
  };
}
