import { RELAY_LIMIT_BOUNDS } from '../../../src-shared/contract/areas/network';
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from '../net/relayLimits';
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
 * - `net.relay.limits` (JSON): what one relayed connection through our relay
 *   may use and how many reservations it holds; read when the node starts
 *   (libp2p's relay server takes its limits at construction, and a
 *   reservation keeps the limit it was granted with).
 * - `net.publicAddresses` (JSON list of multiaddrs, default none): the
 *   addresses other networks reach this device at, as `parley node --public`
 *   gives them; the key `AddressRepository.publicAddresses()` reads at start.
 * A damaged stored value reads as the default.
 */
export interface RelayLimitSettings {
  /** How long one relayed connection may stay open, minutes. */
  durationMinutes: number;
  /** What one relayed connection may carry, both directions together, MiB. */
  dataMiB: number;
  /** Contacts' devices holding a reservation at once. */
  reservations: number;
}

export interface ReachSettings {
  relayForContacts: boolean;
  upnp: boolean;
  relayLimits: RelayLimitSettings;
  publicAddresses: string[];
}

export const RELAY_FOR_CONTACTS_KEY = 'net.relay.forContacts';
export const UPNP_KEY = 'net.upnp';
export const RELAY_LIMITS_KEY = 'net.relay.limits';
export const PUBLIC_ADDRESSES_KEY = 'net.publicAddresses';

export const DEFAULT_RELAY_LIMIT_SETTINGS: RelayLimitSettings = {
  durationMinutes: DEFAULT_RELAY_LIMITS.durationLimitMs / 60_000,
  dataMiB: DEFAULT_RELAY_LIMITS.dataLimitBytes / (1024 * 1024),
  reservations: DEFAULT_RELAY_LIMITS.maxReservations,
};

function readFlag(repos: Pick<Store, 'settings'>, key: string, fallback: boolean): boolean {
  const value = repos.settings.get(key);
  return value === 'true' ? true : value === 'false' ? false : fallback;
}

function readJson(repos: Pick<Store, 'settings'>, key: string): unknown {
  try {
    return JSON.parse(repos.settings.get(key) ?? 'null');
  } catch {
    return null;
  }
}

function withinBounds(value: unknown, key: keyof RelayLimitSettings): number {
  const { min, max } = RELAY_LIMIT_BOUNDS[key];
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
    ? value
    : DEFAULT_RELAY_LIMIT_SETTINGS[key];
}

function readRelayLimits(repos: Pick<Store, 'settings'>): RelayLimitSettings {
  const stored = readJson(repos, RELAY_LIMITS_KEY);
  const record: Record<string, unknown> = typeof stored === 'object' && stored !== null ? { ...stored } : {};
  return {
    durationMinutes: withinBounds(record['durationMinutes'], 'durationMinutes'),
    dataMiB: withinBounds(record['dataMiB'], 'dataMiB'),
    reservations: withinBounds(record['reservations'], 'reservations'),
  };
}

function readPublicAddresses(repos: Pick<Store, 'settings'>): string[] {
  const stored = readJson(repos, PUBLIC_ADDRESSES_KEY);
  return Array.isArray(stored) ? stored.filter((a): a is string => typeof a === 'string') : [];
}

export function readReachSettings(repos: Pick<Store, 'settings'>): ReachSettings {
  return {
    relayForContacts: readFlag(repos, RELAY_FOR_CONTACTS_KEY, true),
    upnp: readFlag(repos, UPNP_KEY, false),
    relayLimits: readRelayLimits(repos),
    publicAddresses: readPublicAddresses(repos),
  };
}

/** The relay's limits as the node takes them (contactRelay.ts). */
export function relayLimitsOf(settings: RelayLimitSettings): Partial<RelayLimits> {
  return {
    durationLimitMs: settings.durationMinutes * 60_000,
    dataLimitBytes: settings.dataMiB * 1024 * 1024,
    maxReservations: settings.reservations,
  };
}

/**
 * Writes the changed keys; returns the whole new settings. Public addresses
 * must already be checked and normalised (net/publicAddress.ts); relay limits
 * within RELAY_LIMIT_BOUNDS (the contract's schema checks them).
 */
export function writeReachSettings(
  repos: Pick<Store, 'settings' | 'tx'>,
  patch: Partial<ReachSettings>,
): ReachSettings {
  return repos.tx.run(() => {
    if (patch.relayForContacts !== undefined)
      repos.settings.set(RELAY_FOR_CONTACTS_KEY, String(patch.relayForContacts));
    if (patch.upnp !== undefined) repos.settings.set(UPNP_KEY, String(patch.upnp));
    if (patch.relayLimits !== undefined)
      repos.settings.set(RELAY_LIMITS_KEY, JSON.stringify(patch.relayLimits));
    if (patch.publicAddresses !== undefined)
      repos.settings.set(PUBLIC_ADDRESSES_KEY, JSON.stringify(patch.publicAddresses));
    return readReachSettings(repos);
  });
}

/** Whether two settings differ in what applies only when networking starts. */
export function differsAtStart(a: ReachSettings, b: ReachSettings): boolean {
  return (
    a.upnp !== b.upnp ||
    JSON.stringify(a.relayLimits) !== JSON.stringify(b.relayLimits) ||
    JSON.stringify(a.publicAddresses) !== JSON.stringify(b.publicAddresses)
  );
}
