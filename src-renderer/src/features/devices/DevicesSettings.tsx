import { useEffect, useRef, useState } from 'react';
import type { DeviceForkView } from '../../../../src-shared/contract/areas/devices';
import { Button } from '../../components/Button';
import { useAppStore } from '../../store/appStore';
import { LinkDeviceDialog } from './LinkDeviceDialog';
import { OwnDevices } from './OwnDevices';
import { forkEntryText, forkSigner } from './deviceWords';
import { useRemovedDevice } from './useRemovedDevice';

/**
 * Settings → Devices (issue 18, docs/protocol.md §13.10): the devices of
 * this person's device list, this one first, and a warning when a contact
 * was shown a version of the list that this person did not make (§13.4:
 * learnt from the head a contact echoes back).
 */
export function DevicesSettings() {
  const view = useAppStore((s) => s.ownDevices);
  const error = useAppStore((s) => s.ownDevicesError);
  const watch = useAppStore((s) => s.watchOwnDevices);
  const online = useAppStore((s) => s.net !== null && s.net.state !== 'offline');
  // A removed device shows the list as it last knew it, and changes nothing in it (§13.8 step 4).
  const removed = useRemovedDevice();
  const [linking, setLinking] = useState(false);
  const linkRef = useRef<HTMLButtonElement>(null);

  useEffect(() => watch(), [watch]);

  // Linking needs this device online (the new one dials it) and a list to add to; at 5 devices the
  // core would refuse the code (§13.8's limit), so the button gives way to the reason.
  const count = view?.devices.length ?? 0;
  const canLink = online && count > 0 && !removed;

  return (
    <section className="settings__section" aria-labelledby="settings-devices" data-testid="settings-devices">
      <h2 className="settings__heading" id="settings-devices">
        Devices
      </h2>
      {view?.forks.map((f) => (
        <OwnForkWarning key={f.seq} fork={f} />
      ))}
      <p className="settings__hint">
        Every device listed here can read and send your messages. Your contacts see this list and are warned
        if it changes in a way you did not make. Your safety number stays the same whatever devices you use.
      </p>
      {view === null && !error ? <p className="settings__hint">Reading…</p> : null}
      {view && view.devices.length === 0 ? (
        <p className="settings__hint" data-testid="devices-none">
          Your device list is made the first time Parley goes online on this device.
        </p>
      ) : null}
      {view && view.devices.length > 0 ? (
        <>
          <h3 className="settings__subheading" id="devices-own-title">
            Your devices ({view.devices.length} of 5)
          </h3>
          <OwnDevices devices={view.devices} labelledBy="devices-own-title" readOnly={removed} />
          {canLink ? (
            count >= 5 ? (
              <p className="settings__hint" data-testid="devices-full">
                You have 5 devices, the most Parley allows. Remove one to link a new one.
              </p>
            ) : (
              <div>
                <Button
                  ref={linkRef}
                  testId="devices-link"
                  variant="secondary"
                  onClick={() => setLinking(true)}
                >
                  Link a new device
                </Button>
              </div>
            )
          ) : null}
        </>
      ) : null}
      {linking ? <LinkDeviceDialog onClose={() => setLinking(false)} returnFocus={linkRef} /> : null}
      {error ? (
        <p className="field__error" role="alert" data-testid="devices-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** "Bob was shown a version of your device list that you did not make …" (§13.4). */
function OwnForkWarning({ fork }: { fork: DeviceForkView }) {
  const who = fork.toldBy ?? 'A contact';
  return (
    <div className="key-change" role="alert" data-testid="devices-own-fork">
      <p className="key-change__title">{who} was shown a version of your device list that you did not make</p>
      <p className="key-change__text">
        That version {fork.otherVersion.map(forkEntryText).join(', then ')}, signed by {forkSigner(fork)}.
        Someone has used that device’s keys. Remove that device from your devices, or start over with a new
        identity, and tell your contacts.
      </p>
    </div>
  );
}
