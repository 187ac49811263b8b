import { createHash, randomBytes } from 'node:crypto';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { x25519, x25519PublicKey, X25519_KEY_LENGTH } from './x25519';

/**
 * X-Wing (draft-connolly-cfrg-xwing-kem): ML-KEM-768 and X25519 combined
 * with SHA3-256. The one implementation in Parley: the MLS ciphersuite's HPKE
 * KEM (mls/crypto/xwingKem.ts) and the store-and-forward sealed boxes
 * (sealedBox.ts) both use it. ML-KEM-768 (FIPS 203) from
 * @noble/post-quantum; X25519 and SHA-3 from OpenSSL (x25519.ts): the pure-JS
 * X25519 ladders cost milliseconds per operation. Cross-checked against
 * @noble/post-quantum's `ml_kem768_x25519` (sealedBox.test.ts) and
 * @hpke/hybridkem-x-wing (mls/crypto/hpke.test.ts) in both directions.
 */

/** ML-KEM-768's encapsulation key, then X25519's (§5.2). */
export const XWING_PUBLIC_KEY_BYTES = 1216;
/** ML-KEM-768's ciphertext, then X25519's ephemeral public key (§5.4). */
export const XWING_CIPHERTEXT_BYTES = 1120;
/** The decapsulation key is a 32-byte seed (§5.2). */
export const XWING_SEED_BYTES = 32;
const ML_KEM_PK = 1184;
const ML_KEM_CT = 1088;
/** XWingLabel = "\.//^\" (§5.3). */
const LABEL = Uint8Array.of(0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c);

/** The seed expanded into both component key pairs (§5.2). */
export interface XWingExpandedKey {
  skM: Uint8Array;
  skX: Uint8Array;
  pkM: Uint8Array;
  pkX: Uint8Array;
}

function shake256(input: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(createHash('shake256', { outputLength: length }).update(input).digest());
}

/** SHAKE256(seed, 96) → ML-KEM-768 seed d ‖ z (64 bytes) and the X25519 secret (32) (§5.2). */
export function xwingExpand(seed: Uint8Array): XWingExpandedKey {
  if (seed.length !== XWING_SEED_BYTES) throw new RangeError('X-Wing private key must be 32 bytes');
  const expanded = shake256(seed, 96);
  // ML-KEM-768.KeyGen_internal(d, z) with d || z = expanded[0:64] (FIPS 203 §6.1).
  const { publicKey: pkM, secretKey: skM } = ml_kem768.keygen(expanded.slice(0, 64));
  const skX = expanded.slice(64, 96);
  expanded.fill(0);
  return { skM, skX, pkM, pkX: x25519PublicKey(skX) };
}

/** Wipes the secret halves of an expanded key. */
export function wipeXWingKey(key: XWingExpandedKey): void {
  key.skM.fill(0);
  key.skX.fill(0);
}

/** The public key of a seed: pkM ‖ pkX. */
export function xwingPublicKey(seed: Uint8Array): Uint8Array {
  const e = xwingExpand(seed);
  wipeXWingKey(e);
  return new Uint8Array(Buffer.concat([e.pkM, e.pkX]));
}

/** SHA3-256(ssM ‖ ssX ‖ ctX ‖ pkX ‖ XWingLabel) (§5.3). */
function combiner(ssM: Uint8Array, ssX: Uint8Array, ctX: Uint8Array, pkX: Uint8Array): Uint8Array {
  return new Uint8Array(
    createHash('sha3-256').update(ssM).update(ssX).update(ctX).update(pkX).update(LABEL).digest(),
  );
}

/**
 * Encapsulation (§5.4). A RangeError for a key of the wrong length; a throw
 * for a low-order X25519 key (all-zero shared secret, which OpenSSL refuses).
 */
export function xwingEncapsulate(publicKey: Uint8Array): {
  cipherText: Uint8Array;
  sharedSecret: Uint8Array;
} {
  if (publicKey.length !== XWING_PUBLIC_KEY_BYTES)
    throw new RangeError('X-Wing public key must be 1216 bytes');
  const pkM = publicKey.subarray(0, ML_KEM_PK);
  const pkX = publicKey.subarray(ML_KEM_PK);
  const ekX = new Uint8Array(randomBytes(X25519_KEY_LENGTH));
  const ctX = x25519PublicKey(ekX);
  let ssX: Uint8Array;
  try {
    ssX = x25519(ekX, pkX);
  } finally {
    ekX.fill(0);
  }
  const { cipherText: ctM, sharedSecret: ssM } = ml_kem768.encapsulate(pkM);
  const sharedSecret = combiner(ssM, ssX, ctX, pkX);
  ssM.fill(0);
  ssX.fill(0);
  const cipherText = new Uint8Array(XWING_CIPHERTEXT_BYTES);
  cipherText.set(ctM, 0);
  cipherText.set(ctX, ML_KEM_CT);
  return { cipherText, sharedSecret };
}

/**
 * Decapsulation (§5.5) with an expanded key. ML-KEM decapsulation of a
 * tampered ciphertext yields an unrelated secret (implicit rejection,
 * FIPS 203), so tampering surfaces where the secret is used; a low-order
 * X25519 point throws.
 */
export function xwingDecapsulate(cipherText: Uint8Array, key: XWingExpandedKey): Uint8Array {
  if (cipherText.length !== XWING_CIPHERTEXT_BYTES)
    throw new RangeError('X-Wing ciphertext must be 1120 bytes');
  const ctX = cipherText.subarray(ML_KEM_CT);
  const ssM = ml_kem768.decapsulate(cipherText.subarray(0, ML_KEM_CT), key.skM);
  const ssX = x25519(key.skX, ctX);
  const ss = combiner(ssM, ssX, ctX, key.pkX);
  ssM.fill(0);
  ssX.fill(0);
  return ss;
}
