import { privateKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { linkTestDevice } from '../../devices/testing/ownListHelpers';
import type { GroupSteps } from '../../groups/groupSteps';
import type { TestDevice } from '../../identity/testing/deviceListFixture';
import { DEFAULT_SUITE, type MlsDeviceIdentity } from '../../mls';
import { listedDeviceIdentity } from '../../mls/credentials';
import { generateEd25519 } from '../../mls/crypto/nodeCryptoProvider';
import { generateKeyPackage } from '../../mls/keyPackages';
import { ed25519SignerFromSeed } from '../../util/ed25519';
import type { RunningMessaging } from '../startMessaging';

/**
 * Test and bench helper for §13.8 step 2 while §13.6's own-device add after
 * a link is not built: a second device of the running device's person, listed
 * in its list, with a version 2 credential and a KeyPackage, that the running
 * device can add to its groups (`addToGroup`, what the link will do). The
 * device itself never runs: it only needs a leaf to be removed.
 */
export interface ListedPhone {
  device: TestDevice;
  keyPackage: Uint8Array;
}

export async function listedPhone(
  m: RunningMessaging,
  keyPackages = 1,
): Promise<ListedPhone & { more: Uint8Array[]; identity: MlsDeviceIdentity }> {
  const seed = generateEd25519();
  const mls = generateEd25519();
  const deviceKey = new Uint8Array([...seed.signKey, ...seed.publicKey]);
  const device: TestDevice = {
    peerId: peerIdFromPrivateKey(privateKeyFromRaw(deviceKey)).toString(),
    deviceKey,
    sign: ed25519SignerFromSeed(seed.signKey),
    mlsSignatureKey: mls.publicKey,
    mlsSign: ed25519SignerFromSeed(mls.signKey),
  };
  linkTestDevice(m.devices, device);
  const addedSeq = m.devices.headOf(m.devices.ownIdentityKey)?.seq ?? 0;
  const identity = listedDeviceIdentity({
    identityKey: m.devices.ownIdentityKey,
    peerId: device.peerId,
    signaturePublicKey: mls.publicKey,
    signaturePrivateKey: mls.signKey,
    addedSeq,
  });
  const made = await Promise.all(
    Array.from({ length: keyPackages }, () =>
      generateKeyPackage(identity, { suite: DEFAULT_SUITE, lastResort: false, now: Date.now() }),
    ),
  );
  return {
    device,
    keyPackage: made[0]?.keyPackage ?? new Uint8Array(0),
    more: made.map((k) => k.keyPackage),
    identity,
  };
}

/** Commits an Add of an own device in a conversation (the addOwnDevice intent, §13.6). */
export async function addOwnDeviceTo(
  m: RunningMessaging,
  conversationId: number,
  keyPackage: Uint8Array,
): Promise<string> {
  const steps = (m.service.groups as unknown as { steps: GroupSteps }).steps;
  const entry = m.service.groups.sequencers.get(conversationId);
  if (!entry) throw new Error(`no sequencer for ${conversationId}`);
  return steps.commitNow(entry, { type: 'addOwnDevice', keyPackages: [keyPackage] });
}
