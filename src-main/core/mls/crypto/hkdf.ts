import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC and HKDF (RFC 2104, RFC 5869) on node:crypto. ts-mls's own provider
 * goes through WebCrypto, whose per-call key import and promise hop cost
 * ~30 µs; MLS derives ~6 secrets per tree node at every epoch change
 * (RFC 9420 §9, the secret tree), so at 1,000 members that overhead alone
 * exceeded the add-member budget. These calls are synchronous and ~4 µs.
 */
export type HashName = 'sha256' | 'sha384' | 'sha512';

export function hashLength(alg: HashName): number {
  return alg === 'sha256' ? 32 : alg === 'sha384' ? 48 : 64;
}

export function digest(alg: HashName, data: Uint8Array): Uint8Array {
  return view(createHash(alg).update(data).digest());
}

/** A Uint8Array over a digest Buffer's own memory (node allocates each digest afresh; no copy). */
function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export function hmac(alg: HashName, key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac(alg, key);
  for (const p of parts) h.update(p);
  return view(h.digest());
}

const COUNTER_1 = Uint8Array.of(1);

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 5869 §2.2. An empty salt means HashLen zero bytes. */
export function hkdfExtract(alg: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmac(alg, salt.length > 0 ? salt : new Uint8Array(hashLength(alg)), ikm);
}

/** RFC 5869 §2.3. */
export function hkdfExpand(alg: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const n = hashLength(alg);
  if (!Number.isInteger(length) || length < 0 || length > 255 * n) {
    throw new RangeError(`HKDF-Expand length ${length} out of range`);
  }
  if (length === n) {
    // One block, the case of nearly every MLS derivation (RFC 9420 §8): T(1) as is.
    return view(createHmac(alg, prk).update(info).update(COUNTER_1).digest());
  }
  const out = new Uint8Array(length);
  let block: Uint8Array = new Uint8Array(0);
  for (let i = 1, off = 0; off < length; i++, off += n) {
    block = hmac(alg, prk, block, info, Uint8Array.of(i));
    out.set(block.subarray(0, Math.min(n, length - off)), off);
  }
  return out;
}
