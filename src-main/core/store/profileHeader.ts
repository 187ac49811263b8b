import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ParleyError } from '../errors';
import { writeFileAtomic } from '../util/atomicFile';
import { KDF_CEILING, KDF_FLOOR, type KdfParams, type WrappedKey } from './keyDerivation';

/**
 * `profile.json`: the only unencrypted file of a profile. It holds what is
 * needed to unlock (Argon2id parameters, salt, the wrapped data key) and
 * nothing about the user: the display name and everything else live inside the
 * encrypted database.
 */
export const PROFILE_HEADER_FILE = 'profile.json';
export const PROFILE_FORMAT = 'parley-profile';
export const PROFILE_HEADER_VERSION = 1;

const base64 = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .refine((s) => Buffer.from(s, 'base64').length === bytes, `must be ${bytes} bytes`);

const KdfSchema = z
  .object({
    algorithm: z.literal('argon2id'),
    version: z.literal(19),
    memoryKiB: z.number().int().min(KDF_FLOOR.memoryKiB).max(KDF_CEILING.memoryKiB),
    iterations: z.number().int().min(KDF_FLOOR.iterations).max(KDF_CEILING.iterations),
    parallelism: z.number().int().min(KDF_FLOOR.parallelism).max(KDF_CEILING.parallelism),
    salt: base64(16),
  })
  .strict();

export const ProfileHeader = z
  .object({
    format: z.literal(PROFILE_FORMAT),
    version: z.literal(PROFILE_HEADER_VERSION),
    createdAt: z.string(),
    /** How the database file is encrypted: SQLCipher 4 page format with a raw 256-bit key. */
    cipher: z.literal('sqlcipher4-raw'),
    kdf: KdfSchema,
    wrappedKey: z
      .object({ algorithm: z.literal('aes-256-gcm'), nonce: base64(12), ciphertext: base64(48) })
      .strict(),
  })
  .strict();
export type ProfileHeader = z.infer<typeof ProfileHeader>;

export function newProfileHeader(kdf: KdfParams, wrappedKey: WrappedKey, now: Date): ProfileHeader {
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_HEADER_VERSION,
    createdAt: now.toISOString(),
    cipher: 'sqlcipher4-raw',
    kdf,
    wrappedKey,
  };
}

/**
 * Parses a header, telling apart "written by a newer Parley" (never
 * downgraded, never touched) from "damaged".
 */
export function parseProfileHeader(text: string): ProfileHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ParleyError(
      'PROFILE_CORRUPT',
      'The profile header (profile.json) is not readable. Restore the profile from a backup.',
    );
  }
  if (typeof raw === 'object' && raw !== null && (raw as { format?: unknown }).format === PROFILE_FORMAT) {
    const version = (raw as { version?: unknown }).version;
    if (typeof version === 'number' && version > PROFILE_HEADER_VERSION) {
      throw new ParleyError(
        'PROFILE_TOO_NEW',
        `This profile was written by a newer version of Parley (format ${version}). Update Parley to open it.`,
      );
    }
  }
  const parsed = ProfileHeader.safeParse(raw);
  if (!parsed.success) {
    throw new ParleyError(
      'PROFILE_CORRUPT',
      'The profile header (profile.json) is damaged. Restore the profile from a backup.',
    );
  }
  return parsed.data;
}

export function readProfileHeader(path: string): ProfileHeader {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ParleyError('NO_PROFILE', 'There is no profile in this folder yet.');
    }
    throw new ParleyError('PROFILE_CORRUPT', 'The profile header (profile.json) cannot be read.', {
      cause: err,
    });
  }
  return parseProfileHeader(text);
}

export function writeProfileHeader(path: string, header: ProfileHeader): void {
  writeFileAtomic(path, `${JSON.stringify(header, null, 2)}\n`);
}
