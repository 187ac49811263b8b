import { useState } from 'react';
import { DEVICE_NAME_MAX, type DeviceView } from '../../../../src-shared/contract/areas/devices';
import { Button } from '../../components/Button';
import { ActionConfirmDialog } from '../../components/ActionConfirmDialog';
import { useAppStore } from '../../store/appStore';
import { DeviceList } from './DeviceList';
import { deviceTitle } from './deviceWords';

/**
 * Settings → Devices, the own list (issue 18, docs/protocol.md §13.8,
 * §13.10): each device with Rename (inline: Enter saves, Escape cancels) and,
 * for the others, Remove after a confirmation that says what happens; this
 * device can be unlinked when it is not the last one.
 */
export function OwnDevices({
  devices,
  labelledBy,
  readOnly = false,
}: {
  devices: DeviceView[];
  labelledBy: string;
  /** On a removed device: the list as it last knew it, with no actions (§13.8 step 4). */
  readOnly?: boolean;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<DeviceView | null>(null);
  const [unlinking, setUnlinking] = useState(false);
  return (
    <>
      <DeviceList
        devices={devices}
        testId="devices-own"
        labelledBy={labelledBy}
        title={(d) =>
          editing === d.peerId ? <NameEditor device={d} onDone={() => setEditing(null)} /> : undefined
        }
        actions={(d) =>
          readOnly || editing === d.peerId ? null : (
            <>
              <Button
                testId="device-rename"
                variant="ghost"
                size="sm"
                aria-label={`Rename ${deviceTitle(d)}`}
                onClick={() => setEditing(d.peerId)}
              >
                Rename
              </Button>
              {d.thisDevice ? (
                devices.length > 1 ? (
                  <Button testId="device-unlink" variant="ghost" size="sm" onClick={() => setUnlinking(true)}>
                    Unlink…
                  </Button>
                ) : null
              ) : (
                <Button
                  testId="device-remove"
                  variant="ghost"
                  size="sm"
                  aria-label={`Remove ${deviceTitle(d)}`}
                  onClick={() => setRemoving(d)}
                >
                  Remove…
                </Button>
              )}
            </>
          )
        }
      />
      {removing ? <RemoveDialog device={removing} onClose={() => setRemoving(null)} /> : null}
      {unlinking ? <UnlinkDialog onClose={() => setUnlinking(false)} /> : null}
    </>
  );
}

/** The title turned into a field: Enter saves, Escape cancels; empty gives the platform's name back. */
function NameEditor({ device, onDone }: { device: DeviceView; onDone: () => void }) {
  const rename = useAppStore((s) => s.renameDevice);
  const [name, setName] = useState(device.name ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tooLong = name.trim().length > DEVICE_NAME_MAX;
  const save = async () => {
    if (tooLong || busy) return;
    setBusy(true);
    const problem = await rename(device.peerId, name);
    if (problem === null) onDone();
    else {
      setError(problem);
      setBusy(false);
    }
  };
  const shown = tooLong ? `At most ${DEVICE_NAME_MAX} characters.` : error;
  return (
    <span className="devices__rename">
      <input
        className="field__input devices__rename-input"
        data-testid="device-name-input"
        aria-label={`Name for ${deviceTitle(device)}`}
        aria-invalid={shown ? true : undefined}
        aria-describedby={shown ? `${device.peerId}-name-error` : undefined}
        placeholder={deviceTitle({ name: null, platform: device.platform })}
        value={name}
        maxLength={200}
        // The user asked for this field this moment: focus belongs in it.
        autoFocus
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape') {
            // Escape here cancels the rename, not whatever dialog or screen is around it.
            e.preventDefault();
            e.stopPropagation();
            onDone();
          }
        }}
      />
      <Button testId="device-name-save" size="sm" busy={busy} busyLabel="Saving…" onClick={() => void save()}>
        Save
      </Button>
      <Button testId="device-name-cancel" size="sm" variant="ghost" onClick={onDone}>
        Cancel
      </Button>
      {shown ? (
        <span className="field__error devices__rename-error" id={`${device.peerId}-name-error`} role="alert">
          {shown}
        </span>
      ) : null}
    </span>
  );
}

function RemoveDialog({ device, onClose }: { device: DeviceView; onClose: () => void }) {
  const remove = useAppStore((s) => s.removeDevice);
  const name = deviceTitle(device);
  return (
    <ActionConfirmDialog
      title={`Remove ${name}?`}
      testId="device-remove-dialog"
      cancelTestId="device-remove-cancel"
      action={{ label: 'Remove device', testId: 'device-remove-confirm', busyLabel: 'Removing…' }}
      run={() => remove(device.peerId)}
      onClose={onClose}
    >
      <p>
        {name} (id {device.shortId}) will stop receiving messages and be removed from your conversations. Your
        contacts are told and refuse what it sends from now on, even while it is offline.
      </p>
      <p>What is already on it stays there. To use it again, link it as a new device.</p>
    </ActionConfirmDialog>
  );
}

function UnlinkDialog({ onClose }: { onClose: () => void }) {
  const unlink = useAppStore((s) => s.unlinkThisDevice);
  return (
    <ActionConfirmDialog
      title="Unlink this device?"
      testId="device-unlink-dialog"
      cancelTestId="device-unlink-cancel"
      action={{ label: 'Unlink this device', testId: 'device-unlink-confirm', busyLabel: 'Unlinking…' }}
      run={unlink}
      onClose={onClose}
    >
      <p>
        This device will stop sending and receiving messages and delete its keys. Your other devices keep
        everything, and your contacts are told.
      </p>
      <p>What is on this device stays readable here.</p>
    </ActionConfirmDialog>
  );
}
