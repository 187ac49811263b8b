import {
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
  type webcrypto,
} from 'node:crypto';
import type {
  Ciphersuite,
  CiphersuiteImpl,
  CryptoProvider,
  Hash,
  Hpke as MlsHpke,
  Kdf,
  KdfAlgorithm,
  PrivateKey,
  PublicKey,
  Signature,
} from 'ts-mls';
import { dhkemX25519 } from './dhkemX25519';
import { aeadKeyLength, aeadOpen, aeadSeal, Hpke, NONCE_LENGTH, type AeadName, type Kem } from './hpke';
import { constantTimeEqual, digest, hashLength, hkdfExpand, hkdfExtract, hmac, type HashName } from './hkdf';
import { xwingKem } from './xwingKem';
import { ed25519PublicKey } from '../../util/ed25519';

/**
 * A ts-mls CryptoProvider on node:crypto (OpenSSL) plus @noble/post-quantum's
 * ML-KEM. ts-mls's default provider does every hash, HMAC and AEAD call
 * through WebCrypto and X25519 in pure JS; profiling a 1,000-member X-Wing
 * group showed key import and promise overhead dominating (an add-member
 * commit took ~450 ms, the budget is 150 ms). Only what Parley's two suites
 * need is implemented: SHA-2, HKDF, Ed25519, AES-GCM, DHKEM(X25519) and X-Wing.
 */

const HASHES: Record<Ciphersuite['hash'], HashName> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

const KDF_HASHES: Record<KdfAlgorithm, HashName> = {
  'HKDF-SHA256': 'sha256',
  'HKDF-SHA384': 'sha384',
  'HKDF-SHA512': 'sha512',
};

function hashImpl(alg: HashName): Hash {
  return {
    async digest(data) {
      return digest(alg, data);
    },
    async mac(key, data) {
      return hmac(alg, key, data);
    },
    async verifyMac(key, mac, data) {
      return constantTimeEqual(hmac(alg, key, data), mac);
    },
  };
}

function kdfImpl(alg: HashName): Kdf {
  return {
    size: hashLength(alg),
    async extract(salt, ikm) {
      return hkdfExtract(alg, salt, ikm);
    },
    async expand(prk, info, length) {
      return hkdfExpand(alg, prk, info, length);
    },
  };
}

// --- Ed25519 (RFC 8032) -------------------------------------------------------

/** RFC 8410 §7: the PKCS#8 wrapper of a raw Ed25519 key is a fixed prefix (the SPKI one: util/ed25519.ts). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

// Leaf keys and our own signing key are the same Uint8Array objects from one
// call to the next (they live in the group state), so parsed KeyObjects are
// cached per object rather than re-parsed for every signature.
const signingKeys = new WeakMap<Uint8Array, KeyObject>();
const verifyingKeys = new WeakMap<Uint8Array, KeyObject>();

function ed25519SigningKey(key: Uint8Array): KeyObject {
  const cached = signingKeys.get(key);
  if (cached) return cached;
  // A 32-byte key is the RFC 8032 seed (what the interop vectors and Parley
  // store); 48 bytes is the PKCS#8 form ts-mls's default provider generates.
  let der: Buffer;
  if (key.length === 32) der = Buffer.concat([ED25519_PKCS8_PREFIX, key]);
  else if (key.length === 48) der = Buffer.from(key);
  else throw new RangeError('Ed25519 private key must be a 32-byte seed or 48-byte PKCS#8');
  const parsed = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  signingKeys.set(key, parsed);
  return parsed;
}

function ed25519VerifyingKey(key: Uint8Array): KeyObject {
  const cached = verifyingKeys.get(key);
  if (cached) return cached;
  const parsed = ed25519PublicKey(key);
  verifyingKeys.set(key, parsed);
  return parsed;
}

/** A fresh Ed25519 key pair as raw bytes: the 32-byte seed and the 32-byte public key. */
export function generateEd25519(): { signKey: Uint8Array; publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    signKey: new Uint8Array(pkcs8.subarray(pkcs8.length - 32)),
    publicKey: new Uint8Array(spki.subarray(spki.length - 32)),
  };
}

const ed25519: Signature = {
  async sign(signKey, message) {
    return new Uint8Array(sign(null, message, ed25519SigningKey(signKey)));
  },
  async verify(publicKey, message, signature) {
    // Hostile input (a short key, a garbage signature) is a failed
    // verification, never an exception that could be mistaken for a bug.
    try {
      return signature.length === 64 && verify(null, message, ed25519VerifyingKey(publicKey), signature);
    } catch {
      return false;
    }
  },
  async keygen() {
    return generateEd25519();
  },
};

// --- HPKE keys ----------------------------------------------------------------

/**
 * ts-mls hands HPKE keys around as CryptoKey objects. Ours carry the raw
 * KEM serialization; `algorithm.name` names the KEM so a key of one KEM is
 * never used with another.
 */
