import type { AuthenticationService, Credential } from 'ts-mls';
import {
  certifyDevice,
  decodeDeviceCredential,
  encodeDeviceCredential,
  verifyDeviceCredential,
  type DeviceCredential,
} from '../identity/credential';
import { generateEd25519 } from './crypto/nodeCryptoProvider';

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

/** Internal: the MLS credential of this device's leaves. */
export function mlsCredential(device: MlsDeviceIdentity): Credential {
  return { credentialType: 'basic', identity: device.credential };
}

/**
 * The certified device behind a leaf, or null when the credential is not a
 * Parley device credential, names another signature key, or the identity
 * key did not sign it.
 */
export function certifiedDevice(
  credential: Credential,
  signaturePublicKey: Uint8Array,
): DeviceCredential | null {
  if (credential.credentialType !== 'basic') return null;
  const decoded = decodeDeviceCredential(credential.identity);
  if (!decoded) return null;
  if (!Buffer.from(decoded.signatureKey).equals(Buffer.from(signaturePublicKey))) return null;
  return verifyDeviceCredential(decoded) ? decoded : null;
}

/**
 * RFC 9420 §5.3.1: the application's authentication service. ts-mls calls it
 * for every leaf it accepts: KeyPackages in Add proposals, Update and commit
 * path leaves, every leaf of a ratchet tree received with a Welcome or used
 * for an external join, and the GroupInfo signer. An uncertified leaf makes
 * the whole message (or join) fail.
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
      credential.credentialType === 'basic' ? decodeDeviceCredential(credential.identity) : null;
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
