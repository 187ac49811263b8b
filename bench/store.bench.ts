import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DATABASE_FILE, ProfileService } from '../src-main/core/profile/profileService';
import { SearchIndexMaintainer } from '../src-main/core/search/indexMaintenance';
import { parseSearchQuery } from '../src-main/core/search/searchQuery';
import { DEFAULT_LIMIT, SearchRepository } from '../src-main/core/search/searchRepository';
import { openEncryptedDatabase } from '../src-main/core/store/encryptedDatabase';
import { ContactRepository } from '../src-main/core/store/repositories/contactRepository';
import { ConversationRepository } from '../src-main/core/store/repositories/conversationRepository';
import { MessageRepository, type NewMessage } from '../src-main/core/store/repositories/messageRepository';
import { silentLogger } from '../src-main/core/util/logger';
import { round, summarize, timer, type BenchContext, type BenchResult } from './harness';
import { seededRandom } from '../src-main/core/util/seededRandom';

/**
 * The store at scale (DESIGN.md §5): 1,000,000 messages across 200
 * conversations, built through the real write path, then measured.
 *
 * Build (this process): a real profile (ProfileService, production Argon2id
 * cost), contacts, 200 conversations (DMs and groups, ~3 senders each), then
 * messages through MessageRepository.insert in transactions of 5,000, so every
 * FTS and bookkeeping trigger fires: the insert rate is what a bulk import or a
 * large catch-up gets. Text is synthetic but shaped like chat: 3–30 words from a
 * 20,000-word vocabulary with Zipf frequencies, some accented words so the
 * diacritic folding of the index is exercised. Everything comes from one
 * seeded generator, so every run builds the same database.
 *
 * Measure (a fresh child process): unlock, searches, page loads and memory.
 * A fresh process because building leaves hundreds of MB of garbage-collected
 * heap in RSS that a real app that unlocks an existing profile never has; the
 * child is that app's headless core: unlock, search, scroll, nothing else.
 *
 * PARLEY_BENCH_MESSAGES (default 1,000,000) scales the run for development.
 */

const MESSAGES = Number(process.env.PARLEY_BENCH_MESSAGES ?? 1_000_000);
const CONVERSATIONS = 200;
const DM_SHARE = 0.65;
const CONTACTS = 150;
const BATCH = 5_000;
const VOCABULARY = 20_000;
const SEED = 0x9a71e7;
/** Timeline: one year, ending 2026-01-01 UTC, fixed so runs are comparable. */
const TIMELINE_END = Date.UTC(2026, 0, 1);
const TIMELINE_SPAN = 365 * 24 * 3600 * 1000;
const FILE_SHARE = 0.02;

const QUERIES_PER_KIND = 200;
const WARMUP_QUERIES = 20;
const PAGE_LOADS = 200;
const UNLOCK_RUNS = 5;
/** Hits the search asks for: what the search box asks for. */
const SEARCH_LIMIT = DEFAULT_LIMIT;
const PAGE_SIZE = 50;
const MEASURE_TIMEOUT_MS = 8 * 60_000;

const PASSPHRASE = 'correct horse battery staple';
const MB = 1_000_000;

