import { splitLinks, type LinkSegment } from './links';

/**
 * Basic message formatting (issue #17 item 3), parsed into a tree the view
 * renders as React elements and text children — never HTML from content.
 *
 * The marks are the ones people already type in other messengers (a small,
 * predictable subset of CommonMark, https://spec.commonmark.org/0.31.2/):
 * `**bold**`, `_italic_` or `*italic*`, `~~strike~~`, `` `code` `` and fenced
 * code blocks (```…```). Code and links are opaque: nothing inside them is
 * formatted, so `snake_case_names` in code and `https://x.org/a_b_c` stay as
 * typed. As in CommonMark §6.2, a mark opens only before a non-space and
 * closes only after one, and the single `_`/`*` marks do not open or close
 * inside a word (2*3*4 and file_name_here stay plain).
 */
export type FormatNode =
  | { type: 'text'; text: string }
  | { type: 'link'; text: string; link: NonNullable<LinkSegment['link']> }
  | { type: 'code'; text: string }
  | { type: 'codeblock'; text: string }
  | { type: 'bold' | 'italic' | 'strike'; children: FormatNode[] };

type Mark = 'bold' | 'italic' | 'strike';

/** Checked in this order at each position, so `**` wins over `*`. */
const DELIMITERS: ReadonlyArray<{ d: string; mark: Mark; intraword: boolean }> = [
  { d: '**', mark: 'bold', intraword: true },
  { d: '~~', mark: 'strike', intraword: true },
  { d: '_', mark: 'italic', intraword: false },
  { d: '*', mark: 'italic', intraword: false },
];

/** Marks nest at most this deep; deeper ones stay as typed (bounds the work on hostile input). */
const MAX_DEPTH = 6;

// A fence, an optional language word on its line (dropped), the code, the closing fence.
const FENCE = /```(?:[A-Za-z0-9_+#.-]*\n)?([\s\S]*?)\n?```/g;
const INLINE_CODE = /(?<!`)`([^`\n]+)`(?!`)/g;

/** The formatting tree of a message body. */
export function parseFormatting(body: string): FormatNode[] {
  const out: FormatNode[] = [];
  let last = 0;
  for (const m of body.matchAll(FENCE)) {
    const start = m.index ?? 0;
    const code = m[1] ?? '';
    if (code.trim() === '') continue;
    if (start > last) out.push(...parseInline(stripNewlineBeforeBlock(body.slice(last, start))));
    out.push({ type: 'codeblock', text: code });
    last = start + m[0].length;
    // The block is its own line: a newline right after it would show as an empty line.
    if (body[last] === '\n') last += 1;
  }
  if (last < body.length) out.push(...parseInline(body.slice(last)));
  return out;
}

/** True when the body has anything the plain text view would not show as typed. */
export function hasFormatting(nodes: FormatNode[]): boolean {
  return nodes.some((n) => n.type !== 'text');
}

function stripNewlineBeforeBlock(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

interface Protected {
  start: number;
  end: number;
  node: FormatNode;
}

function parseInline(text: string): FormatNode[] {
  // Opaque spans first: inline code, then links in what is left.
  const spans: Protected[] = [];
  let last = 0;
  const linkSpans = (from: number, to: number) => {
    let at = from;
    for (const seg of splitLinks(text.slice(from, to))) {
      if (seg.link)
        spans.push({
          start: at,
          end: at + seg.text.length,
          node: { type: 'link', text: seg.text, link: seg.link },
        });
      at += seg.text.length;
    }
  };
  for (const m of text.matchAll(INLINE_CODE)) {
    const start = m.index ?? 0;
    linkSpans(last, start);
    spans.push({ start, end: start + m[0].length, node: { type: 'code', text: m[1] ?? '' } });
    last = start + m[0].length;
  }
  linkSpans(last, text.length);
  return emphasis(text, 0, text.length, spans, 0);
}

const isSpace = (c: string | undefined) => c === undefined || /\s/u.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

function emphasis(text: string, from: number, to: number, spans: Protected[], depth: number): FormatNode[] {
  const out: FormatNode[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push({ type: 'text', text: plain });
    plain = '';
  };
  // A delimiter with no closing from some position has none from any later one either.
  const unclosed = new Set<string>();
  let spanIndex = spans.findIndex((s) => s.start >= from);
  let i = from;
  while (i < to) {
    const span = spanIndex >= 0 ? spans[spanIndex] : undefined;
    if (span && span.start === i) {
      flush();
      out.push(span.node);
      i = span.end;
      spanIndex = spanIndex + 1 < spans.length ? spanIndex + 1 : -1;
      continue;
    }
    const opened = depth < MAX_DEPTH ? openAt(text, i, to, spans, unclosed) : null;
    if (opened) {
      flush();
      const { mark, len, close } = opened;
      out.push({ type: mark, children: emphasis(text, i + len, close, spans, depth + 1) });
      i = close + len;
      while (spanIndex >= 0 && (spans[spanIndex]?.start ?? Infinity) < i) {
        spanIndex = spanIndex + 1 < spans.length ? spanIndex + 1 : -1;
      }
      continue;
    }
    plain += text[i];
    i += 1;
  }
  flush();
  return out;
}

function openAt(
  text: string,
  i: number,
  to: number,
  spans: Protected[],
  unclosed: Set<string>,
): { mark: Mark; len: number; close: number } | null {
  for (const { d, mark, intraword } of DELIMITERS) {
    if (unclosed.has(d) || !text.startsWith(d, i)) continue;
    // `**` is not an empty `*…*`.
    if (d === '*' && text[i + 1] === '*') continue;
    const after = text[i + d.length];
    if (isSpace(after) || after === d[0]) continue;
    if (!intraword && isWordChar(text[i - 1])) continue;
    const close = findClose(text, i + d.length + 1, to, d, intraword, spans);
    if (close < 0) {
      unclosed.add(d);
      continue;
    }
    return { mark, len: d.length, close };
  }
  return null;
}

function findClose(
  text: string,
  from: number,
  to: number,
  d: string,
  intraword: boolean,
  spans: Protected[],
): number {
  let j = from;
  while (j <= to - d.length) {
    const at = text.indexOf(d, j);
    if (at < 0 || at > to - d.length) return -1;
    const inside = spans.find((s) => s.start < at + d.length && at < s.end);
    if (inside) {
      j = inside.end;
      continue;
    }
    const ok =
      !isSpace(text[at - 1]) &&
      (intraword || !isWordChar(text[at + d.length])) &&
      // A single `*` or `_` right next to another is part of a longer run, not a closing mark.
      !(d.length === 1 && (text[at + 1] === d || text[at - 1] === d));
    if (ok) return at;
    j = at + 1;
  }
  return -1;
}
