/** Largest picture the core takes (contract: 64 KB before base64). */
export const AVATAR_MAX_BYTES = 64 * 1024;
/** Pictures are re-encoded to this many pixels square: plenty for an avatar, small on the wire. */
const SIZE = 128;

function bytesOfDataUrl(url: string): number {
  const comma = url.indexOf(',');
  const b64 = comma < 0 ? '' : url.slice(comma + 1);
  return Math.floor((b64.length * 3) / 4);
}

/**
 * Re-encodes a picked image to a 128 × 128 WebP (or PNG/JPEG where WebP
 * encoding is missing), centre-cropped, as a data: URL of at most 64 KB.
 * Re-encoding drops metadata (EXIF location and the like) and anything that
 * is not pixels. Throws an Error with a message to show.
 */
export async function avatarFromFile(file: File): Promise<string> {
  if (!/^image\/(png|jpeg|webp)$/.test(file.type)) throw new Error('Choose a PNG, JPEG or WebP picture.');
  if (file.size > 20 * 1024 * 1024) throw new Error('That picture is too large (over 20 MB).');
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode().catch(() => {
      throw new Error('That picture could not be read.');
    });
    const canvas = document.createElement('canvas');
    canvas.width = SIZE;
    canvas.height = SIZE;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('Pictures cannot be prepared in this window.');
    const side = Math.min(img.naturalWidth, img.naturalHeight);
    ctx.drawImage(
      img,
      (img.naturalWidth - side) / 2,
      (img.naturalHeight - side) / 2,
      side,
      side,
      0,
      0,
      SIZE,
      SIZE,
    );
    for (const [type, quality] of [
      ['image/webp', 0.85],
      ['image/jpeg', 0.8],
      ['image/jpeg', 0.5],
    ] as const) {
      const out = canvas.toDataURL(type, quality);
      if (out.startsWith('data:image/') && bytesOfDataUrl(out) <= AVATAR_MAX_BYTES) return out;
    }
    throw new Error('That picture stays over 64 KB even when made smaller.');
  } finally {
    URL.revokeObjectURL(url);
  }
}
