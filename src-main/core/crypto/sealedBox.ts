import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { hkdfSync } from 'node:crypto';

/**
 * Sealed boxes for store-and-forward (DESIGN.md §2 delivery): the sender seals
 * an envelope to the recipient's seal public key; a mailbox holder stores it
 * without learning anything but its size (the recipient is named outside, in
 * the deposit frame); only the recipient's secret key opens it. No sender
 * identity is inside: the MLS message within authenticates the sender.
 *
 * KEM: X-Wing (ML-KEM-768 + X25519, draft-connolly-cfrg-xwing-kem), which
 * @noble/post-quantum exports as `ml_kem768_x25519`; its combiner already binds
 * both shared secrets, the X25519 ciphertext and public key (SHA3-256 with the
 * X-Wing label). Post-quantum and classically secure as long as either holds.
 * Body: XChaCha20-Poly1305 under a key and nonce derived from the KEM secret
 * with HKDF-SHA256. Each seal encapsulates afresh, so a key is never reused.
 *
 * Layout, version 1:
 *   u8 version (1) | KEM ciphertext (1120) | AEAD ciphertext (plaintext + 16-byte tag)
 * The AEAD's associated data is version ‖ KEM ciphertext ‖ caller's aad (the
 * KEM ciphertext has a fixed length, so the concatenation is unambiguous): any
 * changed byte anywhere makes open() return null.
 */

export const SEALED_BOX_VERSION = 1;

const KEM = ml_kem768_x25519;
const KEM_CIPHERTEXT_BYTES = 1120;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const NONCE_BYTES = 24;
const HEADER_BYTES = 1 + KEM_CIPHERTEXT_BYTES;
const INFO = new TextEncoder().encode('parley/v1/sealed-box');
const EMPTY = new Uint8Array(0);

/** Bytes a sealed box adds to its plaintext. */
export const SEALED_BOX_OVERHEAD = HEADER_BYTES + TAG_BYTES;
export const SEAL_PUBLIC_KEY_BYTES = 1216;
export const SEAL_SECRET_KEY_BYTES = 32;

export interface SealKeyPair {
  /** X-Wing public key (1216 bytes): shared with contacts. */
  publicKey: Uint8Array;
  /** X-Wing secret key (a 32-byte seed): stays in the encrypted database. */
  secretKey: Uint8Array;
}

export function generateSealKeyPair(): SealKeyPair {
  const { publicKey, secretKey } = KEM.keygen();
  return { publicKey, secretKey };
}

/** The public key belonging to a secret key (for re-publishing after a restore). */
export function sealPublicKey(secretKey: Uint8Array): Uint8Array {
  return KEM.getPublicKey(secretKey);
}

function deriveKeyAndNonce(sharedSecret: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const okm = new Uint8Array(hkdfSync('sha256', sharedSecret, EMPTY, INFO, KEY_BYTES + NONCE_BYTES));
  return { key: okm.subarray(0, KEY_BYTES), nonce: okm.subarray(KEY_BYTES) };
}

function associatedData(header: Uint8Array, aad: Uint8Array): Uint8Array {
  const out = new Uint8Array(header.length + aad.length);
  out.set(header, 0);
  out.set(aad, header.length);
  return out;
}

/**
 * Seals `plaintext` to `recipientPublicKey`, binding `aad` (which the opener
 * must present identically, e.g. the envelope id and recipient). Throws a
 * RangeError only for a public key of the wrong shape (a caller error).
 */
export function seal(
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = EMPTY,
): Uint8Array {
  if (recipientPublicKey.length !== SEAL_PUBLIC_KEY_BYTES) throw new RangeError('not a seal public key');
  let encapsulated: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    encapsulated = KEM.encapsulate(recipientPublicKey);
  } catch (err) {
    throw new RangeError('not a seal public key', { cause: err });
  }
  const header = new Uint8Array(HEADER_BYTES);
  header[0] = SEALED_BOX_VERSION;
  header.set(encapsulated.cipherText, 1);
  const { key, nonce } = deriveKeyAndNonce(encapsulated.sharedSecret);
  const body = xchacha20poly1305(key, nonce, associatedData(header, aad)).encrypt(plaintext);
  key.fill(0);
  encapsulated.sharedSecret.fill(0);
  const out = new Uint8Array(HEADER_BYTES + body.length);
  out.set(header, 0);
  out.set(body, HEADER_BYTES);
  return out;
}

/**
 * Opens a sealed box. Returns null for anything that is not a box sealed to
 * this key with this aad: wrong key, wrong aad, unknown version, truncation,
 * any flipped bit. Never throws on hostile bytes.
 */
export function open(secretKey: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array | null {
  if (secretKey.length !== SEAL_SECRET_KEY_BYTES) return null;
  if (sealed.length < HEADER_BYTES + TAG_BYTES || sealed[0] !== SEALED_BOX_VERSION) return null;
  try {
    const header = sealed.subarray(0, HEADER_BYTES);
    // ML-KEM decapsulation of a tampered ciphertext yields an unrelated secret
    // (implicit rejection), so tampering surfaces as an AEAD failure below.
    const sharedSecret = KEM.decapsulate(header.subarray(1), secretKey);
    const { key, nonce } = deriveKeyAndNonce(sharedSecret);
    sharedSecret.fill(0);
    try {
      return xchacha20poly1305(key, nonce, associatedData(header, aad)).decrypt(
        sealed.subarray(HEADER_BYTES),
      );
    } finally {
      key.fill(0);
    }
  } catch {
    return null;
  }
}
