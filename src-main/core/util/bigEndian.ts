/**
 * Big-endian unsigned integers for signed byte strings (device list entries,
 * credentials, profile cards: TLS presentation language, RFC 8446 §3.3, as
 * RFC 9420 uses). A length that does not fit throws a RangeError rather
 * than wrapping, so no two inputs sign the same bytes.
 */
export function u16(n: number): Buffer {
  if (n > 0xffff) throw new RangeError('field too long');
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
