import { generateKeyPairSync } from 'node:crypto';

/**
 * The user's long-term identity key (Ed25519, RFC 8032). It certifies device
 * keys and MLS credentials; its fingerprint is what contacts verify.
 */
export interface IdentityKeyPair {
  /** Raw 32-byte public key. */
  publicKey: Buffer;
  /** PKCS#8 DER; stays inside the encrypted database. */
  privateKey: Buffer;
}

export function generateIdentityKey(): IdentityKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  // An Ed25519 SPKI is a fixed 12-byte prefix followed by the 32-byte key (RFC 8410 §4).
  return {
    publicKey: Buffer.from(spki.subarray(spki.length - 32)),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }),
  };
}
