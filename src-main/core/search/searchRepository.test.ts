import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEncryptedDatabase, type Db } from '../store/encryptedDatabase';
import { migrate } from '../store/migrate';
import { parseSearchQuery } from './searchQuery';
import { SearchRepository, type SearchHit, type SearchResult } from './searchRepository';

const NOW = new Date(2024, 2, 20, 12, 0);
const at = (month: number, date: number, hour = 12): number =>
  new Date(2024, month - 1, date, hour).getTime();

const ME = Buffer.alloc(32, 1);
const BOB = Buffer.alloc(32, 2);
const CHLOE = Buffer.alloc(32, 3);
const DMITRI = Buffer.alloc(32, 4);
const STRANGER = Buffer.alloc(32, 9);

let dir: string;
let db: Db;
let repo: SearchRepository;
let uid = 0;

interface Fixture {
  conversation: number;
  sender: Buffer;
  body: string | null;
  sentAt: number;
  hasFile?: boolean;
  kind?: 'text' | 'file' | 'system';
  expiresAt?: number | null;
  deletedAt?: number | null;
}

function insertMessage(m: Fixture): number {
  uid++;
  return Number(
    db
      .prepare(
        `INSERT INTO messages (conversation_id, uid, sender_key, outgoing, kind, body, sent_at, received_at,
           deleted_at, expires_at, state, has_file)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.conversation,
        `u${uid}`,
        m.sender,
        m.sender.equals(ME) ? 1 : 0,
        m.kind ?? 'text',
        m.body,
        m.sentAt,
        m.sentAt,
        m.deletedAt ?? null,
        m.expiresAt ?? null,
        m.sender.equals(ME) ? 'delivered' : 'received',
        m.hasFile ? 1 : 0,
      ).lastInsertRowid,
  );
}

const search = (text: string, options: { limit?: number; conversationId?: number } = {}): SearchResult =>
  repo.search(parseSearchQuery(text, NOW), options);
const bodies = (hits: SearchHit[]): Array<string> =>
  hits.map(
    (h) => (db.prepare('SELECT body FROM messages WHERE id = ?').get(h.messageId) as { body: string }).body,
  );
const ids = (text: string, options?: { limit?: number; conversationId?: number }): number[] =>
  search(text, options).hits.map((h) => h.messageId);

const DM_BOB = 1;
const DM_CHLOE = 2;
const TEAM = 3;
const BOOK = 4;
const msg: Record<string, number> = {};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-search-'));
  db = openEncryptedDatabase(join(dir, 'test.db'), randomBytes(32), { create: true });
  migrate(db);
  db.prepare(
    `INSERT INTO identity (id, display_name, public_key, private_key, created_at) VALUES (1, 'Ada Lovelace', ?, ?, 0)`,
  ).run(ME, Buffer.alloc(48));
  const contact = db.prepare(
    'INSERT INTO contacts (id, identity_key, display_name, local_name, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)',
  );
  contact.run(1, BOB, 'Bob Builder', null);
  contact.run(2, CHLOE, 'Chloé Dubois', 'Coco');
  contact.run(3, DMITRI, 'Dmitri', null);
  const conversation = db.prepare(
    'INSERT INTO conversations (id, kind, name, contact_id, created_at, last_activity_at) VALUES (?, ?, ?, ?, 0, 0)',
  );
  conversation.run(DM_BOB, 'dm', null, 1);
  conversation.run(DM_CHLOE, 'dm', null, 2);
  conversation.run(TEAM, 'group', 'Team Rocket', null);
  conversation.run(BOOK, 'group', 'Book club', null);

  msg.cafe = insertMessage({
    conversation: DM_BOB,
    sender: BOB,
    body: 'Café au lait tomorrow?',
    sentAt: at(3, 1),
  });
  msg.cafeReply = insertMessage({
    conversation: DM_BOB,
    sender: ME,
    body: 'Yes, the cafe on Main St',
    sentAt: at(3, 1, 13),
  });
  msg.cafeteria = insertMessage({
    conversation: TEAM,
    sender: DMITRI,
    body: 'Lunch at the cafeteria',
    sentAt: at(3, 5),
  });
  msg.report = insertMessage({
    conversation: TEAM,
    sender: CHLOE,
    body: 'Here is the quarterly report',
    sentAt: at(3, 10),
    hasFile: true,
    kind: 'file',
  });
  msg.novel = insertMessage({
    conversation: BOOK,
    sender: CHLOE,
    body: 'Next novel: Les Misérables',
    sentAt: at(2, 10),
  });
  msg.naive = insertMessage({
    conversation: DM_CHLOE,
    sender: ME,
    body: 'That was naïve of me',
    sentAt: at(3, 15),
  });
  msg.stranger = insertMessage({
    conversation: TEAM,
    sender: STRANGER,
    body: 'Who has the report draft?',
    sentAt: at(3, 16),
  });
  msg.system = insertMessage({
    conversation: TEAM,
    sender: ME,
    body: 'Ada renamed the group report',
    sentAt: at(3, 17),
    kind: 'system',
  });
  msg.expired = insertMessage({
    conversation: DM_BOB,
    sender: BOB,
    body: 'secret report, self-destructs',
    sentAt: at(3, 18),
    expiresAt: NOW.getTime() - 1000,
  });
  repo = new SearchRepository(db, { now: () => NOW.getTime() });
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SearchRepository: matching', () => {
  it('finds a word', () => {
    expect(ids('lait')).toEqual([msg.cafe]);
  });

  it('finds a phrase only in order', () => {
    expect(ids('"au lait"')).toEqual([msg.cafe]);
    expect(ids('"lait au"')).toEqual([]);
  });

  it('finds a prefix', () => {
    expect(ids('cafet*')).toEqual([msg.cafeteria]);
    expect(ids('caf*').sort()).toEqual([msg.cafe, msg.cafeReply, msg.cafeteria].sort());
  });

  it('folds diacritics both ways', () => {
    expect(ids('cafe').sort()).toEqual([msg.cafe, msg.cafeReply].sort());
    expect(ids('café').sort()).toEqual([msg.cafe, msg.cafeReply].sort());
    expect(ids('naive')).toEqual([msg.naive]);
    expect(ids('miserables')).toEqual([msg.novel]);
    expect(ids('MISÉRABLES')).toEqual([msg.novel]);
  });

  it('ignores case', () => {
    expect(ids('LUNCH')).toEqual([msg.cafeteria]);
    expect(ids('CaFeTeRiA')).toEqual([msg.cafeteria]);
  });

  it('requires every word, and excludes negated ones', () => {
    expect(ids('cafe lait')).toEqual([msg.cafe]);
    expect(ids('cafe -lait')).toEqual([msg.cafeReply]);
    expect(ids('cafe -"au lait"')).toEqual([msg.cafeReply]);
    expect(ids('caf* -cafet*').sort()).toEqual([msg.cafe, msg.cafeReply].sort());
  });

  it('never shows system messages or disappearing messages past their time', () => {
    expect(ids('report')).toEqual([msg.stranger, msg.report]);
    expect(ids('renamed')).toEqual([]);
    expect(ids('destructs')).toEqual([]);
  });

  it('explains a search of only excluded words', () => {
    const result = search('-cafe');
    expect(result.hits).toEqual([]);
    expect(result.problems).toEqual(['Words with "-" only exclude messages; add a word to search for.']);
  });

  it('returns nothing, quietly, for an empty search', () => {
    expect(search('')).toEqual({ hits: [], problems: [] });
    expect(search('   ')).toEqual({ hits: [], problems: [] });
    expect(search('?!')).toEqual({
      hits: [],
      problems: ['Nothing to search for: add a word with letters or digits.'],
    });
  });
});

describe('SearchRepository: hits', () => {
  it('names the conversation and the sender and gives the position to jump to', () => {
    const [hit] = search('lait').hits;
    expect(hit).toEqual({
      messageId: msg.cafe,
      conversationId: DM_BOB,
      conversationName: 'Bob Builder',
      senderName: 'Bob Builder',
      outgoing: false,
      sentAt: at(3, 1),
      snippet: 'Café au lait tomorrow?',
      highlights: [[8, 12]],
      position: { conversationId: DM_BOB, messageId: msg.cafe, sentAt: at(3, 1) },
    });
    const mine = search('naive').hits[0];
    expect(mine).toMatchObject({ conversationName: 'Coco', senderName: 'Ada Lovelace', outgoing: true });
    expect(search('draft').hits[0]).toMatchObject({
      conversationName: 'Team Rocket',
      senderName: 'Unknown (09090909)',
    });
  });

  it('highlights exactly the matched words, whatever their accents and case', () => {
    for (const [query, words] of [
      ['cafe', ['Café']],
      ['café lait', ['Café', 'lait']],
      ['CAF*', ['Café']],
      // A phrase is one instance (FTS5 §5.1.3): highlighted as a whole.
      ['"au lait"', ['au lait']],
      ['naive', ['naïve']],
    ] as const) {
      const hit = search(query).hits.find((h) => h.messageId === msg.cafe || h.messageId === msg.naive);
      expect(hit, query).toBeDefined();
      expect(
        hit?.highlights.map(([s, e]) => hit.snippet.slice(s, e)),
        query,
      ).toEqual(words);
    }
  });

  it('gives every hit the snippet of its own message, not of the first match', () => {
    // Regression: FTS5 in this SQLite build ignores `rowid = ?` next to MATCH, so a
    // per-hit snippet query returned the first matching row's text for every hit.
    const own = [1, 2, 3].map((n) =>
      insertMessage({ conversation: TEAM, sender: BOB, body: `zeppelin number ${n}`, sentAt: at(3, 18, n) }),
    );
    const hits = search('zeppelin').hits;
    expect(hits.map((h) => h.messageId).sort()).toEqual([...own].sort());
    for (const h of hits) {
      expect(h.snippet).toBe(
        (db.prepare('SELECT body FROM messages WHERE id = ?').get(h.messageId) as { body: string }).body,
      );
    }
  });

  it('never matches the scope tokens of the index with typed text', () => {
    // Conversation and sender tokens (c<id>, s<key>) live in the index beside the words.
    const id = insertMessage({
      conversation: TEAM,
      sender: BOB,
      body: 'c3 is a real word here',
      sentAt: at(3, 18),
    });
    expect(ids(`c${TEAM}`)).toEqual([id]);
    expect(ids(`s${BOB.subarray(0, 8).toString('hex')}`)).toEqual([]);
  });

  it('cuts a long message around the match', () => {
    const filler = Array.from({ length: 60 }, (_, i) => `filler${i}`).join(' ');
    const id = insertMessage({
      conversation: TEAM,
      sender: BOB,
      body: `${filler} needle ${filler}`,
      sentAt: at(3, 19),
    });
    const [hit] = search('needle').hits;
    expect(hit?.messageId).toBe(id);
    expect(hit?.snippet.startsWith('…')).toBe(true);
    expect(hit?.snippet.endsWith('…')).toBe(true);
    expect(hit?.snippet.length).toBeLessThan(250);
    expect(hit?.highlights.map(([s, e]) => hit.snippet.slice(s, e))).toEqual(['needle']);
  });

  it('does not let private-use characters in a message pose as highlights', () => {
    // Written with plain SQL, around MessageRepository (which strips these characters).
    const id = insertMessage({
      conversation: TEAM,
      sender: BOB,
      body: 'fake \uE000bold\uE001 and a real pineapple',
      sentAt: at(3, 19),
    });
    const [hit] = search('pineapple').hits;
    expect(hit?.messageId).toBe(id);
    expect(hit?.snippet).toBe('fake bold and a real pineapple');
    expect(hit?.highlights.map(([s, e]) => hit.snippet.slice(s, e))).toEqual(['pineapple']);
  });

  it('marks matches of a long prefix (snippets taken in the same pass)', () => {
    const [hit] = search('cafeter*').hits;
    expect(hit?.highlights.map(([s, e]) => hit.snippet.slice(s, e))).toEqual(['cafeteria']);
  });
});

describe('SearchRepository: filters', () => {
  it('from: a contact by published or local name, accent- and case-insensitive, or me', () => {
    expect(ids('report from:chloe')).toEqual([msg.report]);
    expect(ids('from:coco', { limit: 10 }).sort()).toEqual([msg.report, msg.novel].sort());
    expect(ids('cafe from:bob')).toEqual([msg.cafe]);
    expect(ids('cafe from:me')).toEqual([msg.cafeReply]);
    expect(ids('cafe from:"Ada Love"')).toEqual([msg.cafeReply]);
    expect(ids('cafe from:bob from:me').sort()).toEqual([msg.cafe, msg.cafeReply].sort());
  });

  it('in: a group by name or a DM by the contact name', () => {
    expect(ids('report in:rocket')).toEqual([msg.stranger, msg.report]);
    expect(ids('report in:"book club"')).toEqual([]);
    expect(ids('cafe in:bob').sort()).toEqual([msg.cafe, msg.cafeReply].sort());
    expect(ids('naive in:coco')).toEqual([msg.naive]);
    expect(ids('naive in:chloé')).toEqual([msg.naive]);
  });

  it('from:me means only me, not every contact with "me" in the name', () => {
    db.prepare(
      `INSERT INTO contacts (id, identity_key, display_name, created_at, updated_at) VALUES (9, ?, 'Mehmet', 0, 0)`,
    ).run(Buffer.alloc(32, 7));
    insertMessage({ conversation: TEAM, sender: Buffer.alloc(32, 7), body: 'cafe later', sentAt: at(3, 19) });
    expect(ids('cafe from:me')).toEqual([msg.cafeReply]);
    expect(ids('cafe from:meh')).toHaveLength(1);
  });

  it('says which filter matched nothing', () => {
    expect(search('cafe in:nowhere')).toEqual({
      hits: [],
      problems: ['No conversation matches in:"nowhere".'],
    });
    expect(search('cafe from:nobody')).toEqual({ hits: [], problems: ['No contact matches from:"nobody".'] });
  });

  it('before: and after: by local calendar day', () => {
    expect(ids('cafe before:2024-03-01')).toEqual([]);
    expect(ids('cafe before:2024-03-02').sort()).toEqual([msg.cafe, msg.cafeReply].sort());
    expect(ids('cafe after:2024-03-01')).toEqual([]);
    expect(ids('cafe after:2024-02-29').sort()).toEqual([msg.cafe, msg.cafeReply].sort());
    expect(ids('report after:2024-03-10 before:2024-03-17')).toEqual([msg.stranger]);
  });

  it('has:file', () => {
    expect(ids('report has:file')).toEqual([msg.report]);
    expect(ids('cafe has:file')).toEqual([]);
  });

  it('combines filters', () => {
    expect(ids('report in:rocket from:chloe has:file before:2024-03-11')).toEqual([msg.report]);
    expect(ids('report in:rocket from:dmitri')).toEqual([]);
    expect(ids('caf* in:rocket from:dmitri after:2024-03-04')).toEqual([msg.cafeteria]);
  });

  it('limits to one conversation, also together with in:', () => {
    expect(ids('cafe', { conversationId: DM_BOB }).sort()).toEqual([msg.cafe, msg.cafeReply].sort());
    expect(ids('cafe', { conversationId: TEAM })).toEqual([]);
    expect(ids('report in:rocket', { conversationId: DM_BOB })).toEqual([]);
    expect(ids('report in:rocket', { conversationId: TEAM })).toEqual([msg.stranger, msg.report]);
  });

  it('lists the newest messages for filters without words', () => {
    expect(ids('has:file in:team')).toEqual([msg.report]);
    expect(ids('in:rocket')).toEqual([msg.stranger, msg.report, msg.cafeteria]);
    expect(ids('from:me')).toEqual([msg.naive, msg.cafeReply]);
    expect(ids('before:2024-03-02')).toEqual([msg.cafeReply, msg.cafe, msg.novel]);
    expect(ids('after:2024-03-14 before:2024-03-17')).toEqual([msg.stranger, msg.naive]);
    expect(ids('in:rocket', { limit: 1 })).toEqual([msg.stranger]);
    // Excluded words apply to a filter-only list too.
    expect(ids('in:bob -lait')).toEqual([msg.cafeReply]);
    expect(ids('in:rocket -report -"the cafeteria"')).toEqual([]);
    expect(ids('before:2024-03-02 -cafe')).toEqual([msg.novel]);
    const [hit] = search('has:file').hits;
    expect(hit).toMatchObject({
      snippet: 'Here is the quarterly report',
      highlights: [],
      senderName: 'Coco',
    });
  });
});

describe('SearchRepository: the index follows the messages', () => {
  it('an edit replaces the old words with the new ones', () => {
    db.prepare('UPDATE messages SET body = ?, edited_at = ? WHERE id = ?').run(
      'Tea at noon?',
      at(3, 2),
      msg.cafe,
    );
    expect(ids('lait')).toEqual([]);
    expect(ids('tea')).toEqual([msg.cafe]);
    expect(search('noon').hits[0]?.snippet).toBe('Tea at noon?');
  });

  it('delete-for-everyone (body NULL) removes the message', () => {
    db.prepare('UPDATE messages SET body = NULL, deleted_at = ? WHERE id = ?').run(at(3, 2), msg.cafe);
    expect(ids('lait')).toEqual([]);
    expect(ids('from:bob')).toEqual([]);
  });

  it('a deleted row (a disappearing message swept) leaves no term behind in the index', () => {
    db.exec(`CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, messages_fts, 'row')`);
    const docs = (term: string): number | undefined =>
      (db.prepare('SELECT doc FROM temp.vocab WHERE term = ?').get(term) as { doc: number } | undefined)?.doc;
    expect(docs('lait')).toBe(1);
    expect(docs('cafe')).toBe(2);
    db.prepare('DELETE FROM messages WHERE id = ?').run(msg.cafe);
    expect(ids('lait')).toEqual([]);
    expect(docs('lait')).toBeUndefined();
    expect(docs('tomorrow')).toBeUndefined();
    expect(docs('cafe')).toBe(1);
  });
});

describe('SearchRepository: ranking', () => {
  it('puts a better match first among recent ones, and recency breaks ties', () => {
    const long = insertMessage({
      conversation: BOOK,
      sender: BOB,
      body: 'the kiwi was mentioned once in this long message about many other things entirely',
      sentAt: at(3, 19, 10),
    });
    const strong = insertMessage({
      conversation: BOOK,
      sender: BOB,
      body: 'kiwi kiwi kiwi',
      sentAt: at(3, 19, 9),
    });
    const newest = insertMessage({
      conversation: BOOK,
      sender: BOB,
      body: 'another message that mentions a kiwi among plenty of other words here',
      sentAt: at(3, 19, 11),
    });
    expect(ids('kiwi')).toEqual([strong, newest, long]);
    const a = insertMessage({ conversation: BOOK, sender: BOB, body: 'mango', sentAt: at(3, 19, 12) });
    const b = insertMessage({ conversation: BOOK, sender: BOB, body: 'mango', sentAt: at(3, 19, 13) });
    expect(ids('mango')).toEqual([b, a]);
  });

  it('returns at most `limit` hits (default 30, at most 100)', () => {
    const insert = db.transaction(() => {
      for (let i = 0; i < 150; i++)
        insertMessage({ conversation: BOOK, sender: BOB, body: `plum ${i}`, sentAt: at(3, 19) + i });
    });
    insert();
    expect(ids('plum')).toHaveLength(30);
    expect(ids('plum', { limit: 5 })).toHaveLength(5);
    expect(ids('plum', { limit: 1000 })).toHaveLength(100);
    expect(ids('plum', { limit: 0 })).toHaveLength(1);
    expect(ids('plum', { limit: Number.NaN })).toHaveLength(30);
    expect(bodies(search('plum', { limit: 3 }).hits)).toEqual(['plum 149', 'plum 148', 'plum 147']);
  });
});

describe('SearchRepository: failure', () => {
  it('reports a broken database as a problem instead of throwing', () => {
    db.close();
    const result = repo.search(parseSearchQuery('cafe', NOW));
    expect(result).toEqual({ hits: [], problems: ['Search is not available right now. Try again.'] });
    db = openEncryptedDatabase(join(dir, 'other.db'), randomBytes(32), { create: true });
  });
});
