/**
 * Emoji search for the picker (issue #17 item 4), pure so it is tested and
 * benchmarked alone. Entries come from emojiCatalog.ts (Unicode CLDR names and
 * keywords via emojibase-data, plus GitHub-style shortcodes).
 */
export interface EmojiEntry {
  emoji: string;
  /** The CLDR short name, e.g. "thumbs up". */
  label: string;
  /** Index into EMOJI_GROUPS. */
  group: number;
  /** Lower-case words to match: the label's words, keywords, shortcodes. */
  terms: readonly string[];
}

/** The picker's sections, in Unicode order (emojibase's group numbers; 2, "components", is not shown). */
export const EMOJI_GROUPS: ReadonlyArray<{ id: number; name: string; icon: string }> = [
  { id: 0, name: 'Smileys & emotion', icon: '😀' },
  { id: 1, name: 'People & body', icon: '👋' },
  { id: 3, name: 'Animals & nature', icon: '🐻' },
  { id: 4, name: 'Food & drink', icon: '🍎' },
  { id: 5, name: 'Travel & places', icon: '🚗' },
  { id: 6, name: 'Activities', icon: '⚽' },
  { id: 7, name: 'Objects', icon: '💡' },
  { id: 8, name: 'Symbols', icon: '❤️' },
  { id: 9, name: 'Flags', icon: '🏁' },
];

/** Splits a name or query into lower-case words ("thumbs up", ":+1:", "face-with-tears"). */
export function words(text: string): string[] {
  return text
    .toLocaleLowerCase()
    .split(/[\s:_,.!?()"“”'’-]+/u)
    .filter((w) => w.length > 0);
}

/**
 * Entries whose terms cover every word of the query (each query word a prefix
 * of some term), best first: the name itself, then names starting with the
 * query, then matches by name words, then by keywords; ties keep Unicode
 * order. An empty query finds nothing (the picker shows its sections).
 */
export function searchEmoji(entries: readonly EmojiEntry[], query: string, limit = 80): EmojiEntry[] {
  const q = words(query);
  if (q.length === 0) return [];
  const phrase = q.join(' ');
  const scored: { entry: EmojiEntry; score: number; order: number }[] = [];
  entries.forEach((entry, order) => {
    const label = entry.label.toLocaleLowerCase();
    let score: number;
    if (label === phrase) score = 0;
    else if (label.startsWith(phrase)) score = 1;
    else {
      const labelWords = words(label);
      if (q.every((w) => labelWords.some((t) => t.startsWith(w)))) score = 2;
      else if (q.every((w) => entry.terms.some((t) => t.startsWith(w)))) score = 3;
      else return;
    }
    scored.push({ entry, score, order });
  });
  scored.sort((a, b) => a.score - b.score || a.order - b.order);
  return scored.slice(0, limit).map((s) => s.entry);
}

/** How many recent emoji the picker keeps. */
export const RECENT_LIMIT = 24;

/** The recent list after using `emoji`: it goes first, once. */
export function withRecent(recent: readonly string[], emoji: string): string[] {
  return [emoji, ...recent.filter((e) => e !== emoji)].slice(0, RECENT_LIMIT);
}
