import { createHash } from 'node:crypto';

/**
 * Safety numbers: a short fingerprint two people compare (read aloud or scan)
 * to be sure no one sits between them. The scheme follows Signal's numeric
 * fingerprints: each side's identity key is hashed many times (so that finding
 * a colliding key costs far more than one hash), cut into 30 digits, and the
 * two halves are ordered so both sides see the same 60 digits.
 */
const VERSION = 1;
/** Iterations of SHA-512; Signal uses 5200 for the same reason (brute-force cost per candidate key). */
const ITERATIONS = 5200;

export interface SafetyNumber {
  /** 60 digits. */
  digits: string;
  /** The digits in 12 groups of 5, for display. */
  groups: string[];
  /** What the QR code encodes: both fingerprints, order-independent. */
  qrData: string;
}

function fingerprint(identityKey: Uint8Array): Buffer {
  const version = Buffer.alloc(2);
  version.writeUInt16BE(VERSION);
  let hash = createHash('sha512').update(version).update(identityKey).update(identityKey).digest();
  for (let i = 1; i < ITERATIONS; i++) {
    hash = createHash('sha512').update(hash).update(identityKey).digest();
  }
  return hash;
}

/** 30 digits from the first 30 bytes: six 5-byte chunks, each reduced mod 100000. */
function digitsOf(fp: Buffer): string {
  let out = '';
  for (let i = 0; i < 6; i++) {
    const chunk = fp.readUIntBE(i * 5, 5);
    out += String(chunk % 100000).padStart(5, '0');
  }
  return out;
}

export function safetyNumber(ourIdentityKey: Uint8Array, theirIdentityKey: Uint8Array): SafetyNumber {
  const ours = fingerprint(ourIdentityKey);
  const theirs = fingerprint(theirIdentityKey);
  const halves = [digitsOf(ours), digitsOf(theirs)].sort();
  const digits = halves.join('');
  const fps = [ours.subarray(0, 32).toString('hex'), theirs.subarray(0, 32).toString('hex')].sort();
  return {
    digits,
    groups: digits.match(/\d{5}/g) ?? [],
    qrData: `parley-safety:${VERSION}:${fps[0]}:${fps[1]}`,
  };
}

/** True when a scanned QR payload shows the same two identity keys as ours (either order). */
export function safetyQrMatches(scanned: string, ours: SafetyNumber): boolean {
  return scanned.trim() === ours.qrData;
}
