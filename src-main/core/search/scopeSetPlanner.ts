import { toFtsMatch } from './ftsExpression';
import { lastTokenLength, type SearchQuery, type SearchTerm } from './searchQuery';
import { bodyOnly } from './bodyOnly';
import type { Scope } from './searchScope';
import type { Params, SearchStatements } from './searchStatements';
import {
  DATE_SET_BUILD,
  DATE_SET_FACTOR,
  DENSITY_SAMPLE,
  ROW_COST,
  SCOPED_RANK_WINDOW,
} from './searchTuning';

export interface IdBounds {
  lo: number;
  hi: number;
  span: number;
}

/** A filter read from its index as a set of message ids (C conversations, D dates, S senders). */
export interface ScopeSet {
  kind: 'C' | 'D' | 'S';
  sql: string;
  /** Names the SQL's shape in the statement cache. */
  key: string;
}

/**
 * Plans a text search's walk over the index: how many matches to expect
 * (phraseStats), whether bm25 fits its budget, and whether a filter is
 * tested against a set of message ids read from a covering index
 * (messages_timeline, messages_sender) or on each match's row
 * (chooseScopeSet picks by cost).
 */
export class ScopeSetPlanner {
  constructor(
    private readonly statements: SearchStatements,
    private readonly scopeSetMax: number,
  ) {}

  /** First and last message id: the span matches are spread over. */
  idBounds(): IdBounds | null {
    // Two subqueries: each is one seek to an end of the primary key (a single
    // SELECT min(id), max(id) would scan the table).
    const row = this.statements
      .get('bounds', 'SELECT (SELECT min(id) FROM messages) AS lo, (SELECT max(id) FROM messages) AS hi')
      .get({}) as { lo: number | null; hi: number | null };
    return row.lo === null || row.hi === null ? null : { lo: row.lo, hi: row.hi, span: row.hi - row.lo + 1 };
  }

  /**
   * Estimated postings of each phrase, from how far back the newest
   * DENSITY_SAMPLE matches reach (one short index walk per phrase):
   * `idfPostings` is what bm25's IDF pass would walk (null: too costly to
   * probe), `matches` bounds the rows the whole expression can match.
   */
  phraseStats(terms: readonly SearchTerm[], ids: IdBounds): { idfPostings: number | null; matches: number } {
    const probe = this.statements.get(
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
  chooseScopeSet(
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
        this.statements.get(`size-c-${datesKey}`, `SELECT count(*) AS n FROM (${sql} LIMIT @sizeCap)`).get({
          ...params,
          sizeCap: this.scopeSetMax + 1,
        }) as { n: number }
      ).n;
      if (size === 0) return 'empty';
      if (worthIt(size, this.scopeSetMax)) return { kind: 'C', sql, key: `C${datesKey}` };
    } else if (dates !== '') {
      // Dates alone: messages_timeline still serves them, one range seek per conversation.
      const sql = `SELECT id FROM messages WHERE conversation_id IN (SELECT id FROM conversations) ${dates}`;
      const found = this.statements.get(`any-${datesKey}`, `SELECT EXISTS (${sql}) AS found`).get(params) as {
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
      const probe = this.statements.get(
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
    const at = this.statements.get(
      'id-at',
      'SELECT id, sent_at FROM messages WHERE id >= @id ORDER BY id LIMIT 1',
    );
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
}
