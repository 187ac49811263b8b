import { hasTokenChar, type SearchTerm } from './searchQuery';

/**
 * Builds the FTS5 MATCH expression for parsed terms, or null when nothing
 * searchable is left. No user text ever becomes FTS5 syntax:
 * - every term is an FTS5 string: wrapped in double quotes, an inner `"` written
 *   as `""` (FTS5 §3.1 "FTS5 Strings"). Inside a string, `*`, `-`, `:`, `^`,
 *   parentheses, AND/OR/NOT/NEAR and column names are plain text that the
 *   tokenizer splits into a phrase (FTS5 §3.2 "FTS5 Phrases");
 * - a prefix term is the string followed by `*` (FTS5 §3.3 "FTS5 Prefix Queries");
 * - terms are joined with AND; negated terms follow as `NOT`, which FTS5 only
 *   has as a binary operator (FTS5 §3.7 "FTS5 Boolean Operators"), so they are
 *   used only when there is at least one positive term;
 * - NUL is removed: FTS5 reads the expression as a C string and a NUL would
 *   cut it inside a string ("unterminated string").
 * A term with no token character (only punctuation or emoji, which unicode61
 * treats as separators) would be an empty phrase that matches nothing, turning
 * the whole AND into "no results"; such terms are dropped.
 */
export function toFtsMatch(terms: readonly SearchTerm[]): string | null {
  const positive: string[] = [];
  const negative: string[] = [];
  for (const term of terms) {
    const quoted = ftsString(term);
    if (quoted !== null) (term.negated ? negative : positive).push(quoted);
  }
  if (positive.length === 0) return null;
  // NOT binds tighter than AND (FTS5 §3.7): group the positives so each NOT applies to all of them.
  let expression = positive.length === 1 ? (positive[0] ?? '') : `(${positive.join(' AND ')})`;
  for (const term of negative) expression = `${expression} NOT ${term}`;
  return expression;
}

/**
 * The negated terms as one expression matching any of them (FTS5 §3.7 OR), for
 * excluding messages when there is no positive term to hang `NOT` on; null when none.
 */
export function toFtsExclusion(terms: readonly SearchTerm[]): string | null {
  const negative = terms.filter((t) => t.negated).map(ftsString);
  const strings = negative.filter((q): q is string => q !== null);
  return strings.length === 0 ? null : strings.join(' OR ');
}

/** One term as an FTS5 string (prefix: followed by `*`), or null when it has no token character. */
function ftsString(term: SearchTerm): string | null {
  const text = term.text.replace(/\u0000/g, '');
  if (!hasTokenChar(text)) return null;
  return `"${text.replace(/"/g, '""')}"${term.kind === 'prefix' ? '*' : ''}`;
}
