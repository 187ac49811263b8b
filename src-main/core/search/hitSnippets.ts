import type { HitRow } from './hitNames';
import type { SearchStatements } from './searchStatements';
import { freeMarkers, leadingSnippet, parseMarked, type MarkedText } from './snippetMarks';

/** Tokens of context in a snippet (FTS5 allows 1..64). */
export const SNIPPET_TOKENS = 20;
export const ELLIPSIS = '…';

/** The snippets of hits, with the matched words marked (FTS5 snippet(), §5.1.3). */
export class HitSnippets {
  constructor(private readonly statements: SearchStatements) {}

  /**
   * FTS5-marked snippets of the given matching rows, in one newest-first walk.
   *
   * Rows are picked with `rowid <= @top AND +rowid IN (…)`: the walk starts at
   * the newest wanted row and stops once all are found, and the hits are among
   * the newest matches, so it reads few postings. Two shapes that look simpler
   * are wrong or slow here: next to MATCH, FTS5 in SQLite 3.53.2 (as bundled)
   * drops `rowid = ?` and returns every match, and `rowid BETWEEN id AND id`
   * walks the word's whole posting list per row (~1 s per query for a common
   * word over a million messages, measured by `npm run bench store`).
   */
  snippets(match: string, ids: number[], markers: { open: string; close: string }): Map<number, string> {
    const out = new Map<number, string>();
    if (ids.length === 0) return out;
    const rows = this.statements
      .get(
        'snippets',
        `SELECT rowid AS id, snippet(messages_fts, 0, @open, @close, '${ELLIPSIS}', ${SNIPPET_TOKENS}) AS marked
       FROM messages_fts
       WHERE messages_fts MATCH @match AND rowid <= @top AND +rowid IN (SELECT value FROM json_each(@ids))
       ORDER BY rowid DESC LIMIT @n`,
      )
      .all({
        match,
        top: Math.max(...ids),
        ids: JSON.stringify(ids),
        n: ids.length,
        open: markers.open,
        close: markers.close,
      }) as Array<{ id: number; marked: string }>;
    for (const r of rows) out.set(r.id, r.marked);
    return out;
  }

  /**
   * A body that itself holds U+E000/U+E001 (rows written around
   * MessageRepository, e.g. an import) is marked with private-use characters
   * it does not contain, so its own characters cannot pose as highlights.
   */
  highlightedTainted(row: HitRow, match: string): MarkedText {
    const body = (
      this.statements.get('body', 'SELECT body FROM messages WHERE id = @id').get({ id: row.id }) as
        { body: string | null } | undefined
    )?.body;
    const markers = freeMarkers(body ?? '');
    if (!markers) return { text: leadingSnippet(body ?? ''), highlights: [] };
    const marked = this.snippets(match, [row.id], markers).get(row.id) ?? '';
    return parseMarked(marked, markers.open, markers.close);
  }
}
