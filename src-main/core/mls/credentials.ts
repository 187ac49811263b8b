import type { AuthenticationService, Credential } from 'ts-mls';
import {
  certifyDevice,
  decodeAnyDeviceCredential,
  encodeDeviceCredential,
  encodeListedDeviceCredential,
  type AnyDeviceCredential,
} from '../identity/credential';
import { generateEd25519 } from './crypto/nodeCryptoProvider';
import { directoryFor, judgeCredential, type DeviceDirectory } from './deviceDirectory';

/**
 * What this device signs its MLS messages and leaves with (RFC 9420 §5.3):
 * an Ed25519 signature key certified by the user's identity key. The encoded
 * DeviceCredential (identity key, PeerId, certificate) is the BasicCredential
 * `identity` of every leaf this device owns, so every member can check that a
 * leaf really belongs to the user it names.
 *
 * One signature key per device, not per KeyPackage: RFC 9420 §5.3 lets a
 * client reuse it, and ts-mls recognises "the same client" by it (an Add for
 * a device already in the group is refused).
 */
export interface MlsDeviceIdentity {
  /** The user's Ed25519 identity public key (32 bytes). */
  readonly identityKey: Uint8Array;
  /** This device's libp2p PeerId. */
  readonly peerId: string;
  /** Ed25519 public key of the MLS leaves of this device (32 bytes). */
  readonly signaturePublicKey: Uint8Array;
  /** Its private half as an RFC 8032 seed (32 bytes); never leaves the encrypted database. */
  readonly signaturePrivateKey: Uint8Array;
  /** encodeDeviceCredential(...) of the certificate: the BasicCredential identity. */
  readonly credential: Uint8Array;
}

/** A fresh MLS signature key for this device, certified by the identity key (PKCS#8 DER private). */
export function createDeviceIdentity(
  identityPrivateKey: Uint8Array,
  identityKey: Uint8Array,
  peerId: string,
): MlsDeviceIdentity {
  const { signKey, publicKey } = generateEd25519();
  const certificate = certifyDevice(identityPrivateKey, identityKey, peerId, publicKey);
  return {
    identityKey: new Uint8Array(identityKey),
    peerId,
    signaturePublicKey: publicKey,
    signaturePrivateKey: signKey,
    credential: encodeDeviceCredential(certificate),
  };
}

/**
 * The MLS identity of a device that is not device 0 (docs/protocol.md §13.6):
 * its signature key was made on the device and listed by the `add` entry at
 * `addedSeq` of the person's device list, which is what certifies it (a
 * version 2 credential carries no identity-key signature).
 */
export function listedDeviceIdentity(input: {
  identityKey: Uint8Array;
  peerId: string;
  signaturePublicKey: Uint8Array;
  signaturePrivateKey: Uint8Array;
  addedSeq: number;
}): MlsDeviceIdentity {
  return {
    identityKey: new Uint8Array(input.identityKey),
    peerId: input.peerId,
    signaturePublicKey: new Uint8Array(input.signaturePublicKey),
    signaturePrivateKey: new Uint8Array(input.signaturePrivateKey),
    credential: encodeListedDeviceCredential({
      identityKey: input.identityKey,
      peerId: input.peerId,
      signatureKey: input.signaturePublicKey,
      addedSeq: input.addedSeq,
    }),
  };
}

/** Internal: the MLS credential of this device's leaves. */
export function mlsCredential(device: MlsDeviceIdentity): Credential {
  return { credentialType: 'basic', identity: device.credential };
}

/**
 * The certified device behind a leaf, or null when the credential is not a
 * Parley device credential, names another signature key, or is not
 * certified: version 1 by the identity key's signature, version 2 by the
 * entry of the person's device list that `directory` (the verifier's view;
 * by default the one registered for `verifier`) holds at its `addedSeq`.
 */
export function certifiedDevice(
  credential: Credential,
  signaturePublicKey: Uint8Array,
  directory?: DeviceDirectory,
): AnyDeviceCredential | null {
  const verdict = judgeCredential(credential, signaturePublicKey, directory);
  return verdict.ok ? verdict.credential : null;
}

/** certifiedDevice as judged by the device with this MLS signature key (its registered directory). */
export function certifiedFor(
  verifier: Uint8Array,
  credential: Credential,
  signaturePublicKey: Uint8Array,
): AnyDeviceCredential | null {
  return certifiedDevice(credential, signaturePublicKey, directoryFor(verifier));
}

/**
 * RFC 9420 §5.3.1: the application's authentication service. ts-mls calls it
 * for every leaf it accepts: KeyPackages in Add proposals, Update and commit
 * path leaves, every leaf of a ratchet tree received with a Welcome or used
 * for an external join, and the GroupInfo signer. An uncertified leaf makes
 * the whole message (or join) fail. This default judges version 1 only; the
 * steps that take input (incoming.ts, join.ts, groupEngine.ts) swap in the
 * verifier's own (deviceDirectory.ts), which also judges version 2.
 */
export const parleyAuthService: AuthenticationService = {
  async validateCredential(credential, signaturePublicKey) {
    return certifiedDevice(credential, signaturePublicKey) !== null;
  },
};

export interface LeafIdentity {
  readonly identityKey: Uint8Array;
  /** The identity key in hex, the key roles are stored under. */
  readonly user: string;
  readonly peerId: string;
}

// Leaves are shared between successive states of a group, so the decoded
// identity is kept per credential object: role checks read every leaf.
const identities = new WeakMap<Credential, LeafIdentity | null>();

/**
 * Internal: the identity behind a leaf we already hold in a validated tree
 * (no signature check: the tree was validated when it was accepted).
 */
export function leafIdentity(credential: Credential): LeafIdentity | null {
  let id = identities.get(credential);
  if (id === undefined) {
    const decoded =
      credential.credentialType === 'basic' ? decodeAnyDeviceCredential(credential.identity) : null;
    id = decoded
      ? {
          identityKey: decoded.identityKey,
          user: Buffer.from(decoded.identityKey).toString('hex'),
          peerId: decoded.peerId,
        }
      : null;
    identities.set(credential, id);
  }
  return id;
}
