import type { OwnIdentity } from '../contacts/ownProfile';
import type { DeviceLists } from '../devices/deviceLists';
import { loadDeviceKey } from '../net/deviceKey';
import { ed25519SignerFromSeed } from '../util/ed25519';

/**
 * The own identity as the profile card needs it (docs/protocol.md §13.6,
 * "Profile cards, version 2"): the identity key where it is held (device 0
 * signs version 1), and this device as the signer of version 2 cards, named
 * by its add entry in the own list, while it is active there.
 */
export function ownCardIdentity(
  identity: Omit<OwnIdentity, 'cardSigner'>,
  lists: Pick<DeviceLists, 'activeDevices'>,
  peerId: string,
  /** The device key as the profile stores it (net/deviceKey.ts). */
  deviceKey: Uint8Array,
): OwnIdentity {
  const sign = ed25519SignerFromSeed(loadDeviceKey(deviceKey).raw);
  return {
    ...identity,
    cardSigner: () => {
      const active = lists.activeDevices(identity.publicKey);
      const me = active.find((d) => d.peerId === peerId);
      if (me === undefined) return null;
      return {
        peerId,
        addedSeq: me.addedSeq,
        sign,
        isActive: (peer) => active.some((d) => d.peerId === peer),
      };
    },
  };
}
