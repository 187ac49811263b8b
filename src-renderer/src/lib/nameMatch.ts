/**
 * Name matching for the combined search (issue 17 item 6): contacts and
 * conversations found by their names as one types, before and beside the
 * message hits. Case and accents are folded ("zoe" finds "Zoë"); every word
 * typed must start a word of the name ("ang" finds "Zoë Ångström", "rom" does not).
 */

/** Lower case without combining marks (NFD, then \p{M} removed), for comparing names. */
export function foldName(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

/**
 * The words a name search uses, or null when the text is a message query with
 * filters (`from:`, `before:` …) or quotes: those ask for messages only.
 */
export function nameQuery(text: string): string[] | null {
  const trimmed = text.trim();
  if (trimmed === '' || /(^|\s)-?\w+:/.test(trimmed) || trimmed.includes('"')) return null;
  const words = foldName(trimmed)
    .split(/\s+/)
    .map((w) => w.replace(/\*$/, ''))
    .filter((w) => w !== '');
  return words.length > 0 ? words : null;
}

export function nameMatches(name: string, words: readonly string[]): boolean {
  const nameWords = foldName(name).split(/[\s\-_.·]+/);
  return words.every((w) => nameWords.some((n) => n.startsWith(w)));
}

/** The items whose name matches, best first (a name that starts with the text), at most `limit`. */
export function matchNames<T>(
  items: readonly T[],
  nameOf: (item: T) => string,
  words: readonly string[],
  limit: number,
): T[] {
  const first = words.join(' ');
  const matched = items.filter((item) => nameMatches(nameOf(item), words));
  const starts = matched.filter((item) => foldName(nameOf(item)).startsWith(first));
  const rest = matched.filter((item) => !foldName(nameOf(item)).startsWith(first));
  return [...starts, ...rest].slice(0, limit);
}
