import argon2 from 'argon2';
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Argon2id (RFC 9106) turns the passphrase into a master key; HKDF (RFC 5869)
 * splits it into independent subkeys so the database key is never the value
 * we store a check of.
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

/**
 * Defaults: RFC 9106 §4's second recommended option is 64 MiB, t=3, p=4; we use
 * p=2 because the target machines have two cores and extra lanes only add
 * latency there. Measured by `npm run bench unlock` against the 1 s budget.
 */
export const DEFAULT_KDF = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 2 } as const;

/** Lower bounds accepted when reading a header, so a tampered header cannot make the KDF trivial. */
export const KDF_FLOOR = { memoryKiB: 1024, iterations: 1, parallelism: 1 } as const;
export const KDF_CEILING = { memoryKiB: 4 * 1024 * 1024, iterations: 64, parallelism: 16 } as const;

export function newKdfParams(cost: { memoryKiB: number; iterations: number; parallelism: number } = DEFAULT_KDF): KdfParams {
  return { algorithm: 'argon2id', version: 19, ...cost, salt: randomBytes(16).toString('base64') };
}

export interface ProfileKeys {
  /** 32-byte raw key for the SQLCipher database. */
  database: Buffer;
  /** Proof that a passphrase is right, without opening the database. */
  check: Buffer;
}

export async function deriveProfileKeys(passphrase: string, params: KdfParams): Promise<ProfileKeys> {
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
    const database = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'parley/v1/database-key', 32));
    const checkKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'parley/v1/key-check', 32));
    const check = createHmac('sha256', checkKey).update('parley/v1/key-check').digest();
    checkKey.fill(0);
    return { database, check };
  } finally {
    master.fill(0);
  }
}

export function keyCheckMatches(expected: Buffer, actual: Buffer): boolean {
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function wipeKeys(keys: ProfileKeys): void {
  keys.database.fill(0);
  keys.check.fill(0);
}
