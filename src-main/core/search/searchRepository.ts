import { databaseError } from '../errors';
import type { Db } from '../store/encryptedDatabase';
import { bodyOnly } from './bodyOnly';
import { toFtsExclusion, toFtsMatch } from './ftsExpression';
import { HitNames, type HitRow } from './hitNames';
import { ELLIPSIS, HitSnippets, SNIPPET_TOKENS } from './hitSnippets';
import { ScopeSetPlanner } from './scopeSetPlanner';
import { lastTokenLength, type SearchQuery, type SearchTerm } from './searchQuery';
import type { SearchHit, SearchOptions, SearchResult } from './searchResult';
import {
  filterConditions,
  filterParams,
  liveConditions,
  resolveScope,
  scopeTokens,
  type Scope,
} from './searchScope';
import { SearchStatements, type Params } from './searchStatements';
import {
  DEFAULT_LIMIT,
  IDF_BUDGET,
  MAX_LIMIT,
  RANK_WINDOW,
  SCOPE_SET_MAX,
  SCOPED_RANK_WINDOW,
} from './searchTuning';
import { MARK_CLOSE, MARK_OPEN, leadingSnippet, parseMarked } from './snippetMarks';

// The shapes a search answers and its limits, named here too for the callers.
export type { SearchHit, SearchOptions, SearchPosition, SearchResult } from './searchResult';
export { DEFAULT_LIMIT, MAX_LIMIT } from './searchTuning';

export interface SearchRepositoryOptions {
  /** Clock for hiding expired disappearing messages the sweeper has not deleted yet. */
  now?: () => number;
  /** Largest filter turned into an id set (default SCOPE_SET_MAX); tests pass 0 to force the row-reading plan. */
  scopeSetMax?: number;
}

/**
 * Full-text search over messages (DESIGN.md §2 search). The MATCH string
 * comes only from `toFtsMatch` (every term a quoted FTS5 string) and every
 * filter is a bound parameter, so what a user types is never SQL or FTS5
 * syntax. Statements are prepared once per query shape and reused.
 *
 * Ranking: the newest RANK_WINDOW matches (rowid order, served by the index
 * without a sort) form the window; it is ordered by bm25 when bm25's IDF pass
 * fits IDF_BUDGET, then by recency. Only the hits shown read their message row
 * and get a snippet.
 *
 * Filters: in:/from: are resolved to conversation ids and sender keys first
 * (small tables). While walking the index, a filter is either tested against a
 * set of message ids read from a covering index (messages_timeline,
 * messages_sender) or on each match's row; `chooseScopeSet` picks by cost.
 */
export class SearchRepository {
  private readonly now: () => number;
  private readonly statements: SearchStatements;
  private readonly names: HitNames;
  private readonly snippetsOf: HitSnippets;
  private readonly planner: ScopeSetPlanner;

  constructor(db: Db, options: SearchRepositoryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.statements = new SearchStatements(db);
    this.names = new HitNames(this.statements);
    this.snippetsOf = new HitSnippets(this.statements);
    this.planner = new ScopeSetPlanner(this.statements, options.scopeSetMax ?? SCOPE_SET_MAX);
  }

  search(query: SearchQuery, options: SearchOptions = {}): SearchResult {
    const problems = Array.isArray(query.problems) ? [...query.problems] : [];
    try {
      return { hits: this.run(query, options, problems), problems };
    } catch (err) {
      // A damaged database is not "try again later": say what it is (issue #14 item 8); the
      // dispatcher and the CLI show the sentence.
      const storage = databaseError(err);
      if (storage?.code === 'DATABASE_CORRUPT') throw storage;
      // Unreachable for any typed text (see the fuzz test); a closed database
      // still must not crash the search box.
      return { hits: [], problems: [...problems, 'Search is not available right now. Try again.'] };
    }
  }

