import { useEffect, useRef, useState } from 'react';
import type { ThisDeviceView } from '../../../../src-shared/contract/areas/devices';
import { formatDateTime } from '../../lib/time';
import { Button } from '../../components/Button';
import { useAppStore } from '../../store/appStore';
import { DeleteProfileDialog } from './DeleteProfileDialog';

type Removal = NonNullable<ThisDeviceView['removed']>;

/** "This device was removed from Ann's devices on 6 Dec 2026, 14:03, by Phone." */
export function removedText(r: Removal): string {
  const when = r.at > 0 ? ` on ${formatDateTime(r.at)}` : '';
  const whose = r.personName === '' ? 'your devices' : `${r.personName}’s devices`;
  if (r.reason === 'unlinked') return `This device was unlinked from ${whose}${when}.`;
  if (r.reason === 'replaced')
    return `This device was replaced by a restore elsewhere and removed from ${whose}${when}.`;
  const by = r.by === null ? '' : r.by.name ? ` by ${r.by.name}` : ` by the device with id ${r.by.shortId}`;
  return `This device was removed from ${whose}${when}${by}.`;
}

/**
 * On a device that was removed from its person's devices (issue 18,
 * docs/protocol.md §13.8 step 4): above every screen while unlocked, it says
 * so and what it means, and offers the two ways on: "Link again" (this
 * computer as a new device, its history from the device that links it) and
 * "Delete this profile". The conversations are read-only (left), their
 * history stays readable and searchable until then.
 */
export function RemovedDeviceBanner() {
  const view = useAppStore((s) => s.thisDevice);
  const watch = useAppStore((s) => s.watchThisDevice);
  const [asking, setAsking] = useState<'relink' | 'delete' | null>(null);
  const relinkRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  useEffect(() => watch(), [watch]);
  const removed = view?.removed;
  if (!removed) return null;
  return (
    <div className="removed-banner" role="alert" data-testid="device-removed">
      <div className="removed-banner__words">
        <p className="removed-banner__title">{removedText(removed)}</p>
        <p className="removed-banner__text">
          It no longer sends or receives messages and its keys were deleted. What is on it stays readable
          here. To use Parley on this computer again, link it again from one of your devices as a new device.
        </p>
      </div>
      <div className="removed-banner__actions">
        <Button ref={relinkRef} testId="device-removed-relink" size="sm" onClick={() => setAsking('relink')}>
          Link again…
        </Button>
        <Button
          ref={deleteRef}
          testId="device-removed-delete"
          size="sm"
          variant="secondary"
          onClick={() => setAsking('delete')}
        >
          Delete this profile…
        </Button>
      </div>
      {asking ? <DeleteProfileDialog relink={asking === 'relink'} onClose={() => setAsking(null)} /> : null}
    </div>
  );
}