// ---------------------------------------------------------------------------
// Deterministic text

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function bytes(random: Random, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** Real words with diacritics, placed among the medium-frequency ranks. */
const ACCENTED = [
  'café',
  'naïve',
  'résumé',
  'über',
  'señor',
  'façade',
  'jalapeño',
  'crème',
  'brûlée',
  'fiancée',
  'déjà',
  'piñata',
  'smörgåsbord',
  'élan',
  'garçon',
  'mañana',
  'ångström',
  'zürich',
  'kraków',
  'dvořák',
  'coöperate',
  'rosé',
  'soirée',
  'entrée',
];
const ACCENT_FOR: Record<string, string> = { a: 'á', e: 'é', i: 'ï', o: 'ô', u: 'ü', n: 'ñ', c: 'ç' };

/**
 * 20,000 distinct pronounceable words, roughly shortest first so the frequent
 * ranks get the short words, as in real language; 2% of them carry a diacritic.
 */
function makeVocabulary(random: Random): string[] {
  const onsets = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z'];
  const clusters = ['br', 'ch', 'st', 'tr', 'pl', 'gr', 'sh', 'th', 'kl', 'dr'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou', 'y'];
  const codas = ['', '', '', 'n', 'r', 's', 'l', 't', 'm', 'x', 'nd', 'rk', 'st'];
  const seen = new Set<string>(ACCENTED);
  const words: string[] = [];
  const target = VOCABULARY - ACCENTED.length;
  for (let attempts = 0; words.length < target; attempts++) {
    if (attempts > target * 20) throw new Error('vocabulary generator stuck');
    const syllables = 1 + Math.floor(random() ** 1.6 * 4);
    let word = '';
    for (let s = 0; s < syllables; s++) {
      word += (random() < 0.2 ? pick(random, clusters) : pick(random, onsets)) + pick(random, vowels);
      if (s === syllables - 1 || random() < 0.3) word += pick(random, codas);
    }
    if (seen.has(word)) continue;
    seen.add(word);
    words.push(word);
  }
  // Shorter words rank higher, loosely (a fuzzed length), so the top ranks mix 2- to 6-letter words.
  const sortKey = new Map(words.map((w) => [w, w.length + random() * 4]));
  words.sort((a, b) => (sortKey.get(a) ?? 0) - (sortKey.get(b) ?? 0));
  for (let i = 100; i < words.length; i++) {
    if (random() >= 0.02) continue;
    const word = words[i] ?? '';
    const at = [...word].findIndex((c) => c in ACCENT_FOR);
    if (at < 0) continue;
    const accented = word.slice(0, at) + (ACCENT_FOR[word[at] ?? ''] ?? '') + word.slice(at + 1);
    if (!seen.has(accented)) {
      seen.add(accented);
      words[i] = accented;
    }
  }
  ACCENTED.forEach((w, i) => words.splice(30 + Math.floor((i * 3000) / ACCENTED.length), 0, w));
  return words;
}

/** Draws indexes 0..n-1 with probability ∝ 1/(rank+1)^s (Zipf). */
function zipf(random: Random, n: number, s: number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** s;
    cdf[r] = total;
  }
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

// prettier-ignore
const FIRST = [
  'Ada', 'Bob', 'Chen', 'Dara', 'Elif', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Mateo',
  'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Vera', 'Wei', 'Ximena', 'Yusuf',
  'Zoé', 'Björn', 'Chloë', 'José', 'Łukasz',
];
// prettier-ignore
const LAST = [
  'Lovelace', 'Okafor', 'Nakamura', 'Müller', 'García', 'Kowalski', 'Haddad', 'Silva', 'Novak', 'Jensen',
  'Dubois', 'Rossi', 'Andersen', 'Petrov', 'Kim',
];
// prettier-ignore
const GROUP_ADJ = [
  'Silver', 'Quiet', 'North', 'Late', 'Blue', 'Paper', 'Sunday', 'Night', 'Field', 'Deck', 'Harbour', 'Lab',
];
// prettier-ignore
const GROUP_NOUN = [
  'Club', 'Crew', 'Team', 'Circle', 'Desk', 'Watch', 'Garden', 'Kitchen', 'Station', 'Choir', 'Riders',
];

interface Person {
  key: Buffer;
  /** null for the profile owner. */
  contactId: number | null;
  name: string;
}

interface Conversation {
  id: number;
  kind: 'dm' | 'group';
  /** Search name: the group name, or the DM contact's name. */
  name: string;
  /** Indexes into people; 0 is me. */
  members: number[];
}

/** A message kept for building queries that are known to match. */
interface Sample {
  conversation: number;
  sender: number;
  words: string[];
}

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

function foldWord(word: string): string {
  return word
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

function quoteFilter(key: 'in' | 'from', value: string): string {
  return value.includes(' ') ? `${key}:"${value}"` : `${key}:${value}`;
}

// ---------------------------------------------------------------------------
// Build

interface Built {
  workload: Workload;
  results: BenchResult[];
}

async function build(ctx: BenchContext, profileDir: string): Promise<Built> {
  const random = seededRandom(SEED);
  const vocabulary = makeVocabulary(random);
  const drawWord = zipf(random, vocabulary.length, 1.0);

  ctx.log('creating the profile (default Argon2id cost)');
  const profile = new ProfileService({ dir: profileDir, logger: silentLogger });
  await profile.create('Bench Owner', PASSPHRASE);
  ctx.defer(() => profile.lock());
  const db = profile.database();
  const contactsRepo = new ContactRepository(db);
  const conversationsRepo = new ConversationRepository(db);
  const messagesRepo = new MessageRepository(db);

  const me = (db.prepare('SELECT public_key FROM identity WHERE id = 1').get() as { public_key: Buffer })
    .public_key;
  const people: Person[] = [{ key: me, contactId: null, name: 'me' }];
  const names = new Set<string>();
  const created = TIMELINE_END - TIMELINE_SPAN - 24 * 3600 * 1000;
  for (let attempts = 0; people.length <= CONTACTS; attempts++) {
    if (attempts > CONTACTS * 50) throw new Error('ran out of contact names');
    const name = `${pick(random, FIRST)} ${pick(random, LAST)}`;
    if (names.has(name)) continue;
    names.add(name);
    const key = bytes(random, 32);
    people.push({ key, contactId: contactsRepo.upsert(key, name, created), name });
  }

  const conversations: Conversation[] = [];
  const groupNames = new Set<string>();
  const addMember = db.prepare(
    'INSERT INTO members (conversation_id, identity_key, role, joined_at) VALUES (?, ?, ?, ?)',
  );
  db.transaction(() => {
    const dmCount = Math.round(CONVERSATIONS * DM_SHARE);
    for (let c = 0; c < CONVERSATIONS; c++) {
      let members: number[];
      let name: string;
      let id: number;
      if (c < dmCount) {
        const contact = 1 + (c % CONTACTS);
        const person = people[contact] as Person;
        members = [0, contact];
        name = person.name;
        id = conversationsRepo.create({
          kind: 'dm',
          contactId: person.contactId,
          groupId: bytes(random, 32),
          createdAt: created,
        });
      } else {
        do name = `${pick(random, GROUP_ADJ)} ${pick(random, GROUP_NOUN)}`;
        while (groupNames.has(name) && groupNames.size < GROUP_ADJ.length * GROUP_NOUN.length);
        groupNames.add(name);
        const size = 2 + Math.floor(random() * 4); // 2–5 others
        const set = new Set<number>([0]);
        while (set.size < size + 1) set.add(1 + Math.floor(random() * CONTACTS));
        members = [...set];
        id = conversationsRepo.create({
          kind: 'group',
          name,
          groupId: bytes(random, 32),
          createdAt: created,
        });
      }
      members.forEach((p, i) =>
        addMember.run(id, (people[p] as Person).key, i === 0 ? 'owner' : 'member', created),
      );
      conversations.push({ id, kind: c < dmCount ? 'dm' : 'group', name, members });
    }
  })();

  // Busy and quiet conversations: a few carry most of the traffic, as in real inboxes.
  const order = conversations.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  const drawConversationRank = zipf(random, conversations.length, 0.8);
  const drawConversation = () => order[drawConversationRank()] ?? 0;

  /** Conversation index of each message id (ids are 1..MESSAGES in insert order). */
  const conversationOf = new Uint8Array(MESSAGES + 1);
  const samples: Sample[] = [];
  const sampleEvery = Math.max(1, Math.floor(MESSAGES / 3000));

  let insertMs = 0;
  let firstId = -1;
  const total = timer();
  ctx.log(`inserting ${MESSAGES} messages in transactions of ${BATCH}`);
  for (let start = 0; start < MESSAGES; start += BATCH) {
    const batch: NewMessage[] = [];
    const batchConversations: number[] = [];
    for (let i = start; i < Math.min(start + BATCH, MESSAGES); i++) {
      const conversationIndex = drawConversation();
      const conversation = conversations[conversationIndex] as Conversation;
      const senderIndex = pick(random, conversation.members);
      const length = 3 + Math.floor(random() ** 2 * 28);
      const words: string[] = [];
      for (let w = 0; w < length; w++) words.push(vocabulary[drawWord()] ?? 'x');
      if (i % sampleEvery === 0)
        samples.push({ conversation: conversationIndex, sender: senderIndex, words });
      let body = words.join(' ');
      if (random() < 0.5) body = body.charAt(0).toUpperCase() + body.slice(1);
      const end = random();
      body += end < 0.15 ? '?' : end < 0.25 ? '!' : end < 0.5 ? '.' : '';
      const sentAt = TIMELINE_END - TIMELINE_SPAN + Math.floor(((i + random()) * TIMELINE_SPAN) / MESSAGES);
      const outgoing = senderIndex === 0;
      const hasFile = random() < FILE_SHARE;
      batch.push({
        conversationId: conversation.id,
        uid: bytes(random, 16).toString('base64url'),
        senderKey: (people[senderIndex] as Person).key,
        outgoing,
        kind: hasFile ? 'file' : 'text',
        body,
        sentAt,
        receivedAt: sentAt + Math.floor(random() * 2000),
        state: outgoing ? (random() < 0.8 ? 'read' : 'delivered') : 'received',
        hasFile,
      });
      batchConversations.push(conversationIndex);
    }
    const elapsed = timer();
    const ids = db.transaction(() => batch.map((m) => messagesRepo.insert(m).id))();
    insertMs += elapsed();
    if (firstId < 0) firstId = ids[0] ?? 1;
    ids.forEach((id, i) => {
      if (id - firstId + 1 <= MESSAGES) conversationOf[id - firstId + 1] = batchConversations[i] ?? 0;
    });
    if ((start / BATCH) % 40 === 0) {
      ctx.log(
        `  ${start + batch.length} messages, ${Math.round(((start + batch.length) / insertMs) * 1000)} msg/s`,
      );
    }
  }
  const buildMs = total();
  // Segment ids are the high bits of FTS5 data rowids (fts5Int.h FTS5_SEGMENT_ROWID: id << 37);
  // many segments make every query visit many b-trees.
  const countSegments = (): number =>
    (
      db.prepare(`SELECT count(DISTINCT id >> 37) AS n FROM messages_fts_data WHERE id > 10`).get() as {
        n: number;
      }
    ).n;
  const segmentsAfterInsert = countSegments();
  // What an unlocked, idle app does in the background (SearchIndexMaintainer: small merge steps
  // every minute): compact the index. Run to completion here, timed, so the searches below
  // measure a settled profile; the metric says how much idle work a million messages need.
  const compact = timer();
  const maintainer = new SearchIndexMaintainer(db, silentLogger);
  for (let steps = 0; steps < 1_000_000 && maintainer.step(); steps++);
  const compactMs = compact();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const dbBytes = statSync(join(profileDir, DATABASE_FILE)).size;
  const ftsSegments = countSegments();
  const buildMemory = process.memoryUsage();
  profile.lock();

  // Queries, from the same generator.
  const term: Workload['term'] = [];
  for (let q = 0; q < QUERIES_PER_KIND; q++) {
    const band = q % 20 === 19 ? 'folded' : ((['common', 'medium', 'rare'] as const)[q % 3] ?? 'common');
    let text: string;
    if (band === 'folded') text = foldWord(pick(random, ACCENTED));
    else {
      const [lo, hi] = band === 'common' ? [0, 100] : band === 'medium' ? [100, 2000] : [2000, VOCABULARY];
      text = vocabulary[lo + Math.floor(random() * (hi - lo))] ?? 'x';
    }
    term.push({ text, band });
  }
  const prefix: string[] = [];
  for (let q = 0; q < QUERIES_PER_KIND; q++) {
    const word = foldWord(vocabulary[Math.floor(random() * vocabulary.length)] ?? 'x');
    const length = 2 + Math.floor(random() * 3);
    prefix.push(`${word.slice(0, Math.max(2, Math.min(length, word.length)))}*`);
  }
  const phrase: string[] = [];
  for (let q = 0; q < QUERIES_PER_KIND; q++) {
    const sample = pick(random, samples);
    const at = Math.floor(random() * (sample.words.length - 1));
    phrase.push(`"${sample.words[at]} ${sample.words[at + 1]}"`);
  }
  const groupSamples = samples.filter((s) => conversations[s.conversation]?.kind === 'group');
  const contactSamples = samples.filter((s) => s.sender !== 0);
  const scoped: Workload['scoped'] = [];
  for (let q = 0; q < QUERIES_PER_KIND; q++) {
    const filter = q % 2 === 0 ? 'in' : 'from';
    const sample = pick(random, filter === 'in' ? groupSamples : contactSamples);
    const word = pick(random, sample.words);
    const value =
      filter === 'in'
        ? (conversations[sample.conversation] as Conversation).name
        : (people[sample.sender] as Person).name;
    scoped.push({ text: `${quoteFilter(filter, value)} ${word}`, filter });
  }
  const latest: number[] = [];
  const around: Workload['around'] = [];
  for (let q = 0; q < PAGE_LOADS; q++) {
    latest.push((pick(random, conversations) as Conversation).id);
    const offset = 1 + Math.floor(random() * MESSAGES);
    around.push({
      conversationId: (conversations[conversationOf[offset] ?? 0] as Conversation).id,
      messageId: firstId + offset - 1,
    });
  }

  return {
    workload: { profileDir, messages: MESSAGES, term, prefix, phrase, scoped, latest, around },
    results: [
      { metric: 'messages', value: MESSAGES, unit: 'messages' },
      { metric: 'insert.rate', value: Math.round((MESSAGES / insertMs) * 1000), unit: 'msg/s' },
      { metric: 'insert.total', value: round(insertMs / 1000, 1), unit: 's' },
      { metric: 'build.total', value: round(buildMs / 1000, 1), unit: 's' },
      { metric: 'db.size', value: round(dbBytes / MB, 1), unit: 'MB' },
      { metric: 'db.bytesPerMessage', value: Math.round(dbBytes / MESSAGES), unit: 'B' },
      { metric: 'fts.segments.afterInsert', value: segmentsAfterInsert, unit: 'segments' },
      { metric: 'fts.compact.total', value: round(compactMs / 1000, 1), unit: 's' },
      { metric: 'fts.segments', value: ftsSegments, unit: 'segments' },
      { metric: 'build.rss', value: round(buildMemory.rss / MB, 1), unit: 'MB' },
    ],
  };
}

// ---------------------------------------------------------------------------
// Measure (runs in a fresh process)

async function measure(workload: Workload, log: (message: string) => void): Promise<BenchResult[]> {
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

/** Runs the measuring half in a fresh Node process; its results come back as JSON on stdout. */
function measureInChild(ctx: BenchContext, workloadFile: string): Promise<BenchResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--measure', workloadFile],
      { cwd: ctx.root, stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
    );
    let killed = false;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        killed = true;
        process.kill(child.pid, 'SIGKILL');
      }
    };
    ctx.defer(kill);
    const timeout = setTimeout(kill, MEASURE_TIMEOUT_MS);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timeout);
      if (code !== 0 || killed) {
        reject(new Error(`measuring process ${killed ? 'timed out' : `exited ${code}`}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as BenchResult[]);
    });
  });
}

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  if (!Number.isInteger(MESSAGES) || MESSAGES < 1000) {
    throw new Error('PARLEY_BENCH_MESSAGES must be an integer ≥ 1000');
  }
  const profileDir = join(ctx.tmpDir, 'profile');
  const built = await build(ctx, profileDir);
  const workloadFile = join(ctx.tmpDir, 'workload.json');
  writeFileSync(workloadFile, JSON.stringify(built.workload));
  ctx.log('measuring in a fresh process: unlock, search, page loads, memory');
  const measured = await measureInChild(ctx, workloadFile);
  return [...built.results, ...measured];
}

// ---------------------------------------------------------------------------
// Direct runs: `node --import tsx bench/store.bench.ts` (standalone, prints the
// results as JSON) and the `--measure WORKLOAD` child above.

async function main(argv: string[]): Promise<void> {
  const log = (message: string) => process.stderr.write(`  [store] ${message}\n`);
  if (argv[0] === '--measure' && argv[1]) {
    const workload = JSON.parse(readFileSync(argv[1], 'utf8')) as Workload;
    process.stdout.write(`${JSON.stringify(await measure(workload, log))}\n`);
    return;
  }
  const cleanups: Array<() => unknown> = [];
  const tmpDir = mkdtempSync(join(tmpdir(), 'parley-bench-store-'));
  cleanups.push(() => rmSync(tmpDir, { recursive: true, force: true }));
  try {
    const results = await run({
      name: 'store',
      root: fileURLToPath(new URL('..', import.meta.url)),
      tmpDir,
      log,
      defer: (fn) => void cleanups.push(fn),
    });
    const out = { bench: 'store', node: process.version, cpus: availableParallelism(), results };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    // Explicit exit: the database handle of a failed run must not keep the process alive.
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
