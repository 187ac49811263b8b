import { DEFAULT_LIMIT } from '../../src-main/core/search/searchRepository';

/** The store bench's corpus and run settings (bench/store.bench.ts). */

export const MESSAGES = Number(process.env.PARLEY_BENCH_MESSAGES ?? 1_000_000);
export const CONVERSATIONS = 200;
export const DM_SHARE = 0.65;
export const CONTACTS = 150;
export const BATCH = 5_000;
export const VOCABULARY = 20_000;
export const SEED = 0x9a71e7;
/** Timeline: one year, ending 2026-01-01 UTC, fixed so runs are comparable. */
export const TIMELINE_END = Date.UTC(2026, 0, 1);
export const TIMELINE_SPAN = 365 * 24 * 3600 * 1000;
export const FILE_SHARE = 0.02;

export const QUERIES_PER_KIND = 200;
export const WARMUP_QUERIES = 20;
export const PAGE_LOADS = 200;
export const UNLOCK_RUNS = 5;
/** Hits the search asks for: what the search box asks for. */
export const SEARCH_LIMIT = DEFAULT_LIMIT;
export const PAGE_SIZE = 50;
export const MEASURE_TIMEOUT_MS = 8 * 60_000;

export const PASSPHRASE = 'correct horse battery staple';
export const MB = 1_000_000;

/** What the build hands the measuring process: the profile and queries known to match. */
export interface Workload {
  profileDir: string;
  messages: number;
  term: Array<{ text: string; band: 'common' | 'medium' | 'rare' | 'folded' }>;
  prefix: string[];
  phrase: string[];
  scoped: Array<{ text: string; filter: 'in' | 'from' }>;
  latest: number[];
  around: Array<{ conversationId: number; messageId: number }>;
}
