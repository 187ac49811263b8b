import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, ProfileService } from '../profile/profileService';
import { parseSearchQuery } from '../search/searchQuery';
import { SearchRepository } from '../search/searchRepository';
import { silentLogger } from '../util/logger';
import { ContactRepository } from './repositories/contactRepository';
import { ConversationRepository } from './repositories/conversationRepository';
import { MessageRepository } from './repositories/messageRepository';
import { ADA, BOB } from './testing/tempDatabase';

/**
 * "Encrypted at rest" means every byte SQLite writes: the main file, the WAL
 * (which holds recent commits in full until a checkpoint) and any temp file a
 * sort or temp table spills to. This test writes distinctive words through the
 * real path (ProfileService → repositories → FTS triggers → a search) and then
 * looks for them, raw and in every form the FTS index could store them, in
 * each of those places while the database is still open, and again after lock.
 */

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const PASS = 'correct horse battery staple';

/** Words no other test, library or SQLite itself writes. */
const SECRET_WORDS = [
  'zebracorn',
  'Ünïcødé-quetzalcoatlus',
  'Žluťoučký-quokka',
  'Ωmegaλambdaζ',
  '東京タワー秘密',
  '🦄🔐secretemoji',
  'Quillfeather',
] as const;

const SQLITE_HEADER = 'SQLite format 3';

/**
 * Every form a word could take on disk: as typed, lowercased (the FTS5 tokens
 * are folded to lower case) and without diacritics (remove_diacritics 2), in
 * UTF-8 and UTF-16LE (SQLite's other text encoding). Hyphenated and emoji words
 * are also split the way unicode61 splits them, since the index stores tokens.
 */
function needles(): Buffer[] {
  const forms = new Set<string>();
  for (const word of SECRET_WORDS) {
    const lower = word.toLowerCase();
    const folded = lower.normalize('NFD').replace(/\p{M}/gu, '');
    for (const form of [word, lower, folded]) {
      forms.add(form);
      for (const token of form.split(/[^\p{L}\p{N}\p{Co}]+/u)) {
        // Short fragments ("ζ") would match random ciphertext by chance.
        if (Buffer.byteLength(token) >= 6) forms.add(token);
      }
    }
  }
  return [...forms].flatMap((f) => [Buffer.from(f, 'utf8'), Buffer.from(f, 'utf16le')]);
}

interface Finding {
  file: string;
  needle: string;
}

/** Which needles `bytes` contains; SQLite's plaintext header is looked for too. */
function scanBytes(file: string, bytes: Buffer, all: Buffer[]): Finding[] {
  const found: Finding[] = [];
  for (const n of all) if (bytes.includes(n)) found.push({ file, needle: n.toString('hex') });
  if (bytes.includes(SQLITE_HEADER)) found.push({ file, needle: SQLITE_HEADER });
  return found;
}

/** Regular files under `path` (itself if a file), depth-bounded; entries that vanish meanwhile are skipped. */
function filesUnder(path: string, depth = 4): string[] {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return [];
  }
  if (st.isFile()) return [path];
  if (!st.isDirectory() || depth === 0) return [];
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch {
    return [];
  }
  return entries.flatMap((e) => filesUnder(join(path, e), depth - 1));
}

function readIfPresent(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    // Another test's temp file deleted between listing and reading: not ours.
    return null;
  }
}

/**
 * SQLite unlinks its temp files right after opening them, so they never show
 * in a directory listing; while they exist they are only reachable through
 * this process's open descriptors. Reads every regular file the process holds
 * open that was deleted or lives in the temp folder or the profile.
 */
function openTempFiles(profileDir: string): Array<{ file: string; bytes: Buffer }> {
  const fdDir = '/proc/self/fd';
  if (!existsSync(fdDir)) return [];
  const out: Array<{ file: string; bytes: Buffer }> = [];
  for (const fd of readdirSync(fdDir)) {
    let target: string;
    try {
      target = readlinkSync(join(fdDir, fd));
    } catch {
      continue;
    }
    if (!target.startsWith('/')) continue; // pipes, sockets, anon inodes
    const interesting =
      target.endsWith(' (deleted)') ||
      TEMP_DIRS.some((d) => target.startsWith(d)) ||
      target.startsWith(profileDir);
    if (!interesting) continue;
    try {
      if (!statSync(join(fdDir, fd)).isFile()) continue;
    } catch {
      continue;
    }
    const bytes = readIfPresent(join(fdDir, fd));
    if (bytes) out.push({ file: `${target} (fd ${fd})`, bytes });
  }
  return out;
}

/**
 * Where temp files can appear: ours, and SQLite's own choice, which ignores
 * TMPDIR when unset and tries /var/tmp before /tmp (os_unix.c unixTempFileDir).
 */
const TEMP_DIRS = [...new Set([tmpdir(), process.env.SQLITE_TMPDIR, '/var/tmp', '/usr/tmp', '/tmp'])].filter(
  (d): d is string => typeof d === 'string' && existsSync(d),
);

function listing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

let root: string;
/** Each temp folder's entries before the test: only what appears during it is scanned. */
let tmpBefore: Map<string, Set<string>>;

