import argon2 from 'argon2';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { KDF_CEILING, KDF_FLOOR, type KdfCost } from '../store/keyDerivation';
import { BackupError } from './backupError';

/**
 * The archive's binary framing (docs/backup-format.md). A fixed header in the
 * clear, then a STREAM of AES-256-GCM chunks (Hoang, Reyhanitabar, Rogaway,
 * Vizár, "Online Authenticated-Encryption and its Nonce-Reuse
 * Misuse-Resistance", CRYPTO 2015, §7): chunk i is sealed under the nonce
 * prefix ‖ i ‖ last-flag, so dropping, reordering, repeating or truncating
 * chunks fails authentication, and only the chunk flagged last may end the
 * stream. Every chunk also takes the whole header as AAD, so no header byte can
 * be changed without detection.
 */

export const ARCHIVE_MAGIC = Buffer.from('PARLEYBK', 'latin1');
export const ARCHIVE_VERSION = 1;
/** magic 8 ‖ version 2 ‖ flags 2 ‖ m 4 ‖ t 4 ‖ p 4 ‖ salt 16 ‖ nonce prefix 7 ‖ chunk size 4 ‖ key check 16 */
export const HEADER_BYTES = 67;
const PREFIX_BYTES = 7;
const SALT_BYTES = 16;
const CHECK_BYTES = 16;
export const TAG_BYTES = 16;
/** Bytes before each sealed chunk: its length (ciphertext + tag), big-endian. */
export const LENGTH_BYTES = 4;

export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/** Bounds a reader accepts, so a forged header can't ask for a huge buffer. */
export const MIN_CHUNK_BYTES = 1024;
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * Argon2id cost for archives: RFC 9106 §4's second recommended option
 * (64 MiB, t=3), p=2 for two-core machines, like the profile's KDF.
 */
export const DEFAULT_ARCHIVE_KDF: KdfCost = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 2 };

/**
 * Largest Argon2id cost a reader accepts: the profile's ceiling, but at most
 * 1 GiB of memory, so a tampered header cannot make "verify" or "restore"
 * claim more memory than a desktop can spare before the password is checked.
 */
export const ARCHIVE_KDF_CEILING: KdfCost = {
  memoryKiB: Math.min(KDF_CEILING.memoryKiB, 1024 * 1024),
  iterations: Math.min(KDF_CEILING.iterations, 16),
  parallelism: KDF_CEILING.parallelism,
};

/**
 * What Parley itself writes, with a margin (×4): a header asking for more is
 * read, but the KDF runs only once the user confirmed (issue #14 item 10).
 * The header is only authenticated after the password check (every chunk
 * takes it as AAD), so a tampered one could otherwise make "verify" or
 * "restore" claim a gigabyte of memory (RSS 1.16 GB in a probe) for minutes
 * before the password is even tried.
 */
export const ARCHIVE_KDF_USUAL: KdfCost = {
  memoryKiB: 4 * DEFAULT_ARCHIVE_KDF.memoryKiB,
  iterations: 4 * DEFAULT_ARCHIVE_KDF.iterations,
  parallelism: 4 * DEFAULT_ARCHIVE_KDF.parallelism,
};

/** The KDF asks for more than Parley would ever write (see ARCHIVE_KDF_USUAL). */
export function isCostlyKdf(kdf: KdfCost): boolean {
  return (
    kdf.memoryKiB > ARCHIVE_KDF_USUAL.memoryKiB ||
    kdf.iterations > ARCHIVE_KDF_USUAL.iterations ||
    kdf.parallelism > ARCHIVE_KDF_USUAL.parallelism
  );
}

export interface ArchiveHeader {
  version: number;
  kdf: KdfCost;
  salt: Buffer;
  noncePrefix: Buffer;
  chunkBytes: number;
  /** HKDF output that tells a wrong password from a damaged stream (never the key itself). */
  keyCheck: Buffer;
}

export function encodeHeader(h: ArchiveHeader): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  let at = ARCHIVE_MAGIC.copy(out, 0);
  at = out.writeUInt16BE(h.version, at);
  at = out.writeUInt16BE(0, at);
  at = out.writeUInt32BE(h.kdf.memoryKiB, at);
  at = out.writeUInt32BE(h.kdf.iterations, at);
  at = out.writeUInt32BE(h.kdf.parallelism, at);
  at += h.salt.copy(out, at);
  at += h.noncePrefix.copy(out, at);
  at = out.writeUInt32BE(h.chunkBytes, at);
  h.keyCheck.copy(out, at);
  return out;
}

/**
 * Parses and bounds-checks the header. Throws BackupError: not an archive,
 * a newer format, or parameters outside what we accept (a tampered header
 * could otherwise ask for a memory bomb of a KDF).
 */
