import argon2 from 'argon2';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Keys at rest. A random 256-bit data key encrypts the database; the profile
 * header stores it wrapped (AES-256-GCM) under a key-encryption key derived
 * from the passphrase with Argon2id (RFC 9106) and HKDF (RFC 5869).
 *
 * Wrapping instead of deriving the database key directly means a passphrase
 * change rewrites one small file atomically instead of every database page, and
 * "remember on this device" can store the data key under the OS keychain. The
 * GCM tag doubles as the passphrase check: a wrong passphrase is told apart
 * from a damaged database without touching the database.
 */
export interface KdfParams {
  algorithm: 'argon2id';
  /** Argon2 version 0x13 (RFC 9106 §3.1). */
  version: 19;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  /** 16 random bytes, base64. RFC 9106 §3.1 recommends 128 bits of salt. */
  salt: string;
}

export interface KdfCost {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/**
 * RFC 9106 §4's second recommended option is 64 MiB, t=3, p=4; we use p=2
 * because the target machines have two cores and extra lanes only add latency
 * there. Checked by `npm run bench unlock` against the 1 s budget.
 */
export const DEFAULT_KDF: KdfCost = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 2 };

/** Bounds accepted when reading a header, so a tampered header can make the KDF neither trivial nor a memory bomb. */
export const KDF_FLOOR: KdfCost = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
export const KDF_CEILING: KdfCost = { memoryKiB: 4 * 1024 * 1024, iterations: 64, parallelism: 16 };

export function newKdfParams(cost: KdfCost = DEFAULT_KDF): KdfParams {
  return { algorithm: 'argon2id', version: 19, ...cost, salt: randomBytes(16).toString('base64') };
}

export interface WrappedKey {
  algorithm: 'aes-256-gcm';
  /** 12-byte nonce, base64 (NIST SP 800-38D §8.2: fresh for every wrap). */
  nonce: string;
  /** 32-byte key followed by the 16-byte tag, base64. */
  ciphertext: string;
}

/** The data key: 32 random bytes, the SQLCipher raw key. */
export function newDataKey(): Buffer {
  return randomBytes(32);
}

/** Argon2id → HKDF-SHA256 → the key-encryption key. Runs on libuv's pool, so it never blocks the event loop. */
export async function deriveKek(passphrase: string, params: KdfParams): Promise<Buffer> {
  const master = await argon2.hash(passphrase.normalize('NFC'), {
    type: argon2.argon2id,
    version: params.version,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
    salt: Buffer.from(params.salt, 'base64'),
    hashLength: 32,
    raw: true,
  });
  try {
    return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'parley/v1/key-encryption-key', 32));
  } finally {
    master.fill(0);
  }
}

/** Binds the wrap to the KDF parameters: editing any of them in the header breaks the tag. */
function wrapAad(params: KdfParams): Buffer {
  return Buffer.from(
    `parley-profile/1|${params.algorithm}|${params.version}|${params.memoryKiB}|${params.iterations}|${params.parallelism}|${params.salt}`,
  );
}

export function wrapDataKey(dataKey: Buffer, kek: Buffer, params: KdfParams): WrappedKey {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  cipher.setAAD(wrapAad(params));
  const ciphertext = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  return {
    algorithm: 'aes-256-gcm',
    nonce: nonce.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/** The data key, or null when the tag does not verify (wrong passphrase or a tampered header). */
export function unwrapDataKey(wrapped: WrappedKey, kek: Buffer, params: KdfParams): Buffer | null {
  const data = Buffer.from(wrapped.ciphertext, 'base64');
  if (data.length !== 48) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(wrapped.nonce, 'base64'));
    decipher.setAAD(wrapAad(params));
    decipher.setAuthTag(data.subarray(32));
    return Buffer.concat([decipher.update(data.subarray(0, 32)), decipher.final()]);
  } catch {
    return null;
  }
}
