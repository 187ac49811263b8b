import type { DeviceListHead } from '../identity/deviceListEntry';
import { MAX_ACTIVE_DEVICES, type ListedDevice } from '../identity/deviceListVerify';

/**
 * Which devices of a person a new conversation or an Add takes in
 * (docs/protocol.md §13.6, "New conversations"): every device active in the
 * person's list as held here, oldest first; for a person without a list
 * (an older version), the devices this profile knows for them. Devices
 * known here that the list does not name (a profile restored by replacing
 * its device, §13.9, before the restore writes `add(N)`) come after the
 * listed ones; a device any list removed never does. At most
 * MAX_ACTIVE_DEVICES per person, so a DM stays within 10 leaves.
 */

export interface PersonDevicesSource {
  headOf(identityKey: Uint8Array): DeviceListHead | null;
  /** Every device the person's list ever named, removed ones included. */
  allDevices(identityKey: Uint8Array): ListedDevice[];
  isRemovedDevice(peerId: string): boolean;
}

export function devicesToAdd(
  lists: PersonDevicesSource,
  identityKey: Uint8Array,
  /** Devices this profile knows for the person (its `devices` rows), oldest first. */
  known: readonly string[],
  /** This device (never added to a group it creates or is in). */
  self: string,
): string[] {
  const out: string[] = [];
  if (lists.headOf(identityKey) !== null) {
    const all = lists.allDevices(identityKey);
    const named = new Set(all.map((d) => d.peerId));
    const active = all
      .filter((d) => d.removedSeq === undefined)
      .sort((a, b) => a.addedSeq - b.addedSeq)
      .map((d) => d.peerId);
    out.push(...active, ...known.filter((p) => !named.has(p)));
  } else out.push(...known);
  // The cap counts this device too when it is one of the person's (it is in the group already).
  return [...new Set(out)]
    .filter((p) => !lists.isRemovedDevice(p))
    .slice(0, MAX_ACTIVE_DEVICES)
    .filter((p) => p !== self);
}
