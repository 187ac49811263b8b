/** Small, pure helpers of the file UI (sizes, kinds, base64 over the bridge). */

// One wording for sizes in the UI, the CLI and the core's messages.
export { formatBytes } from '../../../../src-shared/contract/format';

/** Types the viewer shows (what Chromium decodes; SVG is left out: it is a document, not a picture). */
export function isViewableImage(mime: string): boolean {
  return /^image\/(png|jpeg|gif|webp|bmp|avif)$/.test(mime);
}

/** What the bridge's `mime` accepts; a browser gives '' for unknown types. */
export function safeMime(type: string): string {
  return /^[\w.+-]+\/[\w.+-]+$/.test(type) && type.length <= 127 ? type : 'application/octet-stream';
}

/** Standard base64 of bytes, in slices (String.fromCharCode takes limited arguments). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** A short label for the file's kind, shown on the icon ("PDF", "ZIP", …). */
export function kindLabel(name: string, mime: string): string {
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(name)?.[1];
  if (ext) return ext.toUpperCase();
  return (mime.split('/')[1] ?? 'FILE').slice(0, 4).toUpperCase();
}
