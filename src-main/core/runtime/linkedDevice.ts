import type { DeviceLists } from '../devices/deviceLists';
import { loadListedDeviceIdentity, type MlsDeviceIdentity } from '../mls';
import { ParleyError } from '../errors';
import type { ListedDevice } from '../identity/deviceListVerify';
import { decodeListedDeviceCredential } from '../identity/credential';
import type { Store } from '../store/store';

/**
 * What a linked device (docs/protocol.md §13.2: no identity private key)
 * starts messaging with: the MLS signature key pair it made at linking
 * (linking/grantImport.ts) and its own active entry in its person's list,
 * which binds that key and its PeerId to the identity (§13.6).
 */

/** The MLS key pair linking stored for this PeerId. */
export function linkedMlsKeys(
  store: Pick<Store, 'mlsDevice'>,
  peerId: string,
): { signaturePublicKey: Uint8Array; signaturePrivateKey: Uint8Array } {
  const row = store.mlsDevice.get();
  if (!row || row.peerId !== peerId) {
    throw new ParleyError(
      'INVALID_STATE',
      'This linked device has lost its keys. Link it again from your other device.',
    );
  }
  return {
    signaturePublicKey: new Uint8Array(row.signaturePublicKey),
    signaturePrivateKey: new Uint8Array(row.signaturePrivateKey),
  };
}

/** This device's active entry in its own list; INVALID_STATE when the list does not name it. */
export function ownListedDevice(lists: DeviceLists, identityKey: Uint8Array, peerId: string): ListedDevice {
  const listed = lists.activeDevices(identityKey).find((d) => d.peerId === peerId);
  if (!listed) {
    throw new ParleyError(
      'INVALID_STATE',
      'This device is not in your device list. Link it again from your other device.',
    );
  }
  return listed;
}

/**
 * This device signs with a version 2 credential: it holds no identity
 * private key (a linked device), or its stored MLS identity is already
 * version 2 for this PeerId (a device listed by another own device that also
 * holds the identity key, e.g. a test twin): such an identity is kept, never
 * replaced by a version 1 one under a new key the list does not name.
 */
export function usesListedIdentity(
  store: Pick<Store, 'mlsDevice'>,
  identity: { privateKey: Uint8Array },
  peerId: string,
): boolean {
  if (identity.privateKey.length === 0) return true;
  const row = store.mlsDevice.get();
  return row !== null && row.peerId === peerId && decodeListedDeviceCredential(row.credential) !== null;
}

/**
 * This device's MLS identity: on device 0 (`device0`, certified by the
 * identity key) that one; on a linked device the version 2 identity of its
 * own active list entry (§13.2, §13.6).
 */
export function deviceIdentity(
  store: Pick<Store, 'mlsDevice'>,
  identityKey: Uint8Array,
  peerId: string,
  lists: DeviceLists,
  device0: MlsDeviceIdentity | null,
  now: number,
): MlsDeviceIdentity {
  if (device0) return device0;
  const listed = ownListedDevice(lists, identityKey, peerId);
  return loadListedDeviceIdentity(store.mlsDevice, identityKey, peerId, listed, now);
}
