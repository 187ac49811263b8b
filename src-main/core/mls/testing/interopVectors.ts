import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMlsMessage, type CiphersuiteImpl } from 'ts-mls';
import type { Decoder } from 'ts-mls/codec/tlsDecoder.js';
import { suiteImpl } from '../suites';

/**
 * The IETF MLS interoperability vectors (mlswg/mls-implementations) and the
 * helpers that read them, shared by interop.test.ts and
 * interopGroups.test.ts: where they are, whether they are there, hex, the
 * suite-1 filter and the classic suite's implementation.
 */

export const DIR =
  process.env.MLS_TEST_VECTORS ??
  fileURLToPath(new URL('../../../../../shared/mls-test-vectors', import.meta.url));
export const present = existsSync(join(DIR, 'SHA256SUMS'));

export const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
export const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function load<T>(name: string): T[] {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as T[];
}

export function suite1<T extends { cipher_suite: number }>(name: string): T[] {
  return load<T>(name).filter((v) => v.cipher_suite === 1);
}

let implPromise: Promise<CiphersuiteImpl> | undefined;
export const impl = () => (implPromise ??= suiteImpl('classic'));

export function decodeAll<T>(dec: Decoder<T>, bytes: Uint8Array): T {
  const r = dec(bytes, 0);
  if (!r || r[1] !== bytes.length) throw new Error('does not decode');
  return r[0];
}

export function message(bytes: string) {
  return decodeAll(decodeMlsMessage, hex(bytes));
}

/** The files whose SHA-256 differs from SHA256SUMS (empty when all match). */
export function checksumMismatches(): string[] {
  const sums = readFileSync(join(DIR, 'SHA256SUMS'), 'utf8').trim().split('\n');
  const bad: string[] = [];
  for (const line of sums) {
    const [sum, file] = line.trim().split(/\s+/);
    const actual = createHash('sha256')
      .update(readFileSync(join(DIR, file ?? '')))
      .digest('hex');
    if (actual !== sum) bad.push(file ?? line);
  }
  return bad;
}
