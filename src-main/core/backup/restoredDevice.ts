import { generateSealKeyPair } from '../crypto/sealedBox';
import { generateDeviceKey, peerIdOfDeviceKey } from '../net/deviceKey';
import type { Db } from '../store/encryptedDatabase';
import { markGroupsForResync } from '../groups/resync';

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
 *   With no state kept, nothing can ever be encrypted with the restored one.
 * Runs in one transaction on the not-yet-published restored database.
 */
export async function rotateRestoredDevice(
  db: Db,
  now: number,
): Promise<{ peerId: string; previousPeerId: string | null; groups: number }> {
  const deviceKey = await generateDeviceKey();
  const seal = generateSealKeyPair();
  const peerId = peerIdOfDeviceKey(deviceKey);
  const apply = db.transaction(() => {
    const old = db.prepare('SELECT device_key FROM device_secrets WHERE id = 1').get() as
      { device_key: Buffer } | undefined;
    const previousPeerId = old ? peerIdOfDeviceKey(new Uint8Array(old.device_key)) : null;
    db.prepare('DELETE FROM device_secrets').run();
    db.prepare(
      'INSERT INTO device_secrets (id, device_key, seal_secret, seal_public, created_at) VALUES (1, ?, ?, ?, ?)',
    ).run(Buffer.from(deviceKey), Buffer.from(seal.secretKey), Buffer.from(seal.publicKey), now);
    db.prepare('DELETE FROM mls_device').run();
    db.prepare('DELETE FROM key_packages').run();
    const groups = markGroupsForResync(db, previousPeerId);
    return { previousPeerId, groups };
  });
  const { previousPeerId, groups } = apply();
  deviceKey.fill(0);
  seal.secretKey.fill(0);
  return { peerId, previousPeerId, groups };
}
