import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../util/logger';
import { DisappearingSweeper, resolveInside } from './disappearingSweeper';
import { ConversationRepository } from './repositories/conversationRepository';
import { MessageRepository } from './repositories/messageRepository';
import { ADA, insertIdentity, tempDatabase, type TempDatabase } from './testing/tempDatabase';

let t: TempDatabase;
let now = 0;
let sweeper: DisappearingSweeper;
let attachments: string;

beforeEach(() => {
  t = tempDatabase();
  insertIdentity(t.db);
  attachments = join(t.dir, 'attachments');
  mkdirSync(attachments);
  now = 1_000_000;
  sweeper = new DisappearingSweeper({
    db: t.db,
    attachmentsDir: attachments,
    logger: silentLogger,
    now: () => now,
  });
});
afterEach(() => {
  sweeper.stop();
  t.dispose();
});

describe('DisappearingSweeper', () => {
  it('deletes expired messages with their index entries, reactions and files; keeps the rest', async () => {
    const conversations = new ConversationRepository(t.db);
    const messages = new MessageRepository(t.db);
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    conversations.setDisappearing(c, 60_000);
    const { id: vanishing } = messages.insert({
      conversationId: c,
      uid: 'v',
      senderKey: ADA,
      outgoing: false,
      body: 'ephemeral xylophone',
      sentAt: now,
      receivedAt: now,
      state: 'received',
      hasFile: true,
    });
    messages.addReaction(vanishing, ADA, '🔥', now);
    writeFileSync(join(attachments, 'file-v.bin'), 'secret bytes');
    t.db
      .prepare(
        "INSERT INTO attachments (message_id, name, mime, size, sha256, file_key, path, state, created_at) VALUES (?, 'f', 'text/plain', 12, zeroblob(32), x'00', 'file-v.bin', 'complete', 0)",
      )
      .run(vanishing);
    conversations.setDisappearing(c, null);
    const { id: keeper } = messages.insert({
      conversationId: c,
      uid: 'k',
      senderKey: ADA,
      outgoing: false,
      body: 'permanent xylophone',
      sentAt: now,
      receivedAt: now,
      state: 'received',
    });

    expect(await sweeper.start()).toBe(0);
    now += 61_000;
    expect(await sweeper.sweepNow()).toBe(1);

    expect(messages.get(vanishing)).toBeNull();
    expect(messages.get(keeper)).not.toBeNull();
    expect(existsSync(join(attachments, 'file-v.bin'))).toBe(false);
    expect(t.db.prepare('SELECT count(*) AS n FROM reactions').get()).toEqual({ n: 0 });
    // No trace in the index: the unique word is gone from the FTS vocabulary, the shared one stays.
    t.db.exec("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, messages_fts, 'row')");
    const terms = (t.db.prepare('SELECT term FROM temp.vocab').all() as Array<{ term: string }>).map(
      (r) => r.term,
    );
    expect(terms).not.toContain('ephemeral');
    expect(terms).toContain('xylophone');
  });

  it('sweeps thousands in batches', async () => {
    const conversations = new ConversationRepository(t.db);
    const messages = new MessageRepository(t.db);
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    conversations.setDisappearing(c, 1);
    t.db.transaction(() => {
      for (let i = 0; i < 1800; i++) {
        messages.insert({
          conversationId: c,
          uid: `b${i}`,
          senderKey: ADA,
          outgoing: false,
          body: 'x',
          sentAt: now,
          receivedAt: now,
          state: 'received',
        });
      }
    })();
    now += 10;
    expect(await sweeper.start()).toBe(1800);
    expect(conversations.get(c)).toMatchObject({ unreadCount: 0, lastMessage: null });
  });

  it('only ever deletes files inside the attachments folder', () => {
    expect(resolveInside('/p/att', 'a/b.bin')).toBe('/p/att/a/b.bin');
    expect(resolveInside('/p/att', '../parley.db')).toBeNull();
    expect(resolveInside('/p/att', '/etc/passwd')).toBeNull();
  });
});
