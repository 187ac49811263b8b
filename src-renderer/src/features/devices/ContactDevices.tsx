import { useEffect, useId } from 'react';
import type { DeviceForkView } from '../../../../src-shared/contract/areas/devices';
import { Button } from '../../components/Button';
import { useAppStore } from '../../store/appStore';
import { DeviceList } from './DeviceList';
import { forkEntryText } from './deviceWords';

/**
 * A contact's devices on their profile (issue 18, docs/protocol.md §13.10),
 * with the key-change alert's device reason when their list forked (§13.4,
 * docs/threat-model.md "A person shown a forked list").
 */
export function ContactDevices({ contactId, name }: { contactId: number; name: string }) {
  const ids = useId();
  const view = useAppStore((s) => s.contactDevices[contactId] ?? null);
  const watch = useAppStore((s) => s.watchContactDevices);
  useEffect(() => watch(contactId), [watch, contactId]);

  return (
    <section className="dialog-section" aria-labelledby={`${ids}-title`} data-testid="contact-devices">
      {view?.forks.map((f) => (
        <ContactForkWarning key={f.seq} fork={f} name={name} />
      ))}
      <h3 className="dialog-section__title" id={`${ids}-title`}>
        Devices
      </h3>
      {view === null || view.devices.length === 0 ? (
        <p className="dialog-section__text" data-testid="contact-devices-none">
          {name}’s device list has not reached this device yet.
        </p>
      ) : (
        <DeviceList devices={view.devices} testId="contact-devices-list" labelledBy={`${ids}-title`} />
      )}
    </section>
  );
}

/** "Ann's device list is not the one you were shown before …" with both versions (§13.4). */
export function ContactForkWarning({ fork, name }: { fork: DeviceForkView; name: string }) {
  return (
    <div className="key-change" role="alert" data-testid="contact-devices-fork">
      <p className="key-change__title">{name}’s device list is not the one you were shown before</p>
      <p className="key-change__text">
        Someone may be posing as one of {name}’s devices. Ask {name} which devices they have. The other
        version {fork.otherVersion.map(forkEntryText).join(', then ')}
        {fork.toldBy ? `; it came from ${fork.toldBy}` : ''}. Until then, only the devices listed below are
        trusted.
      </p>
    </div>
  );
}

/** Above a DM's timeline: the same alert, short, while the contact's list has a fork. */
export function DeviceForkBanner({ contactId, name }: { contactId: number; name: string }) {
  const view = useAppStore((s) => s.contactDevices[contactId] ?? null);
  const watch = useAppStore((s) => s.watchContactDevices);
  const openContacts = useAppStore((s) => s.openContacts);
  useEffect(() => watch(contactId), [watch, contactId]);
  if (!view || view.forks.length === 0) return null;
  return (
    <div className="chat-banner chat-banner--warning" role="alert" data-testid="device-fork-banner">
      <p className="chat-banner__text">
        <strong>{name}’s device list is not the one you were shown before.</strong> Someone may be posing as
        one of {name}’s devices. Ask {name} which devices they have.
      </p>
      <div className="chat-banner__actions">
        <Button
          testId="device-fork-see"
          size="sm"
          variant="secondary"
          onClick={() => void openContacts(contactId)}
        >
          See devices
        </Button>
      </div>
    </div>
  );
}