beforeEach(() => {
  tmpBefore = new Map(TEMP_DIRS.map((d) => [d, new Set(listing(d))]));
  root = mkdtempSync(join(tmpdir(), 'parley-plaintext-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('no plaintext at rest', () => {
  it('database, WAL, temp files and the profile hold none of the inserted words, open or locked', async () => {
    const dir = join(root, 'profile');
    const profile = new ProfileService({ dir, logger: silentLogger, kdfCost: FAST_KDF });
    await profile.create('Quillfeather', PASS);
    const db = profile.database();
    const contacts = new ContactRepository(db);
    const conversations = new ConversationRepository(db);
    const messages = new MessageRepository(db);

    const ada = contacts.upsert(ADA, 'Ada zebracorn Lovelace', 1);
    contacts.upsert(BOB, 'Bob Ünïcødé-quetzalcoatlus', 1);
    const dm = conversations.create({ kind: 'dm', contactId: ada, createdAt: 1 });
    const group = conversations.create({ kind: 'group', name: 'Ωmegaλambdaζ club', createdAt: 1 });

    // Enough rows that the WAL spans many pages, FTS segments get merged, and a sort with the
    // small cache below spills (about 6,000 rows do; fewer stay in the page cache).
    const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor';
    db.transaction(() => {
      for (let i = 0; i < 8000; i++) {
        const word = SECRET_WORDS[i % SECRET_WORDS.length] ?? '';
        messages.insert({
          conversationId: i % 2 === 0 ? dm : group,
          uid: `plaintext-${i}`,
          senderKey: i % 3 === 0 ? BOB : ADA,
          outgoing: false,
          body: `${filler} ${i} ${word} café naïve ${word.toUpperCase()}`,
          sentAt: 1000 + i,
          receivedAt: 1000 + i,
          state: 'received',
        });
      }
    })();
    const edited = messages.insert({
      conversationId: dm,
      uid: 'plaintext-edit',
      senderKey: ADA,
      outgoing: false,
      body: 'before edit zebracorn',
      sentAt: 5000,
      receivedAt: 5000,
      state: 'received',
    });
    // Edit history and the FTS delete/insert pair are further copies of the text.
    messages.edit('plaintext-edit', ADA, 'after edit Ünïcødé-quetzalcoatlus 🦄🔐secretemoji', 6000);
    expect(messages.get(edited.id)?.body).toContain('🦄');

    // Searches through the search module: ranking and snippets read the index and the text.
    const search = new SearchRepository(db);
    for (const text of [
      'zebracorn',
      'UNICØDE',
      'naive',
      '"ünïcødé quetzalcoatlus"',
      'ΩMEGAΛ*',
      '東京タワー秘密',
      'in:Ωmega zebra*',
    ]) {
      expect(search.search(parseSearchQuery(text)).hits.length, text).toBeGreaterThan(0);
    }
    expect(search.search(parseSearchQuery('from:"Bob Ünïcødé" secretemoji')).hits.length).toBeGreaterThan(0);
    // A tiny page cache makes this small database spill the way a large one does: a temp
    // table, and a sort still in progress while the files are scanned (SQLite unlinks its
    // temp files at once, so they are only visible through open descriptors, and only then).
    db.pragma('cache_size = 8');
    db.exec(`CREATE TEMP TABLE scratch AS SELECT body FROM messages`);
    expect((db.prepare('SELECT count(*) AS n FROM temp.scratch').get() as { n: number }).n).toBe(8001);
    const sorting = db
      .prepare('SELECT body FROM messages ORDER BY substr(body, 5) DESC, id')
      .iterate() as IterableIterator<{ body: string }>;
    expect(sorting.next().done).toBe(false);

    const all = needles();
    const scan = (): { files: string[]; findings: Finding[] } => {
      const files = filesUnder(dir);
      for (const [tmp, before] of tmpBefore) {
        const fresh = listing(tmp).filter((e) => !before.has(e) && join(tmp, e) !== root);
        files.push(...fresh.flatMap((e) => filesUnder(join(tmp, e))));
      }
      const findings: Finding[] = [];
      for (const file of files) {
        const bytes = readIfPresent(file);
        if (bytes) findings.push(...scanBytes(file, bytes, all));
      }
      for (const open of openTempFiles(dir)) {
        files.push(open.file);
        findings.push(...scanBytes(open.file, open.bytes, all));
      }
      return { files, findings };
    };

    // Still open: the commits above live in the WAL, not yet in the main file.
    const wal = join(dir, `${DATABASE_FILE}-wal`);
    expect(existsSync(wal)).toBe(true);
    expect(statSync(wal).size).toBeGreaterThan(0);
    const open = scan();
    sorting.return?.();
    expect(open.files).toContain(join(dir, DATABASE_FILE));
    expect(open.files).toContain(wal);
    expect(open.findings).toEqual([]);

    profile.lock();
    const locked = scan();
    expect(locked.files).toContain(join(dir, DATABASE_FILE));
    expect(locked.findings).toEqual([]);

    // The words really are in there: the check above is not passing on an empty database.
    const again = new ProfileService({ dir, logger: silentLogger, kdfCost: FAST_KDF });
    await again.unlock(PASS);
    const count = again
      .database()
      .prepare('SELECT count(*) AS n FROM messages WHERE body LIKE ?')
      .get('%zebracorn%') as { n: number };
    expect(count.n).toBeGreaterThan(100);
    again.lock();
  });
});
