import type { DevicePlatform } from '../identity/deviceListEntry';
import { ed25519SignerFromPkcs8, ed25519SignerFromSeed } from '../util/ed25519';
import type { OwnDevice } from './deviceLists';

/** The platform byte this machine puts in its list entries (§13.3). */
export function hostPlatform(platform: string = process.platform): DevicePlatform {
  if (platform === 'linux') return 'linux';
  if (platform === 'darwin') return 'macos';
  if (platform === 'win32') return 'windows';
  return 'other';
}

/**
 * This device as its device list needs it, from the keys the profile holds:
 * the identity key (PKCS#8; only device 0 has it), the device key (libp2p's
 * raw Ed25519 form, seed ‖ public key) and the MLS signature key (seed).
 */
export function ownDevice(input: {
  identity: { publicKey: Uint8Array; privateKey: Uint8Array | null };
  peerId: string;
  deviceKeyRaw: Uint8Array;
  mls: { signaturePublicKey: Uint8Array; signaturePrivateKey: Uint8Array };
  platform?: DevicePlatform;
}): OwnDevice {
  const { privateKey } = input.identity;
  return {
    identityKey: new Uint8Array(input.identity.publicKey),
    identitySign: privateKey === null ? null : ed25519SignerFromPkcs8(privateKey),
    identityPrivateKey: privateKey,
    peerId: input.peerId,
    deviceSign: ed25519SignerFromSeed(input.deviceKeyRaw),
    mlsSignatureKey: new Uint8Array(input.mls.signaturePublicKey),
    mlsSign: ed25519SignerFromSeed(input.mls.signaturePrivateKey),
    platform: input.platform ?? hostPlatform(),
  };
}
