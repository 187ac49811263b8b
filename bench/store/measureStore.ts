import { loadavg } from 'node:os';
import { ProfileService } from '../../src-main/core/profile/profileService';
import { parseSearchQuery } from '../../src-main/core/search/searchQuery';
import { SearchRepository } from '../../src-main/core/search/searchRepository';
import { openEncryptedDatabase } from '../../src-main/core/store/encryptedDatabase';
import { MessageRepository } from '../../src-main/core/store/repositories/messageRepository';
import { silentLogger } from '../../src-main/core/util/logger';
import { round, summarize, timer, type BenchResult } from '../harness';
import {
  MB,
  PAGE_SIZE,
  PASSPHRASE,
  SEARCH_LIMIT,
  UNLOCK_RUNS,
  WARMUP_QUERIES,
  type Workload,
} from './storeWorkload';

/**
 * The measuring half of the store bench, run in a fresh process: unlock,
 * searches of every kind, page loads and memory (DESIGN.md §5 budgets).
 */

export async function measure(workload: Workload, log: (message: string) => void): Promise<BenchResult[]> {
  // Two cores: anything else running skews every timing below; the figure says how much.
  const load = loadavg()[0] ?? 0;
  log(`load average before measuring: ${load.toFixed(2)}`);
  const profile = new ProfileService({ dir: workload.profileDir, logger: silentLogger });
  const unlockMs: number[] = [];
  for (let i = 0; i < UNLOCK_RUNS; i++) {
    if (i > 0) profile.lock();
    const elapsed = timer();
    const status = await profile.unlock(PASSPHRASE);
    unlockMs.push(elapsed());
    if (status.state !== 'unlocked') throw new Error(`unlock left the profile ${status.state}`);
  }
  const afterUnlock = process.memoryUsage();
  // Opening alone (no KDF): what the database costs of the unlock.
  const second = profile.secondConnection();
  const openMs: number[] = [];
  for (let i = 0; i < UNLOCK_RUNS; i++) {
    const elapsed = timer();
    const db = openEncryptedDatabase(second.path, second.key, { create: false });
    db.prepare('SELECT display_name FROM identity WHERE id = 1').get();
    openMs.push(elapsed());
    db.close();
  }
  second.key.fill(0);

  const db = profile.database();
  const search = new SearchRepository(db);
  const messages = new MessageRepository(db);
  const results: BenchResult[] = [
    ...summarize('unlock', unlockMs, ['p50', 'max']),
    ...summarize('open', openMs, ['p50', 'max']),
  ];

  const run = (text: string): { ms: number; hits: number } => {
    const elapsed = timer();
    const result = search.search(parseSearchQuery(text), { limit: SEARCH_LIMIT });
    const ms = elapsed();
    if (result.problems.some((p) => p.startsWith('Search is not available'))) {
      throw new Error(`search failed for ${JSON.stringify(text)}`);
    }
    return { ms, hits: result.hits.length };
  };
  // A few queries first so the timings are of a running app, not of first-use statement preparation.
  const warmup = [...workload.term, ...workload.scoped].slice(0, WARMUP_QUERIES);
  for (const q of warmup) run(q.text);

  const kinds: Array<{ name: string; queries: Array<{ text: string; band?: string }> }> = [
    { name: 'term', queries: workload.term },
    { name: 'prefix', queries: workload.prefix.map((text) => ({ text })) },
    { name: 'phrase', queries: workload.phrase.map((text) => ({ text })) },
    { name: 'scoped', queries: workload.scoped.map((q) => ({ text: q.text, band: q.filter })) },
  ];
  const slowest: Array<{ kind: string; text: string; ms: number; hits: number }> = [];
  for (const kind of kinds) {
    const all: number[] = [];
    const byBand = new Map<string, number[]>();
    let hits = 0;
    let empty = 0;
    for (const q of kind.queries) {
      const { ms, hits: n } = run(q.text);
      all.push(ms);
      hits += n;
      if (n === 0) empty++;
      if (q.band) byBand.set(q.band, [...(byBand.get(q.band) ?? []), ms]);
      slowest.push({ kind: kind.name, text: q.text, ms, hits: n });
    }
    results.push(...summarize(`search.${kind.name}`, all, ['p50', 'p95', 'max']));
    for (const [band, samples] of byBand)
      results.push(...summarize(`search.${kind.name}.${band}`, samples, ['p50', 'p95']));
    results.push({
      metric: `search.${kind.name}.hits.mean`,
      value: round(hits / kind.queries.length, 1),
      unit: 'hits',
    });
    results.push({ metric: `search.${kind.name}.empty`, value: empty, unit: 'queries' });
    log(`search ${kind.name}: ${kind.queries.length} queries, ${empty} without hits`);
  }
  slowest.sort((a, b) => b.ms - a.ms);
  for (const s of slowest.slice(0, 15))
    log(`  slow: ${s.kind} ${JSON.stringify(s.text)} ${round(s.ms)} ms, ${s.hits} hits`);

  const latestMs: number[] = [];
  for (const conversationId of workload.latest) {
    const elapsed = timer();
    const page = messages.page(conversationId, { latest: true }, PAGE_SIZE);
    latestMs.push(elapsed());
    if (page.messages.length === 0) throw new Error(`conversation ${conversationId} has no messages`);
  }
  const aroundMs: number[] = [];
  for (const { conversationId, messageId } of workload.around) {
    const elapsed = timer();
    const page = messages.page(conversationId, { around: messageId }, PAGE_SIZE);
    aroundMs.push(elapsed());
    if (!page.messages.some((m) => m.id === messageId)) throw new Error(`page around ${messageId} misses it`);
  }
  results.push(...summarize('page.latest', latestMs, ['p50', 'p95']));
  results.push(...summarize('page.around', aroundMs, ['p50', 'p95']));

  const memory = process.memoryUsage();
  results.push(
    { metric: 'rss', value: round(memory.rss / MB, 1), unit: 'MB' },
    { metric: 'heapUsed', value: round(memory.heapUsed / MB, 1), unit: 'MB' },
    { metric: 'rss.afterUnlock', value: round(afterUnlock.rss / MB, 1), unit: 'MB' },
    { metric: 'host.loadavg1', value: round(load), unit: 'load' },
  );
  profile.lock();
  return results;
}
