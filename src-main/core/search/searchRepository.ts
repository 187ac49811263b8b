import { databaseError } from '../errors';
import type Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../store/encryptedDatabase';
import { toFtsExclusion, toFtsMatch } from './ftsExpression';
import { conversationScopeToken, senderScopeToken } from '../store/migrations/0005-search-scope';
import { lastTokenLength, type SearchQuery, type SearchTerm } from './searchQuery';
import {
  MARK_CLOSE,
  MARK_OPEN,
  freeMarkers,
  leadingSnippet,
  parseMarked,
  type MarkedText,
} from './snippetMarks';

export interface SearchOptions {
  /** Hits to return: default 30, at most 100. */
  limit?: number;
  /** Search only this conversation (the "search in chat" box); combines with `in:`. */
  conversationId?: number;
}

export interface SearchPosition {
  conversationId: number;
  messageId: number;
  sentAt: number;
}

export interface SearchHit {
  messageId: number;
  conversationId: number;
  conversationName: string;
  senderName: string;
  outgoing: boolean;
  sentAt: number;
  /** Plain text around the match. */
  snippet: string;
  /** [start, end) UTF-16 offsets into `snippet` of the matched words. */
  highlights: Array<[number, number]>;
  /** Where the UI jumps to: the timeline cursor of the message. */
  position: SearchPosition;
}

export interface SearchResult {
  hits: SearchHit[];
  problems: string[];
}

export interface SearchRepositoryOptions {
  /** Clock for hiding expired disappearing messages the sweeper has not deleted yet. */
  now?: () => number;
  /** Largest filter turned into an id set (default SCOPE_SET_MAX); tests pass 0 to force the row-reading plan. */
  scopeSetMax?: number;
}

export const DEFAULT_LIMIT = 30;
export const MAX_LIMIT = 100;
/**
 * Ranking window: the most recent matches that get a relevance score. FTS5
 * hands out matches in rowid order straight from the index (no sort), so the
 * newest N cost N steps whatever the total number of matches.
 */
export const RANK_WINDOW = 500;
/**
 * Smaller window when filters apply: each candidate then costs about 1/share
 * matches walked, and a conversation or a sender is a small share of all messages.
 */
export const SCOPED_RANK_WINDOW = 250;
/**
 * bm25() computes each phrase's IDF by walking that phrase's whole doclist once
 * per query (fts5_aux.c, xQueryPhrase): ~20 ns per matching row, 13 ms for a
 * word in 64% of 1M messages. Above this many estimated postings (all phrases,
 * excluded ones too) the window is ranked by recency alone; such words weigh
 * little anyway (IDF = log((N - n + 0.5) / (n + 0.5)): 2.2 for a word in 10% of
 * the messages, 0 at half of them, against ~7 for a rare word).
 */
export const IDF_BUDGET = 100_000;
/** Rows sampled from the top of a doclist to estimate its length from the rowid span. */
const DENSITY_SAMPLE = 256;
/**
 * A conversation or sender scope with at most this many messages is
 * materialized from its index and tested per match (cheap); a bigger one is
 * tested on the message row, which it then matches often enough.
 */
export const SCOPE_SET_MAX = 50_000;
/**
 * A date range alone may become a bigger set: it sits at one end of the ids,
 * so the walk otherwise reads the row of every newer match before reaching it.
 */
const DATE_SET_FACTOR = 6;
const DATE_SET_BUILD = 5;
/**
 * Reading a match's message row costs about this many steps of the index walk
 * with a set test (~80 ns): measured on 1M messages, ~1 µs for recent rows still
 * in the page cache, ~10 µs for old ones that must be read and decrypted.
 */
const ROW_COST = 40;
/** Tokens of context in a snippet (FTS5 allows 1..64). */
const SNIPPET_TOKENS = 20;
const ELLIPSIS = '…';

interface HitRow {
  id: number;
  conversation_id: number;
  sender_key: Buffer;
  outgoing: number;
  sent_at: number;
  tainted: number;
}

interface Scope {
  conversations: number[] | null;
  senders: Buffer[] | null;
}