export function decodeHeader(bytes: Buffer): ArchiveHeader {
  if (bytes.length < ARCHIVE_MAGIC.length || !bytes.subarray(0, ARCHIVE_MAGIC.length).equals(ARCHIVE_MAGIC)) {
    throw new BackupError('not_archive', 'This file is not a Parley backup.');
  }
  if (bytes.length < HEADER_BYTES) {
    throw new BackupError('truncated', 'This backup is cut short (its header is incomplete).');
  }
  let at = ARCHIVE_MAGIC.length;
  const version = bytes.readUInt16BE(at);
  at += 2;
  if (version !== ARCHIVE_VERSION) {
    throw new BackupError(
      version > ARCHIVE_VERSION ? 'too_new' : 'corrupt',
      version > ARCHIVE_VERSION
        ? `This backup was written by a newer version of Parley (format ${version}). Update Parley to restore it.`
        : `This backup has an unknown format version (${version}).`,
    );
  }
  const flags = bytes.readUInt16BE(at);
  at += 2;
  const kdf = {
    memoryKiB: bytes.readUInt32BE(at),
    iterations: bytes.readUInt32BE(at + 4),
    parallelism: bytes.readUInt32BE(at + 8),
  };
  at += 12;
  const salt = Buffer.from(bytes.subarray(at, at + SALT_BYTES));
  at += SALT_BYTES;
  const noncePrefix = Buffer.from(bytes.subarray(at, at + PREFIX_BYTES));
  at += PREFIX_BYTES;
  const chunkBytes = bytes.readUInt32BE(at);
  at += 4;
  const keyCheck = Buffer.from(bytes.subarray(at, at + CHECK_BYTES));
  const inRange = (v: number, k: keyof KdfCost) => v >= KDF_FLOOR[k] && v <= ARCHIVE_KDF_CEILING[k];
  if (
    flags !== 0 ||
    !inRange(kdf.memoryKiB, 'memoryKiB') ||
    !inRange(kdf.iterations, 'iterations') ||
    !inRange(kdf.parallelism, 'parallelism') ||
    chunkBytes < MIN_CHUNK_BYTES ||
    chunkBytes > MAX_CHUNK_BYTES
  ) {
    throw new BackupError('corrupt', 'The header of this backup is damaged.');
  }
  return { version, kdf, salt, noncePrefix, chunkBytes, keyCheck };
}

export interface ArchiveKeys {
  /** AES-256-GCM key for the chunks. */
  key: Buffer;
  keyCheck: Buffer;
}

/** Argon2id (RFC 9106) → HKDF-SHA256 (RFC 5869): the chunk key and the password check value. */
export async function deriveArchiveKeys(password: string, kdf: KdfCost, salt: Buffer): Promise<ArchiveKeys> {
  const master = await argon2.hash(password.normalize('NFC'), {
    type: argon2.argon2id,
    version: 0x13,
    memoryCost: kdf.memoryKiB,
    timeCost: kdf.iterations,
    parallelism: kdf.parallelism,
    salt,
    hashLength: 32,
    raw: true,
  });
  try {
    return {
      key: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'parley/v1/backup-archive-key', 32)),
      keyCheck: Buffer.from(
        hkdfSync('sha256', master, Buffer.alloc(0), 'parley/v1/backup-password-check', CHECK_BYTES),
      ),
    };
  } finally {
    master.fill(0);
  }
}

/** A fresh header for a new archive (random salt and nonce prefix) and its keys. */
export async function newArchive(
  password: string,
  kdf: KdfCost = DEFAULT_ARCHIVE_KDF,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): Promise<{ header: ArchiveHeader; headerBytes: Buffer; key: Buffer }> {
  const salt = randomBytes(SALT_BYTES);
  const keys = await deriveArchiveKeys(password, kdf, salt);
  const header: ArchiveHeader = {
    version: ARCHIVE_VERSION,
    kdf,
    salt,
    noncePrefix: randomBytes(PREFIX_BYTES),
    chunkBytes,
    keyCheck: keys.keyCheck,
  };
  return { header, headerBytes: encodeHeader(header), key: keys.key };
}

/** The chunk key for an existing archive; WRONG password is told here, before any chunk is read. */
export async function openArchiveKey(password: string, header: ArchiveHeader): Promise<Buffer> {
  const keys = await deriveArchiveKeys(password, header.kdf, header.salt);
  if (!timingSafeEqual(keys.keyCheck, header.keyCheck)) {
    keys.key.fill(0);
    throw new BackupError('wrong_password', 'That password does not open this backup.');
  }
  return keys.key;
}

/** STREAM nonce: 7-byte prefix ‖ 32-bit big-endian chunk index ‖ last-chunk flag. */
function chunkNonce(prefix: Buffer, index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, PREFIX_BYTES);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** Largest chunk index: the 32-bit counter must never wrap (a repeated nonce under one key breaks GCM). */
export const MAX_CHUNK_INDEX = 0xffff_ffff;

export function sealChunk(
  key: Buffer,
  headerBytes: Buffer,
  prefix: Buffer,
  index: number,
  last: boolean,
  plaintext: Uint8Array,
): Buffer {
  if (index > MAX_CHUNK_INDEX) throw new BackupError('corrupt', 'The backup is too large for one archive.');
  const cipher = createCipheriv('aes-256-gcm', key, chunkNonce(prefix, index, last));
  cipher.setAAD(headerBytes);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const framed = Buffer.allocUnsafe(LENGTH_BYTES + body.length);
  framed.writeUInt32BE(body.length, 0);
  body.copy(framed, LENGTH_BYTES);
  return framed;
}

/** The plaintext of a chunk, or null when it does not authenticate at this index with this flag. */
export function openChunk(
  key: Buffer,
  headerBytes: Buffer,
  prefix: Buffer,
  index: number,
  last: boolean,
  sealed: Buffer,
): Buffer | null {
  if (sealed.length < TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, chunkNonce(prefix, index, last));
    decipher.setAAD(headerBytes);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}
