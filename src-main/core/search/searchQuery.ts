/**
 * The search box language, parsed into plain data. Nothing here is SQL or FTS5
 * syntax: `ftsExpression.ts` turns the terms into a MATCH string where every
 * term is a quoted FTS5 string, and the repository binds the filters as
 * parameters. So this parser only has to be total (any string in, a query out,
 * never a throw) and bounded (hostile input cannot make a huge query).
 *
 *   word            "a phrase"        prefix*        -word  -"phrase"  -prefix*
 *   from:NAME       from:"Ada Lovelace"   from:me
 *   in:CONVERSATION in:"Book club"
 *   before:DATE     after:DATE        DATE = YYYY-MM-DD | today | yesterday
 *   has:file
 *
 * Unknown `key:value` (e.g. `body:x`, `http://…`) is an ordinary word, and
 * FTS5 keywords (AND, OR, NOT, NEAR) are ordinary words too.
 */

export type SearchTermKind = 'word' | 'phrase' | 'prefix';

export interface SearchTerm {
  kind: SearchTermKind;
  text: string;
  negated?: boolean;
}

export interface SearchQuery {
  terms: SearchTerm[];
  /** Sender names (substring, case- and accent-insensitive) or "me"; any of them. */
  from: string[];
  /** Conversation names (substring, case- and accent-insensitive); any of them. */
  in: string[];
  /** Exclusive upper bound on sent_at (ms): the start of the `before:` day. */
  before?: number;
  /** Exclusive lower bound on sent_at (ms): the last millisecond of the `after:` day. */
  after?: number;
  hasFile: boolean;
  /** Hints for the user about parts of the query that were ignored or adjusted. */
  problems: string[];
}

/** More terms than this make a slow query and are never what a person means. */
export const MAX_TERMS = 16;
/** A longer term is cut and searched as a prefix, so it still finds the text it came from. */
export const MAX_TERM_LENGTH = 64;
/** Values per filter key (from:, in:). */
export const MAX_FILTER_VALUES = 8;
/** Input beyond this is ignored before parsing (the parse is linear, this bounds it). */
export const MAX_QUERY_LENGTH = 2000;

const FILTER_KEYS = new Set(['from', 'in', 'before', 'after', 'has']);
const FILE_WORDS = new Set(['file', 'files', 'attachment', 'attachments']);

/** Invisible direction marks an RTL keyboard or a paste can slip around words and filters. */
const BIDI_MARKS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** C0/C1 controls (NUL included: FTS5 reads its expression as a C string). */
const CONTROLS = /[\u0000-\u001F\u007F-\u009F]/g;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SPACE = /\s/u;

export function emptyQuery(): SearchQuery {
  return { terms: [], from: [], in: [], hasFile: false, problems: [] };
}

export function parseSearchQuery(text: string, now: Date = new Date()): SearchQuery {
  const query = emptyQuery();
  try {
    parseInto(query, typeof text === 'string' ? text : '', validDate(now));
  } catch {
    // Unreachable by design (the fuzz test tries); a search box must never crash the app.
    query.problems.push('Part of this search could not be understood and was ignored.');
  }
  return query;
}

