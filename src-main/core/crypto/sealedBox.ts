import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';

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
 * X-Wing's ciphertext is ML-KEM-768's (1088 bytes) followed by X25519's
 * ephemeral public key (32 bytes); its public key is ML-KEM-768's (1184)
 * followed by X25519's (32); the decapsulation key is derived from the 32-byte
 * seed (draft-connolly-cfrg-xwing-kem §5.2: SHAKE256(seed, 96) → ML-KEM seed
 * d ‖ z (64) and X25519 secret (32)).
 */
const MLKEM_CIPHERTEXT_BYTES = 1088;
const MLKEM_PUBLIC_KEY_BYTES = 1184;
const MLKEM_SEED_BYTES = 64;
const X25519_BYTES = 32;
/** X-Wing's combiner label (draft-connolly-cfrg-xwing-kem §5.3): the six bytes `\\.//^\\`. */
const XWING_LABEL = Buffer.from([0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c]);
/** DER wrappings of raw X25519 keys (RFC 8410 §4 and §7), for Node's KeyObjects. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function x25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

function x25519Raw(key: KeyObject): Buffer {
  const spki = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - X25519_BYTES);
}

/** X-Wing's combiner (draft-connolly-cfrg-xwing-kem §5.3). */
function xwingCombine(ssM: Uint8Array, ssX: Uint8Array, ctX: Uint8Array, pkX: Uint8Array): Buffer {
  return createHash('sha3-256').update(ssM).update(ssX).update(ctX).update(pkX).update(XWING_LABEL).digest();
}

/**
 * X-Wing encapsulation (draft-connolly-cfrg-xwing-kem §5.4) with Node's native
 * X25519 for the classical half (@noble's pure-JS X25519 cost two scalar
 * multiplications of about a millisecond each per seal); ML-KEM-768 from
 * @noble/post-quantum. Gives exactly what `ml_kem768_x25519.decapsulate`
 * accepts (sealedBox.test.ts checks both directions). Throws for a malformed
 * public key. Exported for that test only.
 */
export function xwingEncapsulate(publicKey: Uint8Array): {
  cipherText: Uint8Array;
  sharedSecret: Uint8Array;
} {
  if (publicKey.length !== SEAL_PUBLIC_KEY_BYTES) throw new RangeError('not a seal public key');
  const pkX = publicKey.subarray(MLKEM_PUBLIC_KEY_BYTES);
  const kem = ml_kem768.encapsulate(publicKey.subarray(0, MLKEM_PUBLIC_KEY_BYTES));
  const ephemeral = generateKeyPairSync('x25519');
  const ctX = x25519Raw(ephemeral.publicKey);
  // Throws for a low-order recipient key (all-zero shared secret).
  const ssX = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: x25519PublicKey(pkX) });
  const sharedSecret = new Uint8Array(xwingCombine(kem.sharedSecret, ssX, ctX, pkX));
  kem.sharedSecret.fill(0);
  ssX.fill(0);
  const cipherText = new Uint8Array(KEM_CIPHERTEXT_BYTES);
  cipherText.set(kem.cipherText, 0);
  cipherText.set(ctX, MLKEM_CIPHERTEXT_BYTES);
  return { cipherText, sharedSecret };
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
    encapsulated = xwingEncapsulate(recipientPublicKey);
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
 * Opens sealed boxes for one secret key. Expanding an X-Wing seed into its
 * decapsulation key (SHAKE256, an ML-KEM key generation and an X25519 base
 * multiplication) costs more than the decapsulation itself, and a device
 * opens thousands of boxes with one key when it catches up with a holder:
 * the expanded key is computed once here. The X25519 half uses Node's native
 * X25519; the result is the same X-Wing shared secret (checked against
 * @noble/post-quantum in sealedBox.test.ts).
 */
export class SealOpener {
  private readonly mlkemSecret: Uint8Array | null;
  private readonly xPrivate: KeyObject | null;
  private readonly xPublic: Buffer | null;

  constructor(secretKey: Uint8Array) {
    if (secretKey.length !== SEAL_SECRET_KEY_BYTES) {
      this.mlkemSecret = null;
      this.xPrivate = null;
      this.xPublic = null;
      return;
    }
    const expanded = createHash('shake256', { outputLength: MLKEM_SEED_BYTES + X25519_BYTES })
      .update(secretKey)
      .digest();
    try {
      this.mlkemSecret = ml_kem768.keygen(new Uint8Array(expanded.subarray(0, MLKEM_SEED_BYTES))).secretKey;
      const xSecret = expanded.subarray(MLKEM_SEED_BYTES);
      this.xPrivate = createPrivateKey({
        key: Buffer.concat([X25519_PKCS8_PREFIX, xSecret]),
        format: 'der',
        type: 'pkcs8',
      });
      this.xPublic = x25519Raw(this.xPrivate);
    } finally {
      expanded.fill(0);
    }
  }

  /** The plaintext, or null on any failure (wrong key, tampering, bad layout). */
  open(sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array | null {
    if (this.mlkemSecret === null || this.xPrivate === null || this.xPublic === null) return null;
    if (sealed.length < HEADER_BYTES + TAG_BYTES || sealed[0] !== SEALED_BOX_VERSION) return null;
    try {
      const header = sealed.subarray(0, HEADER_BYTES);
      // ML-KEM decapsulation of a tampered ciphertext yields an unrelated secret
      // (implicit rejection), so tampering surfaces as an AEAD failure below.
      const ssM = ml_kem768.decapsulate(header.subarray(1, 1 + MLKEM_CIPHERTEXT_BYTES), this.mlkemSecret);
      const ctX = header.subarray(1 + MLKEM_CIPHERTEXT_BYTES);
      // Throws for a low-order point (all-zero shared secret): that is a failure, null.
      const ssX = diffieHellman({ privateKey: this.xPrivate, publicKey: x25519PublicKey(ctX) });
      const sharedSecret = xwingCombine(ssM, ssX, ctX, this.xPublic);
      ssM.fill(0);
      ssX.fill(0);
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
}

/**
 * Opens a sealed box; null on any failure (wrong key, tampering, bad layout).
 * For many boxes under one key, keep a SealOpener instead.
 */
export function open(secretKey: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array | null {
  if (secretKey.length !== SEAL_SECRET_KEY_BYTES) return null;
  try {
    return new SealOpener(secretKey).open(sealed, aad);
  } catch {
    return null;
  }
}