  private run(query: SearchQuery, options: SearchOptions, problems: string[]): SearchHit[] {
    const limit = clampLimit(options.limit);
    const terms = query.terms;
    const match = bodyOnly(toFtsMatch(terms));
    const hasFilters =
      query.from.length > 0 ||
      query.in.length > 0 ||
      query.before !== undefined ||
      query.after !== undefined ||
      query.hasFile ||
      options.conversationId !== undefined;
    const exclusion = match === null ? bodyOnly(toFtsExclusion(terms)) : null;
    if (match === null && !hasFilters) {
      if (exclusion !== null)
        problems.push('Words with "-" only exclude messages; add a word to search for.');
      else if (terms.length > 0) problems.push('Nothing to search for: add a word with letters or digits.');
      return [];
    }

    const scope = resolveScope(this.statements, this.names, query, options, problems);
    if (!scope) return [];
    return match === null
      ? this.listFiltered(query, scope, limit, exclusion)
      : this.searchText(match, terms, query, scope, limit);
  }

  // ---- text search --------------------------------------------------------------------------

  private searchText(
    bodyMatch: string,
    terms: readonly SearchTerm[],
    query: SearchQuery,
    scopeIn: Scope,
    limit: number,
  ): SearchHit[] {
    let match = bodyMatch;
    let scope = scopeIn;
    const ids = this.planner.idBounds();
    if (!ids) return [];
    // Small in:/from: sets join the MATCH as scope tokens (migration 0005): FTS5 intersects
    // them inside the index instead of the row of every match being read and tested.
    const tokens = scopeTokens(scope);
    if (tokens.conversations) match = `${match} AND scope : (${tokens.conversations})`;
    if (tokens.senders) match = `${match} AND scope : (${tokens.senders})`;
    scope = {
      conversations: tokens.conversations ? null : scope.conversations,
      senders: tokens.senders ? null : scope.senders,
    };
    const params: Params = { ...filterParams(query, scope, this.now()), match };
    const stats = this.planner.phraseStats(terms, ids);
    const scored = stats.idfPostings !== null && stats.idfPostings <= IDF_BUDGET;
    const set = this.planner.chooseScopeSet(query, scope, ids, stats.matches, params);
    if (set === 'empty') return [];

    const key: string[] = ['text', scored ? 'r' : '-'];
    const where = ['messages_fts MATCH @match'];
    if (set) {
      // The set test is on the FTS rowid alone, so SQLite applies it before reading any
      // message row; `+` keeps it from FTS5's rowid-equality plan, which would run the
      // MATCH again for every id in the set. (Rowid range constraints are avoided too:
      // measured on 1M messages, FTS5 walks a range ~20x slower per row than a plain walk.)
      where.push(`+messages_fts.rowid IN (${set.sql})`);
      key.push(set.key);
    }
    // Filters the set does not cover are read from the message row, for every match walked;
    // without any, the window is ranked from the index alone and only hits read their row.
    const rowFilters = filterConditions('m', query, scope, key, {
      conversations: set?.kind === 'C',
      senders: set?.kind === 'S',
      dates: set?.kind === 'C' || set?.kind === 'D',
    });
    where.push(...rowFilters);
    // An unindexed prefix (FTS5 §3.3; longer than the prefix indexes) is expanded again on
    // every evaluation: then take the snippets in this one pass instead of once per hit.
    const inlineSnippet = terms.some((t) => !t.negated && t.kind === 'prefix' && lastTokenLength(t.text) > 3);
    key.push(inlineSnippet ? 'i' : '');
    params.window = set || rowFilters.length > 0 ? SCOPED_RANK_WINDOW : RANK_WINDOW;
    const window = this.statements
      .get(
        key.join('|'),
        `SELECT messages_fts.rowid AS id, ${scored ? 'bm25(messages_fts, 1.0, 0.0)' : '0'} AS score,
        ${inlineSnippet ? `snippet(messages_fts, 0, '${MARK_OPEN}', '${MARK_CLOSE}', '${ELLIPSIS}', ${SNIPPET_TOKENS})` : 'NULL'} AS marked
      FROM messages_fts${rowFilters.length > 0 ? ' CROSS JOIN messages m ON m.id = messages_fts.rowid' : ''}
      WHERE ${where.join('\n        AND ')}
      ORDER BY messages_fts.rowid DESC
      LIMIT @window`,
      )
      .all(params) as Array<{ id: number; score: number; marked: string | null }>;
    // bm25 is lower-is-better (FTS5 §5.1.1); ties and unscored windows go by recency (rowid).
    window.sort((x, y) => x.score - y.score || y.id - x.id);

    const fetch = this.statements.get(
      'hit-row',
      `SELECT m.id AS id, m.conversation_id AS conversation_id, m.sender_key AS sender_key,
         m.outgoing AS outgoing, m.sent_at AS sent_at,
         (instr(m.body, '${MARK_OPEN}') + instr(m.body, '${MARK_CLOSE}')) > 0 AS tainted
       FROM messages m WHERE m.id = @id AND ${liveConditions('m').join(' AND ')}`,
    );
    const found: Array<{ row: HitRow; marked: string | null }> = [];
    for (const candidate of window) {
      if (found.length >= limit) break;
      const row = fetch.get({ id: candidate.id, now: params.now ?? 0 }) as HitRow | undefined;
      if (row) found.push({ row, marked: candidate.marked });
    }
    // Snippets for every plain hit in one walk; tainted bodies get markers of their own.
    const plain = found.filter((f) => !f.row.tainted && f.marked === null).map((f) => f.row.id);
    const batch = this.snippetsOf.snippets(match, plain, { open: MARK_OPEN, close: MARK_CLOSE });
    return found.map(({ row, marked }) => {
      if (!row.tainted) {
        const text = marked ?? batch.get(row.id) ?? '';
        return this.names.toHit(row, parseMarked(text));
      }
      return this.names.toHit(row, this.snippetsOf.highlightedTainted(row, match));
    });
  }

