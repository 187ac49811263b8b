/**
 * The numbers that steer a search's plan (searchRepository.ts, scopeSetPlanner.ts),
 * each measured on 1M messages (`npm run bench -- store`).
 */

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
export const DENSITY_SAMPLE = 256;
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
export const DATE_SET_FACTOR = 6;
export const DATE_SET_BUILD = 5;
/**
 * Reading a match's message row costs about this many steps of the index walk
 * with a set test (~80 ns): measured on 1M messages, ~1 µs for recent rows still
 * in the page cache, ~10 µs for old ones that must be read and decrypted.
 */
export const ROW_COST = 40;