function parseInto(query: SearchQuery, raw: string, now: Date): void {
  let input = raw;
  if (input.length > MAX_QUERY_LENGTH) {
    const next = input[MAX_QUERY_LENGTH] ?? ' ';
    input = cut(input, MAX_QUERY_LENGTH);
    // Drop a word the cut went through: half a word would search for something else.
    const lastSpace = SPACE.test(next) ? -1 : input.search(/\s\S*$/u);
    if (lastSpace > 0) input = input.slice(0, lastSpace);
    query.problems.push(`Only the first ${MAX_QUERY_LENGTH} characters of the search are used.`);
  }
  input = input
    .replace(LONE_SURROGATES, ' ')
    .replace(CONTROLS, ' ')
    .replace(BIDI_MARKS, '')
    // Stored text is almost always NFC; the tokenizer folds the rest (remove_diacritics 2).
    .normalize('NFC');

  const seen = new Set<string>();
  let droppedTerms = false;
  let i = 0;
  while (i < input.length) {
    if (SPACE.test(input[i] ?? '')) {
      i++;
      continue;
    }
    let negated = false;
    if (input[i] === '-' && i + 1 < input.length && !SPACE.test(input[i + 1] ?? '')) {
      negated = true;
      i++;
    }

    let term: SearchTerm;
    if (input[i] === '"') {
      const quoted = readQuoted(input, i);
      i = quoted.end;
      let stars = 0;
      while (input[i] === '*') {
        i++;
        stars++;
      }
      term = { kind: stars > 0 ? 'prefix' : 'phrase', text: quoted.text };
    } else {
      const start = i;
      while (i < input.length && input[i] !== '"' && !SPACE.test(input[i] ?? '')) i++;
      const word = input.slice(start, i);
      const colon = word.indexOf(':');
      const key = colon > 0 ? word.slice(0, colon).toLowerCase() : '';
      if (FILTER_KEYS.has(key)) {
        let value = word.slice(colon + 1);
        if (value === '' && input[i] === '"') {
          const quoted = readQuoted(input, i);
          i = quoted.end;
          value = quoted.text;
        }
        if (negated) {
          query.problems.push(`"-${key}:" is not supported; that filter was ignored.`);
        } else {
          applyFilter(query, key, value, now);
        }
        continue;
      }
      const stripped = word.replace(/\*+$/, '');
      term = { kind: stripped.length < word.length ? 'prefix' : 'word', text: stripped };
    }

    const collapsed = term.text.replace(/\s+/gu, ' ').trim();
    if (collapsed === '') continue;
    term.text = collapsed;
    if (term.text.length > MAX_TERM_LENGTH) {
      term.text = cut(term.text, MAX_TERM_LENGTH).trimEnd();
      term.kind = 'prefix';
      query.problems.push(
        `Search words are limited to ${MAX_TERM_LENGTH} characters; a longer one was shortened.`,
      );
    }
    if (term.kind === 'prefix' && lastTokenLength(term.text) === 1) {
      // A one-letter prefix matches nearly everything and is the one prefix the index cannot serve.
      term.kind = 'word';
      query.problems.push(`"${term.text}*" is too short for a prefix search; searching for "${term.text}".`);
    }
    if (negated) term.negated = true;
    const identity = `${term.kind}\u0000${negated ? '-' : '+'}\u0000${term.text.toLowerCase()}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    if (query.terms.length >= MAX_TERMS) {
      droppedTerms = true;
      continue;
    }
    query.terms.push(term);
  }
  if (droppedTerms) query.problems.push(`Only the first ${MAX_TERMS} search words are used.`);
  if (query.before !== undefined && query.after !== undefined && query.after >= query.before - 1) {
    query.problems.push('The after: date is not earlier than the before: date, so nothing can match.');
  }
}

/** A double-quoted run starting at `open`; an unbalanced quote runs to the end of the input. */
function readQuoted(input: string, open: number): { text: string; end: number } {
  const close = input.indexOf('"', open + 1);
  if (close < 0) return { text: input.slice(open + 1), end: input.length };
  return { text: input.slice(open + 1, close), end: close + 1 };
}

function applyFilter(query: SearchQuery, key: string, rawValue: string, now: Date): void {
  let value = rawValue.replace(/\s+/gu, ' ').trim();
  if (value === '') {
    query.problems.push(`Nothing after "${key}:"; that filter was ignored.`);
    return;
  }
  if (value.length > MAX_TERM_LENGTH) value = cut(value, MAX_TERM_LENGTH).trimEnd();
  switch (key) {
    case 'from':
    case 'in': {
      const list = key === 'from' ? query.from : query.in;
      if (list.some((v) => v.toLowerCase() === value.toLowerCase())) return;
      if (list.length >= MAX_FILTER_VALUES) {
        query.problems.push(`Only the first ${MAX_FILTER_VALUES} ${key}: filters are used.`);
        return;
      }
      list.push(value);
      return;
    }
    case 'has':
      if (FILE_WORDS.has(value.toLowerCase())) query.hasFile = true;
      else query.problems.push(`Unknown "has:${value}"; only has:file is supported.`);
      return;
    case 'before':
    case 'after': {
      const day = parseDay(value, now);
      if (!day) {
        query.problems.push(`Unknown date "${value}" in ${key}: (use YYYY-MM-DD, today or yesterday).`);
        return;
      }
      if (key === 'before') query.before = Math.min(query.before ?? Infinity, day.start);
      else query.after = Math.max(query.after ?? -Infinity, day.nextStart - 1);
      return;
    }
  }
}

/** A local calendar day: its first millisecond and the first millisecond of the next day. */
export function parseDay(value: string, now: Date): { start: number; nextStart: number } | null {
  const word = value.toLowerCase();
  let y: number;
  let m: number;
  let d: number;
  if (word === 'today' || word === 'yesterday') {
    y = now.getFullYear();
    m = now.getMonth();
    d = now.getDate() - (word === 'yesterday' ? 1 : 0);
  } else {
    const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
    if (!match) return null;
    y = Number(match[1]);
    m = Number(match[2]) - 1;
    d = Number(match[3]);
    // new Date() rolls 2024-02-31 over into March; a day that does not exist is a typo.
    const probe = new Date(y, m, d);
    if (probe.getFullYear() !== y || probe.getMonth() !== m || probe.getDate() !== d) return null;
  }
  // Local midnights, computed from the calendar (not +24h), so DST days are 23 or 25 hours.
  const start = new Date(y, m, d).getTime();
  const nextStart = new Date(y, m, d + 1).getTime();
  if (!Number.isFinite(start) || !Number.isFinite(nextStart)) return null;
  return { start, nextStart };
}

/**
 * Characters the unicode61 tokenizer keeps in tokens: its default categories
 * are "L* N* Co" (FTS5 §4.3.1 Unicode61 Tokenizer); everything else separates.
 */
const TOKEN_CHAR = /[\p{L}\p{N}\p{Co}]/u;
const TOKEN_RUNS = /[\p{L}\p{N}\p{Co}]+/gu;

export function hasTokenChar(text: string): boolean {
  return TOKEN_CHAR.test(text);
}

/** Code points in the last token: the part a prefix query expands. */
export function lastTokenLength(text: string): number {
  const runs = text.match(TOKEN_RUNS);
  return runs ? Array.from(runs[runs.length - 1] ?? '').length : 0;
}

/** The first `max` UTF-16 units, never splitting a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

function validDate(now: Date): Date {
  return now instanceof Date && Number.isFinite(now.getTime()) ? now : new Date();
}