interface IdBounds {
  lo: number;
  hi: number;
  span: number;
}

/** A filter read from its index as a set of message ids (C conversations, D dates, S senders). */
interface ScopeSet {
  kind: 'C' | 'D' | 'S';
  sql: string;
  /** Names the SQL's shape in the statement cache. */
  key: string;
}

type Params = Record<string, string | number | Buffer>;
type Statement = Database.Statement<[Params], unknown>;

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
  private readonly statements = new Map<string, Statement>();
  private readonly now: () => number;
  private readonly scopeSetMax: number;

  constructor(
    private readonly db: Db,
    options: SearchRepositoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.scopeSetMax = options.scopeSetMax ?? SCOPE_SET_MAX;
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

    const scope = this.resolveScope(query, options, problems);
    if (!scope) return [];
    return match === null
      ? this.listFiltered(query, scope, limit, exclusion)
      : this.searchText(match, terms, query, scope, limit);
  }

  // ---- filters ------------------------------------------------------------------------------

  /** in:/from:/conversationId → conversation ids and sender keys; null when a filter matches nothing. */
  private resolveScope(query: SearchQuery, options: SearchOptions, problems: string[]): Scope | null {
    let conversations: number[] | null = null;
    if (query.in.length > 0) {
      const rows = this.stmt(
        'conversations',
        `SELECT c.id AS id, c.kind AS kind, c.name AS name, k.local_name AS localName, k.display_name AS displayName
         FROM conversations c LEFT JOIN contacts k ON k.id = c.contact_id`,
      ).all({}) as Array<{
        id: number;
        kind: string;
        name: string | null;
        localName: string | null;
        displayName: string | null;
      }>;
      const ids = new Set<number>();
      for (const value of query.in) {
        const needle = fold(value);
        const found = rows.filter((r) =>
          (r.kind === 'group' ? [r.name] : [r.localName, r.displayName, r.name]).some(
            (n) => n !== null && fold(n).includes(needle),
          ),
        );
        if (found.length === 0) problems.push(`No conversation matches in:"${value}".`);
        for (const r of found) ids.add(r.id);
      }
      conversations = [...ids];
    }
    if (options.conversationId !== undefined) {
      const only = options.conversationId;
      conversations = conversations === null ? [only] : conversations.filter((id) => id === only);
    }
    if (conversations !== null && conversations.length === 0) return null;

    let senders: Buffer[] | null = null;
    if (query.from.length > 0) {
      const me = this.identity();
      const contacts = this.stmt(
        'contacts',
        'SELECT identity_key AS key, local_name AS localName, display_name AS displayName FROM contacts',
      ).all({}) as Array<{ key: Buffer; localName: string | null; displayName: string }>;
      const keys = new Map<string, Buffer>();
      for (const value of query.from) {
        const needle = fold(value);
        let found = 0;
        if (me && (needle === 'me' || fold(me.name).includes(needle))) {
          keys.set(me.key.toString('hex'), me.key);
          found++;
        }
        // "me" is a keyword: it must not also pick every contact with "me" in the name.
        if (needle === 'me') continue;
        for (const c of contacts) {
          if ([c.localName, c.displayName].some((n) => n !== null && fold(n).includes(needle))) {
            keys.set(c.key.toString('hex'), c.key);
            found++;
          }
        }
        if (found === 0) problems.push(`No contact matches from:"${value}".`);
      }
      senders = [...keys.values()];
      if (senders.length === 0) return null;
    }
    return { conversations, senders };
  }

  /**
   * What every hit is: a live, visible message. The index holds only live
   * bodies (migration 0003 triggers); these checks also keep out system rows
   * and disappearing messages past their time that the sweeper has not deleted yet.
   */
  private liveConditions(a: string): string[] {
    return [
      `${a}.body IS NOT NULL`,
      `${a}.deleted_at IS NULL`,
      `${a}.kind != 'system'`,
      `(${a}.expires_at IS NULL OR ${a}.expires_at > @now)`,
    ];
  }

  /** The user's filters on the message alias `a`, except those `covered` by a scope set; `key` names the shape. */
  private filterConditions(
    a: string,
    query: SearchQuery,
    scope: Scope,
    key: string[],
    covered: { conversations?: boolean; senders?: boolean; dates?: boolean } = {},
  ): string[] {
    const where: string[] = [];
    const add = (code: string, condition: string): void => {
      where.push(condition);
      key.push(code);
    };
    if (scope.conversations && !covered.conversations) {
      add('c', `${a}.conversation_id IN (SELECT value FROM json_each(@conversations))`);
    }
    if (scope.senders && !covered.senders) {
      add('s', `${a}.sender_key IN (SELECT unhex(value) FROM json_each(@senders))`);
    }
    if (query.before !== undefined && !covered.dates) add('b', `${a}.sent_at < @before`);
    if (query.after !== undefined && !covered.dates) add('a', `${a}.sent_at > @after`);
    if (query.hasFile) add('f', `${a}.has_file = 1`);
    return where;
  }

  /** Every filter value as a named parameter (better-sqlite3 ignores the ones a statement does not use). */
  private filterParams(query: SearchQuery, scope: Scope): Params {
    return {
      now: this.now(),
      ...(scope.conversations ? { conversations: JSON.stringify(scope.conversations) } : {}),
      ...(scope.senders ? { senders: JSON.stringify(scope.senders.map((k) => k.toString('hex'))) } : {}),
      ...(query.before !== undefined ? { before: query.before } : {}),
      ...(query.after !== undefined ? { after: query.after } : {}),
    };
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
    const ids = this.idBounds();
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
    const params: Params = { ...this.filterParams(query, scope), match };
    const stats = this.phraseStats(terms, ids);
    const scored = stats.idfPostings !== null && stats.idfPostings <= IDF_BUDGET;
    const set = this.chooseScopeSet(query, scope, ids, stats.matches, params);
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
    const rowFilters = this.filterConditions('m', query, scope, key, {
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
    const window = this.stmt(
      key.join('|'),
      `SELECT messages_fts.rowid AS id, ${scored ? 'bm25(messages_fts, 1.0, 0.0)' : '0'} AS score,
        ${inlineSnippet ? `snippet(messages_fts, 0, '${MARK_OPEN}', '${MARK_CLOSE}', '${ELLIPSIS}', ${SNIPPET_TOKENS})` : 'NULL'} AS marked
      FROM messages_fts${rowFilters.length > 0 ? ' CROSS JOIN messages m ON m.id = messages_fts.rowid' : ''}
      WHERE ${where.join('\n        AND ')}
      ORDER BY messages_fts.rowid DESC
      LIMIT @window`,
    ).all(params) as Array<{ id: number; score: number; marked: string | null }>;
    // bm25 is lower-is-better (FTS5 §5.1.1); ties and unscored windows go by recency (rowid).
    window.sort((x, y) => x.score - y.score || y.id - x.id);

    const fetch = this.stmt(
      'hit-row',
      `SELECT m.id AS id, m.conversation_id AS conversation_id, m.sender_key AS sender_key,
         m.outgoing AS outgoing, m.sent_at AS sent_at,
         (instr(m.body, '${MARK_OPEN}') + instr(m.body, '${MARK_CLOSE}')) > 0 AS tainted
       FROM messages m WHERE m.id = @id AND ${this.liveConditions('m').join(' AND ')}`,
    );
    const found: Array<{ row: HitRow; marked: string | null }> = [];
    for (const candidate of window) {
      if (found.length >= limit) break;
      const row = fetch.get({ id: candidate.id, now: params.now ?? 0 }) as HitRow | undefined;
      if (row) found.push({ row, marked: candidate.marked });
    }
    // Snippets for every plain hit in one walk; tainted bodies get markers of their own.
    const plain = found.filter((f) => !f.row.tainted && f.marked === null).map((f) => f.row.id);
    const batch = this.snippets(match, plain, { open: MARK_OPEN, close: MARK_CLOSE });
    return found.map(({ row, marked }) => {
      if (!row.tainted) {
        const text = marked ?? batch.get(row.id) ?? '';
        return this.toHit(row, parseMarked(text));
      }
      return this.toHit(row, this.highlightedTainted(row, match));
    });
  }

  /** First and last message id: the span matches are spread over. */
  private idBounds(): IdBounds | null {
    // Two subqueries: each is one seek to an end of the primary key (a single
    // SELECT min(id), max(id) would scan the table).
    const row = this.stmt(
      'bounds',
      'SELECT (SELECT min(id) FROM messages) AS lo, (SELECT max(id) FROM messages) AS hi',
    ).get({}) as { lo: number | null; hi: number | null };
    return row.lo === null || row.hi === null ? null : { lo: row.lo, hi: row.hi, span: row.hi - row.lo + 1 };
  }

  /**
   * Estimated postings of each phrase, from how far back the newest
   * DENSITY_SAMPLE matches reach (one short index walk per phrase):
   * `idfPostings` is what bm25's IDF pass would walk (null: too costly to
   * probe), `matches` bounds the rows the whole expression can match.
   */
  private phraseStats(
    terms: readonly SearchTerm[],
    ids: IdBounds,
  ): { idfPostings: number | null; matches: number } {
    const probe = this.stmt(
      'probe',
      `SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH @match
       ORDER BY rowid DESC LIMIT 1 OFFSET ${DENSITY_SAMPLE - 1}`,
    );
    let idfPostings: number | null = 0;
    let matches = ids.span;
    for (const term of terms) {
      const phrase = bodyOnly(toFtsMatch([{ kind: term.kind, text: term.text }]));
      if (phrase === null) continue;
      // Probing an unindexed prefix costs as much as the search itself.
      if (term.kind === 'prefix' && lastTokenLength(term.text) > 3) {
        idfPostings = null;
        continue;
      }
      const row = probe.get({ match: phrase }) as { id: number } | undefined;
      const estimate = row ? (DENSITY_SAMPLE * ids.span) / Math.max(1, ids.hi - row.id + 1) : DENSITY_SAMPLE;
      if (idfPostings !== null) idfPostings += estimate;
      if (!term.negated) matches = Math.min(matches, estimate);
    }
    return { idfPostings, matches };
  }

  /**
   * Whether to turn one filter into a set of message ids read from its index
   * and test each match against it, rather than read every match's row.
   * Costs in walk steps: building a set costs about one per message in it; the walk
   * passes the `skipped` matches newer than the scope, then needs about
   * window / share matches to fill the window; each costs ROW_COST when its
   * row is read, one when it is tested against a set (measured on 1M messages).
   */
  private chooseScopeSet(
    query: SearchQuery,
    scope: Scope,
    ids: IdBounds,
    matches: number,
    params: Params,
  ): ScopeSet | 'empty' | null {
    const worthIt = (size: number, max: number, build = 1, skipped = 0): boolean => {
      if (size > max) return false;
      const walked = Math.min(matches, skipped + (SCOPED_RANK_WINDOW * ids.span) / Math.max(1, size));
      return build * size + walked < ROW_COST * walked;
    };
    const dates = [
      ...(query.before !== undefined ? ['AND sent_at < @before'] : []),
      ...(query.after !== undefined ? ['AND sent_at > @after'] : []),
    ].join(' ');
    const datesKey = `${query.before !== undefined ? 'b' : ''}${query.after !== undefined ? 'a' : ''}`;

    if (scope.conversations !== null) {
      // Covered by messages_timeline (conversation_id, sent_at, id).
      const sql = `SELECT id FROM messages WHERE conversation_id IN (SELECT value FROM json_each(@conversations)) ${dates}`;
      const size = (
        this.stmt(`size-c-${datesKey}`, `SELECT count(*) AS n FROM (${sql} LIMIT @sizeCap)`).get({
          ...params,
          sizeCap: this.scopeSetMax + 1,
        }) as { n: number }
      ).n;
      if (size === 0) return 'empty';
      if (worthIt(size, this.scopeSetMax)) return { kind: 'C', sql, key: `C${datesKey}` };
    } else if (dates !== '') {
      // Dates alone: messages_timeline still serves them, one range seek per conversation.
      const sql = `SELECT id FROM messages WHERE conversation_id IN (SELECT id FROM conversations) ${dates}`;
      const found = this.stmt(`any-${datesKey}`, `SELECT EXISTS (${sql}) AS found`).get(params) as {
        found: number;
      };
      if (!found.found) return 'empty';
      // Sizes from where the dates fall among the ids (ids follow arrival, and sent_at
      // mostly does too); an estimate for planning only, the set itself is exact.
      const top = query.before !== undefined ? this.idAtTime(query.before, ids) : ids.hi + 1;
      const bottom = query.after !== undefined ? this.idAtTime(query.after + 1, ids) : ids.lo;
      const size = Math.max(1, top - bottom);
      const skipped = (matches * (ids.hi + 1 - top)) / ids.span;
      // These ids come conversation by conversation, out of order: each insert into the
      // set costs about DATE_SET_BUILD steps instead of one (measured).
      if (worthIt(size, this.scopeSetMax * DATE_SET_FACTOR, DATE_SET_BUILD, skipped)) {
        return { kind: 'D', sql, key: `D${datesKey}` };
      }
    }
    if (scope.senders !== null) {
      // Covered by messages_sender (sender_key, rowid), which is in id order per sender.
      const probe = this.stmt(
        'sender-probe',
        `SELECT id FROM messages WHERE sender_key = @key ORDER BY id DESC LIMIT 1 OFFSET ${DENSITY_SAMPLE - 1}`,
      );
      let size = 0;
      for (const key of scope.senders) {
        const row = probe.get({ key }) as { id: number } | undefined;
        size += row ? (DENSITY_SAMPLE * ids.span) / Math.max(1, ids.hi - row.id + 1) : DENSITY_SAMPLE;
      }
      if (worthIt(size, this.scopeSetMax)) {
        return {
          kind: 'S',
          sql: 'SELECT id FROM messages WHERE sender_key IN (SELECT unhex(value) FROM json_each(@senders))',
          key: 'S',
        };
      }
    }
    return null;
  }

  /** The first id whose sent_at is at or after `time`, by binary search over the primary key. */
  private idAtTime(time: number, ids: IdBounds): number {
    const at = this.stmt('id-at', 'SELECT id, sent_at FROM messages WHERE id >= @id ORDER BY id LIMIT 1');
    let lo = ids.lo;
    let hi = ids.hi + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const row = at.get({ id: mid }) as { id: number; sent_at: number } | undefined;
      if (!row || row.sent_at >= time) hi = mid;
      else lo = row.id + 1;
    }
    return lo;
  }

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
  private snippets(
    match: string,
    ids: number[],
    markers: { open: string; close: string },
  ): Map<number, string> {
    const out = new Map<number, string>();
    if (ids.length === 0) return out;
    const rows = this.stmt(
      'snippets',
      `SELECT rowid AS id, snippet(messages_fts, 0, @open, @close, '${ELLIPSIS}', ${SNIPPET_TOKENS}) AS marked
       FROM messages_fts
       WHERE messages_fts MATCH @match AND rowid <= @top AND +rowid IN (SELECT value FROM json_each(@ids))
       ORDER BY rowid DESC LIMIT @n`,
    ).all({
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
  private highlightedTainted(row: HitRow, match: string): MarkedText {
    const body = (
      this.stmt('body', 'SELECT body FROM messages WHERE id = @id').get({ id: row.id }) as
        { body: string | null } | undefined
    )?.body;
    const markers = freeMarkers(body ?? '');
    if (!markers) return { text: leadingSnippet(body ?? ''), highlights: [] };
    const marked = this.snippets(match, [row.id], markers).get(row.id) ?? '';
    return parseMarked(marked, markers.open, markers.close);
  }

  // ---- filter-only listing ------------------------------------------------------------------

  /** No words to find, only filters (and maybe words to exclude): the newest matching messages. */
  private listFiltered(
    query: SearchQuery,
    scope: Scope,
    limit: number,
    exclusion: string | null,
  ): SearchHit[] {
    const params: Params = { ...this.filterParams(query, scope), limit };
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
        ...this.liveConditions('x'),
        ...this.filterConditions('x', query, scope, key, { conversations: true }),
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
      const where = [
        ...this.liveConditions('m'),
        ...this.filterConditions('m', query, scope, key),
        ...excluded('m'),
      ];
      sql = `SELECT ${columns} FROM messages m WHERE ${where.join(' AND ')} ORDER BY m.id DESC LIMIT @limit`;
    }
    const rows = this.stmt(key.join('|'), sql).all(params) as Array<
      Omit<HitRow, 'tainted'> & { body: string }
    >;
    // The primary-key walk picks the newest by arrival; show them by sent time like every list.
    rows.sort((x, y) => y.sent_at - x.sent_at || y.id - x.id);
    return rows.map((r) => this.toHit(r, { text: leadingSnippet(r.body), highlights: [] }));
  }

  // ---- names --------------------------------------------------------------------------------

  private toHit(
    row: { id: number; conversation_id: number; sender_key: Buffer; outgoing: number; sent_at: number },
    snippet: { text: string; highlights: Array<[number, number]> },
  ): SearchHit {
    return {
      messageId: row.id,
      conversationId: row.conversation_id,
      conversationName: this.conversationName(row.conversation_id),
      senderName: this.senderName(row.sender_key, row.outgoing === 1),
      outgoing: row.outgoing === 1,
      sentAt: row.sent_at,
      snippet: snippet.text,
      highlights: snippet.highlights,
      position: { conversationId: row.conversation_id, messageId: row.id, sentAt: row.sent_at },
    };
  }

  private conversationName(id: number): string {
    // The same title the conversation list shows (ConversationRepository).
    const row = this.stmt(
      'conversation-name',
      `SELECT coalesce(CASE WHEN c.kind = 'group' THEN c.name END, k.local_name, k.display_name, c.name, 'Unknown') AS title
       FROM conversations c LEFT JOIN contacts k ON k.id = c.contact_id WHERE c.id = @id`,
    ).get({ id }) as { title: string } | undefined;
    return row?.title ?? 'Unknown';
  }

  private senderName(key: Buffer, outgoing: boolean): string {
    const me = this.identity();
    if (me && (outgoing || me.key.equals(key))) return me.name;
    const row = this.stmt(
      'sender-name',
      'SELECT coalesce(local_name, display_name) AS name FROM contacts WHERE identity_key = @key',
    ).get({ key }) as { name: string } | undefined;
    return row?.name ?? `Unknown (${key.toString('hex').slice(0, 8)})`;
  }

  private identity(): { key: Buffer; name: string } | null {
    const row = this.stmt(
      'identity',
      'SELECT public_key AS key, display_name AS name FROM identity WHERE id = 1',
    ).get({}) as { key: Buffer; name: string } | undefined;
    return row ?? null;
  }

  private stmt(key: string, sql: string): Statement {
    let statement = this.statements.get(key);
    if (!statement) {
      statement = this.db.prepare(sql) as Statement;
      this.statements.set(key, statement);
    }
    return statement;
  }
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

/** Case- and accent-insensitive form for matching names (the index folds bodies the same way). */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** At most this many scope tokens join a MATCH; larger sets are filtered on the rows. */
const MAX_SCOPE_TOKENS = 64;

/** `(c1 OR c2)`-style FTS5 expressions for small conversation and sender sets. */
function scopeTokens(scope: Scope): { conversations: string | null; senders: string | null } {
  const list = (tokens: string[] | null): string | null =>
    tokens && tokens.length > 0 && tokens.length <= MAX_SCOPE_TOKENS
      ? tokens.map((t) => `"${t}"`).join(' OR ')
      : null;
  return {
    conversations: list(scope.conversations?.map(conversationScopeToken) ?? null),
    senders: list(scope.senders?.map(senderScopeToken) ?? null),
  };
}

/**
 * Confines an expression to the `body` column: user text never matches the
 * scope tokens (someone searching for "c12" must not find conversation 12).
 */
function bodyOnly(expression: string | null): string | null {
  return expression === null ? null : `body : (${expression})`;
}
