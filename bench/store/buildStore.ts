import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE, ProfileService } from '../../src-main/core/profile/profileService';
import { SearchIndexMaintainer } from '../../src-main/core/search/indexMaintenance';
import { ContactRepository } from '../../src-main/core/store/repositories/contactRepository';
import { ConversationRepository } from '../../src-main/core/store/repositories/conversationRepository';
import { MessageRepository, type NewMessage } from '../../src-main/core/store/repositories/messageRepository';
import { silentLogger } from '../../src-main/core/util/logger';
import { round, timer, type BenchContext, type BenchResult } from '../harness';
import { seededRandom } from '../../src-main/core/util/seededRandom';
import {
  ACCENTED,
  bytes,
  FIRST,
  foldWord,
  GROUP_ADJ,
  GROUP_NOUN,
  LAST,
  makeVocabulary,
  pick,
  quoteFilter,
  zipf,
  type Conversation,
  type Person,
  type Sample,
} from './syntheticChat';
import {
  BATCH,
  CONTACTS,
  CONVERSATIONS,
  DM_SHARE,
  FILE_SHARE,
  MB,
  MESSAGES,
  PAGE_LOADS,
  PASSPHRASE,
  QUERIES_PER_KIND,
  SEED,
  TIMELINE_END,
  TIMELINE_SPAN,
  VOCABULARY,
  type Workload,
} from './storeWorkload';

/**
 * The build half of the store bench (bench/store.bench.ts): a real profile,
 * contacts, conversations and 1,000,000 messages through the real write path,
 * from one seeded generator; returns the workload the measuring process runs.
 */

export interface Built {
  workload: Workload;
  results: BenchResult[];
}

export async function build(ctx: BenchContext, profileDir: string): Promise<Built> {
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
