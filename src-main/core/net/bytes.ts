/**
 * The generated codecs type bytes fields as Uint8Array<ArrayBuffer>; callers
 * may hand us views over any buffer (a SharedArrayBuffer, a Node Buffer pool).
 * This returns the same view when it already is over a plain ArrayBuffer and
 * a copy otherwise, so encoding never reads memory another thread can change.
 */
export function wireBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/** Constant-time equality for ids and tags (length is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
