import { createHash, randomBytes } from 'node:crypto';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import type { Kem } from './hpke';
import { x25519, x25519PublicKey, X25519_KEY_LENGTH } from './x25519';

/**
 * X-Wing (draft-connolly-cfrg-xwing-kem): ML-KEM-768 and X25519 combined
 * with SHA3-256, HPKE KEM id 0x647a. The private key is a 32-byte seed that
 * expands with SHAKE256 into both component keys.
 *
 * Built from @noble/post-quantum's ML-KEM-768 (FIPS 203) and OpenSSL's X25519
 * and SHA-3 instead of @hpke/hybridkem-x-wing, whose pure-JS X25519 made every
 * encapsulation cost several milliseconds. Cross-checked against both of them
 * in xwingKem.test.ts: same public key from the same seed, and each side
 * decapsulates what the other encapsulated.
 */
const KEM_ID = 0x647a;
const ML_KEM_PK = 1184;
const ML_KEM_CT = 1088;
/** XWingLabel = "\.//^\" */
const LABEL = Uint8Array.of(0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c);

interface Expanded {
  skM: Uint8Array;
  skX: Uint8Array;
  pkM: Uint8Array;
  pkX: Uint8Array;
}

function shake256(input: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(createHash('shake256', { outputLength: length }).update(input).digest());
}

function expandDecapsulationKey(sk: Uint8Array): Expanded {
  if (sk.length !== 32) throw new RangeError('X-Wing private key must be 32 bytes');
  const expanded = shake256(sk, 96);
  // ML-KEM-768.KeyGen_internal(d, z) with d || z = expanded[0:64] (FIPS 203 §6.1).
  const { publicKey: pkM, secretKey: skM } = ml_kem768.keygen(expanded.slice(0, 64));
  const skX = expanded.slice(64, 96);
  expanded.fill(0);
  return { skM, skX, pkM, pkX: x25519PublicKey(skX) };
}

function combiner(ssM: Uint8Array, ssX: Uint8Array, ctX: Uint8Array, pkX: Uint8Array): Uint8Array {
  return new Uint8Array(
    createHash('sha3-256').update(ssM).update(ssX).update(ctX).update(pkX).update(LABEL).digest(),
  );
}

export const xwingKem: Kem = {
  id: KEM_ID,
  publicKeyLength: ML_KEM_PK + X25519_KEY_LENGTH,
  privateKeyLength: 32,
  encLength: ML_KEM_CT + X25519_KEY_LENGTH,

  generateKeyPair() {
    const sk = new Uint8Array(randomBytes(32));
    return { sk, pk: this.publicKeyOf(sk) };
  },

  /** As @hpke/hybridkem-x-wing (and the draft's DeriveKeyPair): sk = SHAKE256(ikm, 32). */
  deriveKeyPair(ikm) {
    const sk = shake256(ikm, 32);
    return { sk, pk: this.publicKeyOf(sk) };
  },

  publicKeyOf(sk) {
    const e = expandDecapsulationKey(sk);
    e.skM.fill(0);
    e.skX.fill(0);
    return new Uint8Array(Buffer.concat([e.pkM, e.pkX]));
  },

  encap(pk) {
    if (pk.length !== this.publicKeyLength) throw new RangeError('X-Wing public key must be 1216 bytes');
    const pkM = pk.slice(0, ML_KEM_PK);
    const pkX = pk.slice(ML_KEM_PK);
    const ekX = new Uint8Array(randomBytes(X25519_KEY_LENGTH));
    const ctX = x25519PublicKey(ekX);
    const ssX = x25519(ekX, pkX);
    ekX.fill(0);
    const { cipherText: ctM, sharedSecret: ssM } = ml_kem768.encapsulate(pkM);
    const sharedSecret = combiner(ssM, ssX, ctX, pkX);
    ssM.fill(0);
    ssX.fill(0);
    return { sharedSecret, enc: new Uint8Array(Buffer.concat([ctM, ctX])) };
  },

  decap(enc, sk) {
    if (enc.length !== this.encLength) throw new RangeError('X-Wing ciphertext must be 1120 bytes');
    const e = expandDecapsulationKey(sk);
    const ctX = enc.slice(ML_KEM_CT);
    try {
      const ssM = ml_kem768.decapsulate(enc.slice(0, ML_KEM_CT), e.skM);
      const ssX = x25519(e.skX, ctX);
      const ss = combiner(ssM, ssX, ctX, e.pkX);
      ssM.fill(0);
      ssX.fill(0);
      return ss;
    } finally {
      e.skM.fill(0);
      e.skX.fill(0);
    }
  },
};