class RawHpkeKey<T extends 'public' | 'private'> implements webcrypto.CryptoKey {
  readonly extractable = true;
  readonly usages: webcrypto.KeyUsage[] = [];
  readonly algorithm: webcrypto.KeyAlgorithm;

  constructor(
    readonly type: T,
    readonly raw: Uint8Array,
    kem: Kem,
  ) {
    this.algorithm = { name: `HPKE-KEM-${kem.id}` };
  }
}

function rawKey(key: unknown, type: 'public' | 'private', kem: Kem): Uint8Array {
  if (!(key instanceof RawHpkeKey) || key.type !== type || key.algorithm.name !== `HPKE-KEM-${kem.id}`) {
    throw new TypeError(`Not a ${type} key of HPKE KEM ${kem.id}`);
  }
  return key.raw;
}

function publicKey(raw: Uint8Array, kem: Kem): PublicKey {
  if (raw.length !== kem.publicKeyLength)
    throw new RangeError(`HPKE public key must be ${kem.publicKeyLength} bytes`);
  return new RawHpkeKey('public', raw, kem);
}

function privateKey(raw: Uint8Array, kem: Kem): PrivateKey {
  if (raw.length !== kem.privateKeyLength) {
    throw new RangeError(`HPKE private key must be ${kem.privateKeyLength} bytes`);
  }
  return new RawHpkeKey('private', raw, kem);
}

const EMPTY = new Uint8Array(0);

function hpkeImpl(kem: Kem, hash: HashName, aead: AeadName): MlsHpke {
  const hpke = new Hpke(kem, hash, aead);
  return {
    keyLength: aeadKeyLength(aead),
    nonceLength: NONCE_LENGTH,
    async seal(pk, plaintext, info, aad) {
      return hpke.seal(rawKey(pk, 'public', kem), info, aad ?? EMPTY, plaintext);
    },
    async open(sk, kemOutput, ciphertext, info, aad) {
      return hpke.open(rawKey(sk, 'private', kem), kemOutput, info, aad ?? EMPTY, ciphertext);
    },
    async exportSecret(pk, exporterContext, length, info) {
      return hpke.sendExport(rawKey(pk, 'public', kem), info, exporterContext, length);
    },
    async importSecret(sk, exporterContext, kemOutput, length, info) {
      return hpke.receiveExport(rawKey(sk, 'private', kem), kemOutput, info, exporterContext, length);
    },
    async importPrivateKey(k) {
      return privateKey(k, kem);
    },
    async importPublicKey(k) {
      return publicKey(k, kem);
    },
    async exportPublicKey(k) {
      return rawKey(k, 'public', kem);
    },
    async exportPrivateKey(k) {
      return rawKey(k, 'private', kem);
    },
    async encryptAead(key, nonce, aad, plaintext) {
      return aeadSeal(aead, key, nonce, aad ?? EMPTY, plaintext);
    },
    async decryptAead(key, nonce, aad, ciphertext) {
      return aeadOpen(aead, key, nonce, aad ?? EMPTY, ciphertext);
    },
    async deriveKeyPair(ikm) {
      const { sk, pk } = kem.deriveKeyPair(ikm);
      return { privateKey: privateKey(sk, kem), publicKey: publicKey(pk, kem) };
    },
    async generateKeyPair() {
      const { sk, pk } = kem.generateKeyPair();
      return { privateKey: privateKey(sk, kem), publicKey: publicKey(pk, kem) };
    },
  };
}

function kemFor(name: Ciphersuite['hpke']['kem']): Kem {
  if (name === 'DHKEM-X25519-HKDF-SHA256') return dhkemX25519;
  if (name === 'X-Wing') return xwingKem;
  throw new Error(`KEM ${name} is not supported by Parley`);
}

function aeadFor(name: Ciphersuite['hpke']['aead']): AeadName {
  if (name === 'AES128GCM') return 'aes-128-gcm';
  if (name === 'AES256GCM') return 'aes-256-gcm';
  throw new Error(`AEAD ${name} is not supported by Parley`);
}

export const nodeCryptoProvider: CryptoProvider = {
  async getCiphersuiteImpl(cs: Ciphersuite): Promise<CiphersuiteImpl> {
    if (cs.signature !== 'Ed25519') throw new Error(`Signature ${cs.signature} is not supported by Parley`);
    const kdfHash = KDF_HASHES[cs.hpke.kdf];
    return {
      name: cs.name,
      hash: hashImpl(HASHES[cs.hash]),
      kdf: kdfImpl(kdfHash),
      signature: ed25519,
      hpke: hpkeImpl(kemFor(cs.hpke.kem), kdfHash, aeadFor(cs.hpke.aead)),
      rng: {
        randomBytes(n) {
          return new Uint8Array(randomBytes(n));
        },
      },
    };
  },
};
