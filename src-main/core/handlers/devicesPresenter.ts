import {
  type DeviceForkView,
  DevicePlatformView,
  type DevicesView,
  type DeviceView,
} from '../../../src-shared/contract/areas/devices';
import { unpackEntries } from '../devices/entryChain';
import { decodeDeviceListEntry, type DeviceListEntry } from '../identity/deviceListEntry';
import type { StoredFork, StoredListedDevice } from '../store/repositories/deviceListRepository';
import { peerIdOfDeviceKey } from '../net/deviceKey';
import type { Store } from '../store/store';

/** This device's PeerId, or '' before its first start made a device key (nothing is "this device" then). */
export function thisPeerId(store: Store): string {
  const secrets = store.deviceSecrets.get();
  return secrets ? peerIdOfDeviceKey(secrets.deviceKey) : '';
}

/** What people compare: a PeerId's last 8 characters (the start is the same for every Ed25519 PeerId). */
export function shortDeviceId(peerId: string): string {
  return peerId.slice(-8);
}

const PLATFORMS: readonly string[] = DevicePlatformView.options;
const platformOf = (p: string): DevicePlatformView =>
  PLATFORMS.includes(p) ? (p as DevicePlatformView) : 'other';

function deviceView(d: StoredListedDevice, self: string): DeviceView {
  return {
    peerId: d.peerId,
    shortId: shortDeviceId(d.peerId),
    name: d.name,
    platform: platformOf(d.platform),
    linkedAt: d.linkedAt,
    lastSeenAt: d.peerId === self ? null : d.lastSeenAt,
    thisDevice: d.peerId === self,
  };
}

function forkView(store: Store, fork: StoredFork, devices: readonly StoredListedDevice[]): DeviceForkView {
  const theirs = (unpackEntries(fork.theirs) ?? [])
    .map((b) => decodeDeviceListEntry(b))
    .filter((e): e is DeviceListEntry => e !== null);
  const first = theirs[0];
  const signer = first?.signerPeerId ?? null;
  return {
    seq: fork.seq,
    seenAt: fork.seenAt,
    toldBy: fork.toldBy === null ? null : store.devices.contactNameOf(fork.toldBy),
    signedBy:
      signer === null
        ? null
        : { shortId: shortDeviceId(signer), name: devices.find((d) => d.peerId === signer)?.name ?? null },
    otherVersion: theirs.map((e) => ({
      op: e.op,
      shortId: shortDeviceId(e.subjectPeerId),
      platform:
        e.op === 'add'
          ? e.platform
          : platformOf(devices.find((d) => d.peerId === e.subjectPeerId)?.platform ?? 'other'),
      at: e.at,
    })),
  };
}

/**
 * A person's devices as this profile's stored list says (active ones: this
 * device first, then in the order they were linked) and the open forks of
 * that list, with the other version spelled out (§13.4: "it adds a device
 * (Windows, 14:03), signed by your device Laptop").
 */
export function devicesView(store: Store, identityKey: Uint8Array, self: string): DevicesView {
  const all = store.deviceLists.devices(identityKey);
  const active = all
    .filter((d) => d.removedSeq === null)
    .sort((a, b) => Number(b.peerId === self) - Number(a.peerId === self) || a.addedSeq - b.addedSeq);
  return {
    devices: active.map((d) => deviceView(d, self)),
    forks: store.deviceLists
      .openForks(identityKey)
      .slice(0, 4)
      .map((f) => forkView(store, f, all)),
  };
}
