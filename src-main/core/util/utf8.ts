/**
 * Cuts a string to at most `max` UTF-8 bytes without splitting a code point,
 * for names that travel in byte-limited wire fields (invites, hello frames).
 */
export function truncateUtf8(s: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}
