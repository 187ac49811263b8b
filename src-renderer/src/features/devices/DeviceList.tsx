import { useState, type ReactNode } from 'react';
import type { DeviceView } from '../../../../src-shared/contract/areas/devices';
import { formatDateTime, formatSince } from '../../lib/time';
import { deviceTitle, platformLabel } from './deviceWords';

/**
 * A person's devices (issue 18, docs/protocol.md §13.10): name (or
 * platform), platform, when it was linked, when this device last heard from
 * it, and which one is this device.
 */
export function DeviceList({
  devices,
  testId,
  labelledBy,
  title,
  actions,
}: {
  devices: DeviceView[];
  testId: string;
  labelledBy: string;
  /** Replaces a row's title (the own list's inline rename). */
  title?: (d: DeviceView) => ReactNode;
  /** Controls at the end of a row (the own list's rename and remove). */
  actions?: (d: DeviceView) => ReactNode;
}) {
  const [now] = useState(() => Date.now());
  return (
    <ul className="devices__list" aria-labelledby={labelledBy} data-testid={testId}>
      {devices.map((d) => (
        <li key={d.peerId} className="devices__item" data-testid="device-row" data-this-device={d.thisDevice}>
          <span className={`devices__icon devices__icon--${d.platform}`} aria-hidden="true" />
          <span className="devices__who">
            <span className="devices__name">
              {title?.(d) ?? deviceTitle(d)}
              {d.thisDevice ? (
                <span className="devices__this" data-testid="device-this">
                  This device
                </span>
              ) : null}
            </span>
            <span className="devices__meta">
              {platformLabel(d.platform)} · linked {formatDateTime(d.linkedAt)}
              {d.thisDevice
                ? null
                : d.lastSeenAt === null
                  ? ' · not seen yet'
                  : ` · last seen ${formatSince(d.lastSeenAt, now)}`}
            </span>
            <span className="devices__id">
              id <code>{d.shortId}</code>
            </span>
          </span>
          {actions ? <span className="devices__actions">{actions(d)}</span> : null}
        </li>
      ))}
    </ul>
  );
}
