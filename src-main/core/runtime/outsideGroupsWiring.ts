import { DeviceProofs } from '../contacts/deviceProofs';
import { ParleyError } from '../errors';
import { issueDeviceCertificate } from '../identity/deviceCertificate';
import type { DeviceLists } from '../devices/deviceLists';
import type { DeviceListSync } from '../devices/deviceListSync';
import { RecentContacts } from '../devices/recentContacts';
import type { WireDeviceListHead } from '../net/contactRequestProtocol';
import type { DevicesProtocol } from '../net/devicesProtocol';
import type { DeviceListRepository } from '../store/repositories/deviceListRepository';
import type { Logger } from '../util/logger';

/**
 * "Outside groups" (docs/protocol.md §13.6): what contact requests, invite
 * answers and hello need on both sides. The sender shows its certificate and
 * its person's head and lets the peer it contacted fetch its list for 10
 * minutes (§13.4, `recentContacts`, which the devices protocol's answers
 * read); the receiver judges the device against that list (`proofs`).
 */
export interface OutsideGroups {
  proofs: DeviceProofs;
  deviceListHead: () => WireDeviceListHead | null;
  noteContacted: (peer: string) => void;
  /** For the devices protocol's answers (devices/deviceListSync.ts `recentlyContacted`). */
  recentlyContacted: (peer: string) => boolean;
}

export function outsideGroupsWiring(deps: {
  identityKey: Uint8Array;
  lists: DeviceLists;
  sync: () => Pick<DeviceListSync, 'fetchEntries'>;
  devices: () => Pick<DevicesProtocol, 'exchange'>;
  repo: Pick<DeviceListRepository, 'ownerOf'>;
  now: () => number;
  logger: Logger;
}): OutsideGroups {
  const recent = new RecentContacts(deps.now);
  return {
    proofs: new DeviceProofs({
      lists: deps.lists,
      fetchEntries: (from, identityKey) => deps.sync().fetchEntries(from, identityKey),
      exchange: (peer, ask) => deps.devices().exchange(peer, ask),
      claimedBy: (d) => {
        const owner = deps.repo.ownerOf(d.peerId, d.mlsSignatureKey);
        return owner === null ? undefined : new Uint8Array(owner);
      },
      logger: deps.logger,
    }),
    deviceListHead: () => deps.lists.headOf(deps.identityKey),
    noteContacted: (peer) => recent.note(peer),
    recentlyContacted: (peer) => recent.has(peer),
  };
}

/**
 * The certificate this device shows outside groups (§13.2, §13.6): the kind 2
 * certificate its add entry carries when its list added it after entry 0 (a
 * linked device, or one restored as an added device, §13.9); otherwise a kind
 * 1 certificate by the identity key (device 0, or a profile without a list),
 * issued now. Receivers holding the list refuse a kind 1 certificate for any
 * device but entry 0's (identity/listedDeviceProof.ts).
 */
export function shownCertificate(
  lists: Pick<DeviceLists, 'activeDevices'>,
  identity: { publicKey: Uint8Array; privateKey: Uint8Array },
  peerId: string,
  now: number,
): Uint8Array {
  const listed = lists.activeDevices(identity.publicKey).find((d) => d.peerId === peerId);
  if (listed !== undefined && (listed.addedSeq !== 0 || identity.privateKey.length === 0))
    return listed.certificate;
  if (identity.privateKey.length === 0)
    throw new ParleyError(
      'INVALID_STATE',
      'This device is not in your device list. Link it again from your other device.',
    );
  return issueDeviceCertificate(identity.privateKey, identity.publicKey, peerId, now);
}
