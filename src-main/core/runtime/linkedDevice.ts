import type { DeviceLists } from '../devices/deviceLists';
import { ParleyError } from '../errors';
import type { ListedDevice } from '../identity/deviceListVerify';
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
