import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_KDF } from '../backup/testing/sampleProfile';
import { ProfileService } from '../profile/profileService';
import type { Db } from '../store/encryptedDatabase';
import { ProfileRepositories } from '../store/profileRepositories';
import { silentLogger } from '../util/logger';
import { isHistoryError } from './historyError';
import { importHistory } from './historyImport';
import { makeHistoryStream } from './historySnapshot';
import { assembleStream } from './testing/historyFixture';
import { seedHistory, type SeededHistory } from './testing/seedHistory';

const PASS = 'unlock passphrase 1';
const SOURCE_PEER = '12D3KooWSourceDevice';
let root: string;
let e: ProfileService;
let n: ProfileService;
let seeded: SeededHistory;
const progress: Array<[number, number]> = [];
let alreadyThere: string;
let unreadBefore: number;

async function profile(name: string): Promise<ProfileService> {
  const p = new ProfileService({ dir: join(root, name), logger: silentLogger, kdfCost: FAST_KDF });
  await p.create('Ann', PASS);
  return p;
}

/** E's history streamed and assembled on N, ready to import; returns the path and key. */
async function received(tag: string): Promise<{ path: string; key: Buffer }> {
  const kHistory = randomBytes(32);
  const transferId = randomBytes(16);
  const stream = await makeHistoryStream({
    profileDir: join(root, 'e'),
    connection: e.secondConnection(),
    kHistory,
    transferId,
    sourcePeerId: SOURCE_PEER,
    chunkBytes: 64 * 1024,
  });
  const path = join(root, 'n', `.history-${tag}.db`);
  const layout = await assembleStream(stream, kHistory, transferId, path);
  rmSync(stream.path);
  return { path, key: Buffer.from(layout.manifest.snapshotKey, 'base64') };
}

/** Every message row by uid, without the columns that are local to a device. */
function messageRows(db: Db): unknown[] {
  return db
    .prepare(
      `SELECT m.uid, hex(c.group_id) AS g, hex(m.sender_key) AS s, m.outgoing, m.kind, m.body, m.reply_to_uid,
         m.mentions, m.sent_at, m.edited_at, m.deleted_at, m.has_file, m.event, m.state
       FROM messages m JOIN conversations c ON c.id = m.conversation_id ORDER BY m.uid`,
    )
    .all();
}
const byUid = (db: Db, table: string, cols: string) =>
  db
    .prepare(
      `SELECT m.uid, ${cols} FROM ${table} t JOIN messages m ON m.id = t.message_id ORDER BY m.uid, ${cols}`,
    )
    .all();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'parley-history-'));
  e = await profile('e');
  n = await profile('n');
  const eDb = e.database();
  const nDb = n.database();
  seeded = seedHistory(eDb, 600);
  // The DM's disappearing timer, set on another device of this person (§13.6: the full order travels).
  const eRepos = new ProfileRepositories(eDb);
  eRepos.conversations.setDisappearing(seeded.dm, 86_400_000);
  eRepos.timers.recordChange(seeded.dm, 42, seeded.me, '12D3KooWOtherOwnDevice');
  // N is the same person (the grant gave it the identity key) ...
  nDb.prepare('UPDATE identity SET public_key = ?').run(seeded.me);
  // ... already joined the group (its Welcome came) and received one message since, unread.
  const groupId = (
    eDb.prepare('SELECT group_id FROM conversations WHERE id = ?').get(seeded.group) as { group_id: Buffer }
  ).group_id;
  const repos = new ProfileRepositories(nDb);
  const group = repos.conversations.create({ kind: 'group', name: 'Team', groupId, createdAt: 1 });
  alreadyThere = seeded.uids[4] as string;
  const source = new ProfileRepositories(eDb).messages.getByUid(alreadyThere);
  repos.messages.insert({
    conversationId: group,
    uid: alreadyThere,
    senderKey: source?.senderKey ?? Buffer.alloc(32),
    outgoing: false,
    body: source?.body ?? '',
    sentAt: source?.sentAt ?? 0,
    receivedAt: source?.sentAt ?? 0,
    state: 'received',
  });
  unreadBefore = repos.conversations.readState(group).count;
  const { path, key } = await received('one');
  await importHistory({
    connection: n.secondConnection(),
    snapshotPath: path,
    snapshotKey: key,
    sourcePeerId: SOURCE_PEER,
    batchRows: 100,
    onProgress: (done, total) => progress.push([done, total]),
  });
}, 60_000);

