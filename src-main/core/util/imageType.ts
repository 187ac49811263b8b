/**
 * The image formats Parley shows from other people's bytes (avatars,
 * thumbnails), told by their magic bytes: PNG (RFC 2083 §3.1 signature),
 * JPEG (SOI + a marker), WebP (RIFF....WEBP). Anything else (SVG with
 * script, HTML, a huge file) is not an image here and is never shown.
 */
export type ImageKind = 'png' | 'jpeg' | 'webp';

export function imageKind(bytes: Uint8Array): ImageKind | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (
    b.length >= 12 &&
    b.subarray(0, 4).toString('latin1') === 'RIFF' &&
    b.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'webp';
  return null;
}

/** The media type for a data: URL, or null when the bytes are none of the shown formats. */
export function imageMime(bytes: Uint8Array): `image/${ImageKind}` | null {
  const kind = imageKind(bytes);
  return kind === null ? null : `image/${kind}`;
}
