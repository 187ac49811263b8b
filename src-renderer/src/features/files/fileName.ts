/**
 * A file name split for middle truncation (issue #17 item 19): the start may
 * be cut with an ellipsis, the end — the last few characters and the
 * extension — always shows, so "Quarterly report with a rather long
 * title.pdf" becomes "Quarterly report wi…title.pdf", not "Quarterly re…".
 */
export function splitFileName(name: string, keep = 6): { start: string; end: string } {
  const chars = [...name];
  const ext = /\.[\p{L}\p{N}]{1,8}$/u.exec(name)?.[0] ?? '';
  const extLength = [...ext].length;
  const tail = Math.min(chars.length, extLength + keep);
  // Short names are not split: there is nothing to save.
  if (chars.length <= tail + 4) return { start: name, end: '' };
  // A space where the name is cut goes with the start (the ellipsis takes its place, no gap after it).
  let cut = chars.length - tail;
  while (cut < chars.length - extLength - 1 && /\s/u.test(chars[cut] ?? '')) cut += 1;
  return { start: chars.slice(0, cut).join(''), end: chars.slice(cut).join('') };
}

/** The kind of player the file gets, from its type (what Chromium plays). */
export function mediaKind(mime: string): 'audio' | 'video' | null {
  if (/^audio\/(mpeg|mp3|mp4|aac|ogg|opus|wav|x-wav|wave|webm|flac|x-flac)$/.test(mime)) return 'audio';
  if (/^video\/(mp4|webm|ogg)$/.test(mime)) return 'video';
  return null;
}
