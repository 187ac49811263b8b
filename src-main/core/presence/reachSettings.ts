import type { Store } from '../store/store';

/**
 * The settings of reaching beyond one LAN (issue 19; docs/protocol.md §14),
 * each its own key of the `settings` table:
 * - `net.relay.forContacts` ("Relay for my contacts", default on): while this
 *   device is reachable from other networks, its relay grants reservations to
 *   its contacts' devices and connects others to them. Off: no new
 *   reservation and no new relayed connection (ones already made run out).
 * - `net.upnp` (default off): ask the router for a port mapping (UPnP IGD /
 *   NAT-PMP, RFC 6886) so this device becomes reachable without the user
 *   setting a public address. The same key and form (`'true'`/`'false'`)
 *   that `AddressRepository.upnp()` reads when the node starts, so a change
 *   applies the next time networking starts (docs/protocol.md §14.9).
 * A damaged stored value reads as the default.
 */
export interface ReachSettings {
  relayForContacts: boolean;
  upnp: boolean;
}

export const RELAY_FOR_CONTACTS_KEY = 'net.relay.forContacts';
export const UPNP_KEY = 'net.upnp';

function readFlag(repos: Pick<Store, 'settings'>, key: string, fallback: boolean): boolean {
  const value = repos.settings.get(key);
  return value === 'true' ? true : value === 'false' ? false : fallback;
}

export function readReachSettings(repos: Pick<Store, 'settings'>): ReachSettings {
  return {
    relayForContacts: readFlag(repos, RELAY_FOR_CONTACTS_KEY, true),
    upnp: readFlag(repos, UPNP_KEY, false),
  };
}

/** Writes the changed keys; returns the whole new settings. */
export function writeReachSettings(
  repos: Pick<Store, 'settings' | 'tx'>,
  patch: Partial<ReachSettings>,
): ReachSettings {
  return repos.tx.run(() => {
    if (patch.relayForContacts !== undefined)
      repos.settings.set(RELAY_FOR_CONTACTS_KEY, String(patch.relayForContacts));
    if (patch.upnp !== undefined) repos.settings.set(UPNP_KEY, String(patch.upnp));
    return readReachSettings(repos);
  });
}
