/** A piece of a snippet: plain text, or a matched word to wrap in <mark>. */
export interface TextPart {
  text: string;
  marked: boolean;
}

/**
 * Cuts `text` at the `[start, end)` UTF-16 ranges the search returns. Ranges
 * from the core are trusted for shape only: they are clamped, sorted and
 * merged here so an odd range can never throw or duplicate text. The result
 * is rendered as text nodes, never as an HTML string.
 */
export function sliceHighlights(text: string, ranges: ReadonlyArray<readonly [number, number]>): TextPart[] {
  const clean = ranges
    .map(([s, e]): [number, number] => [
      Math.max(0, Math.min(text.length, Math.floor(s))),
      Math.max(0, Math.min(text.length, Math.floor(e))),
    ])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of clean) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  const parts: TextPart[] = [];
  let at = 0;
  for (const [s, e] of merged) {
    if (s > at) parts.push({ text: text.slice(at, s), marked: false });
    parts.push({ text: text.slice(s, e), marked: true });
    at = e;
  }
  if (at < text.length) parts.push({ text: text.slice(at), marked: false });
  return parts;
}
