/**
 * FTS5 `snippet()` marks each matched token with a start and an end string
 * (FTS5 §5.1.3 "The snippet() Function"). We ask for two private-use
 * characters and turn the marked text into plain text plus highlight ranges,
 * so the renderer never parses markup out of message content.
 */
export const MARK_OPEN = '\uE000';
export const MARK_CLOSE = '\uE001';

export interface MarkedText {
  text: string;
  /** [start, end) UTF-16 offsets into `text`. */
  highlights: Array<[number, number]>;
}

/**
 * `open`/`close` must not occur in the source text (the caller picks markers
 * that do not); any U+E000/U+E001 that is not a marker is dropped, so text a
 * user wrote can never pose as a highlight.
 */
export function parseMarked(marked: string, open = MARK_OPEN, close = MARK_CLOSE): MarkedText {
  let text = '';
  const highlights: Array<[number, number]> = [];
  let start = -1;
  let i = 0;
  while (i < marked.length) {
    if (marked.startsWith(open, i)) {
      if (start < 0) start = text.length;
      i += open.length;
    } else if (marked.startsWith(close, i)) {
      if (start >= 0 && text.length > start) highlights.push([start, text.length]);
      start = -1;
      i += close.length;
    } else {
      const ch = marked[i] ?? '';
      if (ch !== MARK_OPEN && ch !== MARK_CLOSE) text += ch;
      i++;
    }
  }
  if (start >= 0 && text.length > start) highlights.push([start, text.length]);
  return { text, highlights };
}

/** Two private-use characters that do not occur in `text`, for marking it unambiguously; null if none are free. */
export function freeMarkers(text: string): { open: string; close: string } | null {
  const used = new Set<number>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xe000 && c <= 0xf8ff) used.add(c);
  }
  const free: string[] = [];
  for (let c = 0xe002; c <= 0xf8ff && free.length < 2; c++)
    if (!used.has(c)) free.push(String.fromCharCode(c));
  const [open, close] = free;
  return open !== undefined && close !== undefined ? { open, close } : null;
}

/** The start of a message body as a snippet when there are no matched words (filter-only searches). */
export function leadingSnippet(body: string, maxChars = 120): string {
  const clean = body
    .replace(/[\uE000\uE001]/g, '')
    .replace(/\s+/gu, ' ')
    .trim();
  if (clean.length <= maxChars) return clean;
  let cut = clean.slice(0, maxChars);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  const space = cut.lastIndexOf(' ');
  return `${space > maxChars / 2 ? cut.slice(0, space) : cut}…`;
}
