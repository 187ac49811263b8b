import { isViewableImage, toBase64 } from './fileFormat';

/** Longest side of a thumbnail, px: enough for a chat bubble on a high-DPI screen. */
const THUMB_SIDE = 320;
/** What fits in the MLS message next to the file's description (contract: 32 KiB). */
const THUMB_MAX_BYTES = 32 * 1024;

export interface Thumbnail {
  data: string;
  width: number;
  height: number;
}

/**
 * A JPEG thumbnail of an image, made here with canvas (the core has no image
 * decoder, and decoding untrusted images belongs in the sandboxed renderer),
 * or undefined for anything else or anything that does not decode. Width and
 * height are the original's, so the other side can lay the bubble out before
 * it has the file. The quality steps down until it fits in 32 KiB.
 */
export async function makeThumbnail(file: Blob): Promise<Thumbnail | undefined> {
  if (!isViewableImage(file.type)) return undefined;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined;
  }
  try {
    const { width, height } = bitmap;
    const scale = Math.min(1, THUMB_SIDE / Math.max(width, height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) return undefined;
    // JPEG has no alpha: paint transparent areas white rather than black.
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    for (const quality of [0.8, 0.6, 0.4, 0.25]) {
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
      if (blob && blob.size <= THUMB_MAX_BYTES) {
        return {
          data: toBase64(new Uint8Array(await blob.arrayBuffer())),
          width: Math.min(width, 65_535),
          height: Math.min(height, 65_535),
        };
      }
    }
    return undefined;
  } finally {
    bitmap.close();
  }
}
