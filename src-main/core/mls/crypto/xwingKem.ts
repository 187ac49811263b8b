import { createHash, randomBytes } from 'node:crypto';
import {
  wipeXWingKey,
  xwingDecapsulate,
  xwingEncapsulate,
  xwingExpand,
  xwingPublicKey,
  XWING_CIPHERTEXT_BYTES,
  XWING_PUBLIC_KEY_BYTES,
  XWING_SEED_BYTES,
} from '../../crypto/xwing';
import type { Kem } from './hpke';

/**
 * X-Wing (draft-connolly-cfrg-xwing-kem) as an HPKE KEM, id 0x647a. The
 * private key is a 32-byte seed that expands with SHAKE256 into both
 * component keys; the KEM itself is crypto/xwing.ts, shared with the sealed
 * boxes of store-and-forward.
 *
 * Built on it instead of @hpke/hybridkem-x-wing, whose pure-JS X25519 made
 * every encapsulation cost several milliseconds. Cross-checked against it in
 * hpke.test.ts: same public key from the same seed, and each side
 * decapsulates what the other encapsulated.
 */
const KEM_ID = 0x647a;

function shake256(input: Uint8Array, length: number): Uint8Array {
  // As the draft's DeriveKeyPair: sk = SHAKE256(ikm, 32).
  return new Uint8Array(createHash('shake256', { outputLength: length }).update(input).digest());
}

export const xwingKem: Kem = {
  id: KEM_ID,
  publicKeyLength: XWING_PUBLIC_KEY_BYTES,
  privateKeyLength: XWING_SEED_BYTES,
  encLength: XWING_CIPHERTEXT_BYTES,

  generateKeyPair() {
    const sk = new Uint8Array(randomBytes(XWING_SEED_BYTES));
    return { sk, pk: this.publicKeyOf(sk) };
  },

  /** As @hpke/hybridkem-x-wing (and the draft's DeriveKeyPair): sk = SHAKE256(ikm, 32). */
  deriveKeyPair(ikm) {
    const sk = shake256(ikm, XWING_SEED_BYTES);
    return { sk, pk: this.publicKeyOf(sk) };
  },

  publicKeyOf(sk) {
    return xwingPublicKey(sk);
  },

  encap(pk) {
    const { cipherText, sharedSecret } = xwingEncapsulate(pk);
    return { sharedSecret, enc: cipherText };
  },

  decap(enc, sk) {
    if (enc.length !== this.encLength) throw new RangeError('X-Wing ciphertext must be 1120 bytes');
    const key = xwingExpand(sk);
    try {
      return xwingDecapsulate(enc, key);
    } finally {
      wipeXWingKey(key);
    }
  },
};
