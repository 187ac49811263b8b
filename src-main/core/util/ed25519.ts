import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** RFC 8410 §4: an Ed25519 SubjectPublicKeyInfo is this prefix followed by the 32-byte key. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A raw 32-byte Ed25519 public key as a KeyObject. Throws on a key Node cannot parse. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError('Ed25519 public key must be 32 bytes');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** True when `signature` is `publicKey`'s Ed25519 signature (RFC 8032) over `message`. Never throws. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return verify(null, message, ed25519PublicKey(publicKey), signature);
  } catch {
    return false;
  }
}

/** Signs a message with one private key (Ed25519, RFC 8032); the key never leaves the closure. */
export type Ed25519Sign = (message: Uint8Array) => Uint8Array;

/** RFC 8410 §7: an Ed25519 PKCS#8 OneAsymmetricKey is this prefix followed by the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A signer for a PKCS#8 DER private key (how the identity key is stored). */
export function ed25519SignerFromPkcs8(der: Uint8Array): Ed25519Sign {
  const key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  return (message) => new Uint8Array(sign(null, message, key));
}

/**
 * A signer for a raw private key: the 32-byte seed, or libp2p's 64-byte
 * seed ‖ public key (how device keys and MLS signature keys are held).
 */
export function ed25519SignerFromSeed(raw: Uint8Array): Ed25519Sign {
  if (raw.length !== 32 && raw.length !== 64)
    throw new RangeError('Ed25519 private key must be 32 or 64 bytes');
  return ed25519SignerFromPkcs8(Buffer.concat([ED25519_PKCS8_PREFIX, raw.subarray(0, 32)]));
}