  // ---- filter-only listing ------------------------------------------------------------------

  /** No words to find, only filters (and maybe words to exclude): the newest matching messages. */
  private listFiltered(
    query: SearchQuery,
    scope: Scope,
    limit: number,
    exclusion: string | null,
  ): SearchHit[] {
    const params: Params = { ...filterParams(query, scope, this.now()), limit };
    const key: string[] = ['list'];
    const excluded = (a: string): string[] => {
      if (exclusion === null) return [];
      // One index probe per listed row (FTS5 rowid equality), only for rows every filter kept.
      params.exclusion = exclusion;
      key.push('x');
      return [
        `NOT EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH @exclusion AND rowid BETWEEN ${a}.id AND ${a}.id)`,
      ];
    };
    const columns = `m.id AS id, m.conversation_id AS conversation_id, m.sender_key AS sender_key,
        m.outgoing AS outgoing, m.sent_at AS sent_at, m.body AS body`;
    let sql: string;
    if (scope.conversations || query.before !== undefined || query.after !== undefined) {
      // Per conversation, the newest rows straight from messages_timeline (conversation_id,
      // sent_at, id), then merged: no walk over every message outside the dates, no sort of
      // a whole conversation.
      const where = [
        ...liveConditions('x'),
        ...filterConditions('x', query, scope, key, { conversations: true }),
        ...excluded('x'),
      ];
      const conversations = scope.conversations
        ? 'SELECT value AS id FROM json_each(@conversations)'
        : 'SELECT id FROM conversations';
      key.push(scope.conversations ? 'C' : 'D');
      sql = `SELECT ${columns}
        FROM (${conversations}) AS scope CROSS JOIN messages m ON m.id IN (
          SELECT x.id FROM messages x
          WHERE x.conversation_id = scope.id AND ${where.join(' AND ')}
          ORDER BY x.sent_at DESC, x.id DESC LIMIT @limit)
        ORDER BY m.sent_at DESC, m.id DESC LIMIT @limit`;
    } else {
      // Newest by id (insertion order) over the primary key, stopping at `limit` matches.
      const where = [...liveConditions('m'), ...filterConditions('m', query, scope, key), ...excluded('m')];
      sql = `SELECT ${columns} FROM messages m WHERE ${where.join(' AND ')} ORDER BY m.id DESC LIMIT @limit`;
    }
    const rows = this.statements.get(key.join('|'), sql).all(params) as Array<
      Omit<HitRow, 'tainted'> & { body: string }
    >;
    // The primary-key walk picks the newest by arrival; show them by sent time like every list.
    rows.sort((x, y) => y.sent_at - x.sent_at || y.id - x.id);
    return rows.map((r) => this.names.toHit(r, { text: leadingSnippet(r.body), highlights: [] }));
  }
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}
