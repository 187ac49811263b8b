import type {
  DeviceForkView,
  DevicePlatformView,
  DeviceView,
  ForkEntryView,
} from '../../../../src-shared/contract/areas/devices';
import { formatDateTime } from '../../lib/time';

/** The platform as people say it. */
export function platformLabel(p: DevicePlatformView | null): string {
  switch (p) {
    case 'linux':
      return 'Linux';
    case 'macos':
      return 'macOS';
    case 'windows':
      return 'Windows';
    case 'cli':
      return 'Command line';
    default:
      return 'Other';
  }
}

/** A device's title: the name it was given, else its platform. */
export function deviceTitle(d: Pick<DeviceView, 'name' | 'platform'>): string {
  return d.name ?? `${platformLabel(d.platform)} device`;
}

/** One entry of the other version: "adds a device (Windows, 5 Dec 2026, 14:03)". */
export function forkEntryText(e: ForkEntryView): string {
  const what = e.op === 'add' ? 'adds a device' : 'removes a device';
  return `${what} (${platformLabel(e.platform)}, ${formatDateTime(e.at)}, id ${e.shortId})`;
}

/** The signer of the first differing entry, as the owner knows it: "your device Laptop (id …)". */
export function forkSigner(f: DeviceForkView): string {
  if (f.signedBy === null) return 'your identity key (on the device that created your profile)';
  return f.signedBy.name
    ? `your device ${f.signedBy.name} (id ${f.signedBy.shortId})`
    : `your device with id ${f.signedBy.shortId}`;
}
