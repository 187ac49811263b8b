import { useEffect } from 'react';
import type { NetworkReachView } from '../../../../src-shared/contract/areas/network';
import { Disclosure } from '../../components/Disclosure';
import { SettingsToggle } from '../../components/SettingsToggle';
import { useAppStore } from '../../store/appStore';
import { PublicAddressesForm } from './PublicAddressesForm';
import { RelayLimitsForm } from './RelayLimitsForm';

/**
 * Settings → Network (issue 19; docs/protocol.md §14): whether this device
 * is reachable from other networks, the contacts' devices it is reached
 * through, the switches "Relay for my contacts" (with its limits, which
 * the user may change) and UPnP, and the public addresses the user gives.
 * UPnP, the limits and the addresses apply when networking next starts;
 * while they wait for it, a notice says so. The two forms are folded
 * behind disclosures that show the stored values, so the section fits a
 * window without scrolling.
 */
export function NetworkSettings() {
  const reach = useAppStore((s) => s.reach);
  const error = useAppStore((s) => s.reachError);
  const watchReach = useAppStore((s) => s.watchReach);
  const setReach = useAppStore((s) => s.setReach);

  useEffect(() => watchReach(), [watchReach]);

  return (
    <section className="settings__section" aria-labelledby="settings-network" data-testid="settings-network">
      <h2 className="settings__heading" id="settings-network">
        Network
      </h2>
      <Reachability reach={reach} />
      {reach && reach.publicAddresses.length === 0 ? <RelaysInUse reach={reach} /> : null}
      <div className="settings__divider" />
      <SettingsToggle
        label="Relay for my contacts"
        testId="network-relayForContacts"
        checked={reach?.relayForContacts ?? false}
        disabled={reach === null}
        hint={<RelayHint reach={reach} />}
        onChange={(on) => void setReach({ relayForContacts: on })}
      />
      <SettingsToggle
        label="Ask my router to open a port (UPnP)"
        testId="network-upnp"
        checked={reach?.upnp ?? false}
        disabled={reach === null}
        hint="Asks your router (UPnP or NAT-PMP) to forward a port to this device, so contacts on other networks can connect to it directly and it can relay for them. Applies the next time Parley starts networking. Off by default: other devices on your network can see the opening, and the port can be found from the internet."
        onChange={(on) => void setReach({ upnp: on })}
      />
      <div className="settings__divider" />
      {/* Folded: few people change these, and open they make the section scroll. */}
      <div className="settings__disclosures">
        <Disclosure
          title="Relay limits"
          summary={limitsSummary(reach)}
          testId="network-relay-limits-disclosure"
        >
          <RelayLimitsForm reach={reach} />
        </Disclosure>
        <Disclosure
          title="Public addresses"
          summary={addressesSummary(reach)}
          testId="network-public-disclosure"
        >
          <PublicAddressesForm reach={reach} />
        </Disclosure>
      </div>
      {reach?.appliesAtNextStart ? (
        <p className="reach__pending" role="status" data-testid="network-pending">
          Your changes to UPnP, the relay limits or the public addresses are saved. They apply the next time
          Parley starts networking: after you lock and unlock, or restart Parley.
        </p>
      ) : null}
      {error ? (
        <p className="field__error" role="alert" data-testid="network-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** This device: reachable from other networks at its public addresses, or behind a router. */
function Reachability({ reach }: { reach: NetworkReachView | null }) {
  let state: 'unknown' | 'off' | 'public' | 'private' = 'unknown';
  if (reach) state = !reach.running ? 'off' : reach.publicAddresses.length > 0 ? 'public' : 'private';
  return (
    <div className="reach" data-testid="network-reachability" data-state={state}>
      <h3 className="settings__subheading">This device</h3>
      {state === 'unknown' ? <p className="settings__hint">Reading…</p> : null}
      {state === 'off' ? (
        <p className="reach__status">Networking is off. Go online to reach contacts.</p>
      ) : null}
      {state === 'public' && reach ? (
        <>
          <p className="reach__status">
            <span className="reach__mark is-good" aria-hidden="true" />
            Reachable from other networks
          </p>
          <ul
            className="reach__addresses"
            aria-label="Public addresses"
            data-testid="network-public-addresses"
          >
            {reach.publicAddresses.map((a) => (
              <li key={a}>
                <code>{a}</code>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {state === 'private' ? (
        <>
          <p className="reach__status">
            <span className="reach__mark" aria-hidden="true" />
            Behind a router: not reachable from other networks
          </p>
          <p className="settings__hint">
            Contacts on this network connect to you directly. Contacts elsewhere reach you through a contact
            whose device is reachable (a relay), listed below. To make this device reachable, run it as{' '}
            <code>parley node --public ADDRESS</code>, or forward a port on your router and enter its public
            address below.
          </p>
        </>
      ) : null}
    </div>
  );
}

/** The contacts' devices this device holds a reservation on. */
function RelaysInUse({ reach }: { reach: NetworkReachView }) {
  return (
    <div className="reach">
      <h3 className="settings__subheading" id="network-relays-title">
        Relays you use
      </h3>
      {reach.relays.length === 0 ? (
        <p className="settings__hint" data-testid="network-relays-none">
          None yet. When a contact’s device is reachable from the internet (for example their home server
          running <code>parley node --public</code>), it relays for you on its own. Relays never see your
          messages.
        </p>
      ) : (
        <ul className="reach__relays" aria-labelledby="network-relays-title" data-testid="network-relays">
          {reach.relays.map((r, i) => (
            <li key={`${r.name}-${i}`} className="reach__relay" data-state={r.state}>
              <span className={`reach__mark${r.state === 'reserved' ? ' is-good' : ''}`} aria-hidden="true" />
              <span className="reach__relay-name">{r.name}</span>
              <span className="reach__relay-state">
                {r.state === 'reserved' ? 'Relaying for you' : 'Connecting…'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function RelayHint({ reach }: { reach: NetworkReachView | null }) {
  const limits = reach?.relayLimits;
  return (
    <>
      While this device is reachable from other networks, your contacts behind routers can be reached through
      it. It passes on encrypted traffic it cannot read; it learns which contact is reached, by whom and when.
      {limits ? (
        <>
          {' '}
          Limits: {limits.durationMinutes} minutes and {formatMiB(limits.dataMiB)} per relayed connection,{' '}
          {limits.reservations} contacts’ devices, {limits.connections} connections at once.
        </>
      ) : null}
      {reach?.relayedConnections != null ? (
        <> Connections relayed since start: {reach.relayedConnections}.</>
      ) : null}
    </>
  );
}

/** The stored limits in a few words, for the closed disclosure. */
function limitsSummary(reach: NetworkReachView | null): string | undefined {
  const l = reach?.relayLimitSettings;
  if (!l) return undefined;
  const devices = l.reservations === 1 ? 'device' : 'devices';
  return `${l.durationMinutes} min · ${formatMiB(l.dataMiB)} · ${l.reservations} ${devices}`;
}

/** The stored public addresses in a few words, for the closed disclosure. */
function addressesSummary(reach: NetworkReachView | null): string | undefined {
  if (!reach) return undefined;
  const n = reach.publicAddressSettings.length;
  if (n === 0) return 'None';
  return n === 1 ? (reach.publicAddressSettings[0] ?? '') : `${n} addresses`;
}

function formatMiB(mib: number): string {
  return mib >= 1024 && mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`;
}