afterAll(() => {
  e.lock();
  n.lock();
  rmSync(root, { recursive: true, force: true });
});

describe('history import on the new device (docs/protocol.md §13.7)', () => {
  it('gives the new device every message, equal by uid (texts, deletes, files, states)', () => {
    const src = messageRows(e.database());
    const dst = messageRows(n.database());
    expect(src.length).toBe(600);
    // The message N already had is N's own copy (received), the others are E's.
    const mine = (rows: unknown[]) => rows.filter((r) => (r as { uid: string }).uid !== alreadyThere);
    expect(mine(dst)).toEqual(mine(src));
    expect(dst.length).toBe(600);
  });

  it('brings each conversation’s timer with the change in effect: stamp, person and device', () => {
    const timer = (db: Db) =>
      db
        .prepare(
          `SELECT disappear_after_ms AS ms, disappear_changed_at AS at, hex(disappear_changed_by) AS by,
             disappear_changed_peer AS peer FROM conversations WHERE kind = 'dm'`,
        )
        .get();
    expect(timer(n.database())).toEqual({
      ms: 86_400_000,
      at: 42,
      by: seeded.me.toString('hex').toUpperCase(),
      peer: '12D3KooWOtherOwnDevice',
    });
    expect(timer(n.database())).toEqual(timer(e.database()));
  });

  it('brings the edit history, reactions and receipts, equal by uid', () => {
    for (const [table, cols] of [
      ['message_edits', 't.replaced_at, t.body'],
      ['reactions', 'hex(t.reactor_key), t.emoji, t.created_at'],
      ['receipts', 'hex(t.member_key), t.state, t.at'],
    ] as const) {
      const src = byUid(e.database(), table, cols);
      expect(src.length).toBeGreaterThan(0);
      expect(byUid(n.database(), table, cols)).toEqual(src);
    }
    // Read through the real repository, as the chat does.
    const uid = seeded.uids[7] as string;
    const repo = new ProfileRepositories(n.database()).messages;
    const m = repo.getByUid(uid);
    expect(m?.body).toMatch(/edited twice/);
    expect(repo.editHistory(m?.id ?? 0).map((x) => x.body)).toEqual([
      expect.not.stringMatching(/edited/),
      expect.stringMatching(/edited once/),
    ]);
  });

  it('brings the attachment rows with their per-file keys, to fetch from the giving device', () => {
    const cols = 't.name, t.mime, t.size, hex(t.sha256), hex(t.file_key), t.chunk_size, t.chunk_count';
    const src = byUid(e.database(), 'attachments', cols);
    expect(src.length).toBeGreaterThan(10);
    expect(byUid(n.database(), 'attachments', cols)).toEqual(src);
    const states = n
      .database()
      .prepare('SELECT state, path, transferred, source_peer FROM attachments')
      .all() as Array<{
      state: string;
      path: string | null;
      transferred: number;
      source_peer: string | null;
    }>;
    expect(states.every((a) => a.state === 'pending' && a.path === null && a.transferred === 0)).toBe(true);
    // Files the giving device holds name it as their source; the others wait for any member.
    expect(states.filter((a) => a.source_peer === SOURCE_PEER).length).toBe(
      (
        e.database().prepare(`SELECT count(*) AS n FROM attachments WHERE state = 'complete'`).get() as {
          n: number;
        }
      ).n,
    );
  });

  it('indexes the imported text for search', () => {
    const count = (db: Db, term: string) =>
      (
        db.prepare(`SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?`).get(term) as {
          n: number;
        }
      ).n;
    for (const term of ['quokka5', 'edited', 'number']) {
      expect(count(n.database(), term)).toBe(count(e.database(), term));
      expect(count(n.database(), term)).toBeGreaterThan(0);
    }
  });

  it('counts imported messages as read, and keeps what was unread before', () => {
    const rows = n.database().prepare('SELECT id, group_id, unread_count FROM conversations').all() as Array<{
      id: number;
      unread_count: number;
    }>;
    expect(rows.length).toBe(2);
    const repos = new ProfileRepositories(n.database());
    const group = repos.conversations.list().find((c) => c.kind === 'group');
    const dm = repos.conversations.list().find((c) => c.kind === 'dm');
    expect(group?.unreadCount).toBe(unreadBefore);
    expect(unreadBefore).toBe(1);
    expect(dm?.unreadCount).toBe(0);
    // A recount (opening the DM) agrees: the read mark moved past the imported rows.
    expect(repos.conversations.markRead(dm?.id ?? 0, 1)).toBe(0);
  });

  it('takes the contacts and their devices, but never this person as a contact of itself', () => {
    const keys = (
      n.database().prepare('SELECT identity_key FROM contacts').all() as Array<{ identity_key: Buffer }>
    ).map((r) => r.identity_key.toString('hex'));
    expect(keys.length).toBe(2);
    expect(keys).not.toContain(seeded.me.toString('hex'));
    expect(
      (n.database().prepare('SELECT count(*) AS n FROM devices WHERE is_self = 0').get() as { n: number }).n,
    ).toBe(1);
  });

  it('reports progress in batches up to the total, and deletes the snapshot file', () => {
    expect(progress.at(0)).toEqual([0, 600]);
    expect(progress.at(-1)).toEqual([600, 600]);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]?.[0]).toBeGreaterThanOrEqual(progress[i - 1]?.[0] ?? 0);
    expect(existsSync(join(root, 'n', '.history-one.db'))).toBe(false);
  });

  it('importing the same history again changes nothing', async () => {
    const before = messageRows(n.database());
    const attachments = (n.database().prepare('SELECT count(*) AS n FROM attachments').get() as { n: number })
      .n;
    const { path, key } = await received('two');
    const counts = await importHistory({
      connection: n.secondConnection(),
      snapshotPath: path,
      snapshotKey: key,
      sourcePeerId: SOURCE_PEER,
    });
    expect(counts).toEqual({ conversations: 0, messages: 0, attachments: 0 });
    expect(messageRows(n.database())).toEqual(before);
    expect((n.database().prepare('SELECT count(*) AS n FROM attachments').get() as { n: number }).n).toBe(
      attachments,
    );
  });

  it('refuses a file that is not a snapshot of this schema, and one under the wrong key, losing nothing', async () => {
    const before = messageRows(n.database());
    const { path, key } = await received('three');
    // A database that opens with the key but has another schema (an extra table).
    const { openEncryptedDatabase } = await import('../store/encryptedDatabase');
    const forged = openEncryptedDatabase(path, key, { create: false });
    forged.exec('CREATE TABLE mls_groups (state BLOB)');
    forged.pragma('journal_mode = DELETE');
    forged.close();
    await expect(
      importHistory({
        connection: n.secondConnection(),
        snapshotPath: path,
        snapshotKey: key,
        sourcePeerId: SOURCE_PEER,
      }),
    ).rejects.toSatisfy((err) => isHistoryError(err, 'damaged'));
    expect(existsSync(path)).toBe(false);
    const again = await received('four');
    await expect(
      importHistory({
        connection: n.secondConnection(),
        snapshotPath: again.path,
        snapshotKey: randomBytes(32),
        sourcePeerId: SOURCE_PEER,
      }),
    ).rejects.toSatisfy((err) => isHistoryError(err));
    expect(messageRows(n.database())).toEqual(before);
  });
});
