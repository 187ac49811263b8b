import { generateSealKeyPair } from '../crypto/sealedBox';
import { recordReplacedDevice } from '../devices/restoreReplacement';
import { generateDeviceKey, peerIdOfDeviceKey } from '../net/deviceKey';
import type { ProfileRepositories } from '../store/profileRepositories';

/**
 * Makes a freshly restored database a new device of the same user
 * (docs/backup-format.md §6). The original may still be running elsewhere:
 * two devices sharing one MLS leaf would encrypt with the same secret-tree
 * keys and nonces (RFC 9420 §9.1: the reuse guard only lowers the risk) and
 * would fight over one PeerId on the network. So the restored profile keeps
 * the identity key (contacts still know who it is) and gets:
 * - a new libp2p device key (a new PeerId) and a new seal key pair;
 * - no MLS device identity (recreated, certified by the identity key, on start);
 * - no KeyPackages (their private keys belong to the old device);
 * - no MLS group states: each group is marked for a resync and the device
 *   rejoins by external commit, removing its old leaf (groups/resync.ts).
 *   With no state kept, nothing can ever be encrypted with the restored one;
 * - the old device key kept aside until the first start, which signs with it
 *   the device list's `add` of the new device, then removes the old one
 *   (docs/protocol.md §13.9 Replace, devices/restoreReplacement.ts).
 * Runs in one transaction on the not-yet-published restored database;
 * `markGroupsForResync` (groups/resync.ts) runs inside it and says how many
 * groups wait.
 */
export async function rotateRestoredDevice(
  repos: Pick<ProfileRepositories, 'deviceSecrets' | 'mlsDevice' | 'keyPackages' | 'settings' | 'tx'>,
  markGroupsForResync: (previousPeerId: string | null) => number,
  now: number,
): Promise<{ peerId: string; previousPeerId: string | null; groups: number }> {
  const deviceKey = await generateDeviceKey();
  const seal = generateSealKeyPair();
  const peerId = peerIdOfDeviceKey(deviceKey);
  const { previousPeerId, groups } = repos.tx.run(() => {
    const old = repos.deviceSecrets.get();
    const previousPeerId = old ? peerIdOfDeviceKey(new Uint8Array(old.deviceKey)) : null;
    if (old) recordReplacedDevice(repos.settings, new Uint8Array(old.deviceKey));
    repos.deviceSecrets.replace({ deviceKey, sealSecret: seal.secretKey, sealPublic: seal.publicKey, now });
    repos.mlsDevice.clear();
    repos.keyPackages.clear();
    const groups = markGroupsForResync(previousPeerId);
    return { previousPeerId, groups };
  });
  deviceKey.fill(0);
  seal.secretKey.fill(0);
  return { peerId, previousPeerId, groups };
}
