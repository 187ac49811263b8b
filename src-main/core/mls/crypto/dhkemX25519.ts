import { randomBytes } from 'node:crypto';
import { i2osp, LabeledKdf, type Kem } from './hpke';
import { x25519, x25519Generate, x25519PublicKey, X25519_KEY_LENGTH } from '../../crypto/x25519';

/** RFC 9180 §7.1: DHKEM(X25519, HKDF-SHA256), KEM id 0x0020. Used by MLS ciphersuite 1. */
const KEM_ID = 0x0020;
const kdf = new LabeledKdf('sha256', new Uint8Array(Buffer.concat([Buffer.from('KEM'), i2osp(KEM_ID, 2)])));
const EMPTY = new Uint8Array(0);

/** RFC 9180 §4.1 ExtractAndExpand. */
function extractAndExpand(dh: Uint8Array, kemContext: Uint8Array): Uint8Array {
  const prk = kdf.extract(EMPTY, 'eae_prk', dh);
  return kdf.expand(prk, 'shared_secret', kemContext, 32);
}

export const dhkemX25519: Kem = {
  id: KEM_ID,
  publicKeyLength: X25519_KEY_LENGTH,
  privateKeyLength: X25519_KEY_LENGTH,
  encLength: X25519_KEY_LENGTH,

  generateKeyPair() {
    return x25519Generate();
  },

  /** RFC 9180 §7.1.3: for X25519 the expanded bytes are the private key as is. */
  deriveKeyPair(ikm) {
    const prk = kdf.extract(EMPTY, 'dkp_prk', ikm);
    const sk = kdf.expand(prk, 'sk', EMPTY, X25519_KEY_LENGTH);
    return { sk, pk: x25519PublicKey(sk) };
  },

  publicKeyOf(sk) {
    return x25519PublicKey(sk);
  },

  encap(pkR) {
    const ephemeral = randomBytes(X25519_KEY_LENGTH);
    const enc = x25519PublicKey(ephemeral);
    const dh = x25519(ephemeral, pkR);
    ephemeral.fill(0);
    return { sharedSecret: extractAndExpand(dh, new Uint8Array(Buffer.concat([enc, pkR]))), enc };
  },

  decap(enc, skR) {
    const dh = x25519(skR, enc);
    return extractAndExpand(dh, new Uint8Array(Buffer.concat([enc, x25519PublicKey(skR)])));
  },
};
