import { afterEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../migrate';
import { MessageRepository } from '../repositories/messageRepository';
import { ConversationRepository } from '../repositories/conversationRepository';
import { ADA, insertIdentity, ME, tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { migration0018 } from './0018-system-events';
import { migrations } from './index';

let t: TempDatabase | undefined;
afterEach(() => t?.dispose());

const before = migrations.filter((m) => m.version < 18);
const ftsHits = (t: TempDatabase, word: string) =>
  (
    t.db
      .prepare('SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?')
      .get(`body:"${word}"`) as {
      n: number;
    }
  ).n;

describe('migration 0018 (system events)', () => {
  it('keeps old system lines readable as legacy events and takes their words out of the search index', () => {
    t = tempDatabase(before);
    const db = t.db;
    insertIdentity(db);
    db.prepare(
      `INSERT INTO conversations (id, kind, name, created_at, last_activity_at) VALUES (1, 'group', 'G', 0, 0)`,
    ).run();
    const insert = db.prepare(
      `INSERT INTO messages (conversation_id, uid, sender_key, outgoing, kind, body, sent_at, received_at, state)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run('sys:1:3:0', ADA, 0, 'system', 'Ada added Bob', 1, 1, 'received');
    insert.run('m1', ADA, 0, 'text', 'Bob added the photos', 2, 2, 'received');
    expect(ftsHits(t, 'added')).toBe(2);

    migrate(db, [...before, migration0018]);
    expect(schemaVersion(db)).toBe(18);
    const messages = new MessageRepository(db);
    const system = messages.getByUid('sys:1:3:0');
    expect(system).toMatchObject({
      kind: 'system',
      body: null,
      event: { v: 1, kind: 'legacy', text: 'Ada added Bob' },
    });
    expect(messages.getByUid('m1')).toMatchObject({
      kind: 'text',
      body: 'Bob added the photos',
      event: null,
    });
    // Only the message is found: system rows are not message text.
    expect(ftsHits(t, 'added')).toBe(1);
  });

  it('stores new events as data, outside the index, and hands them to the list with this user marked', () => {
    t = tempDatabase();
    insertIdentity(t.db);
    const conversations = new ConversationRepository(t.db);
    const messages = new MessageRepository(t.db);
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    messages.insert({
      conversationId: c,
      uid: `sys:${c}:2:0`,
      senderKey: ADA,
      outgoing: false,
      kind: 'system',
      body: null,
      event: {
        v: 1,
        kind: 'membersAdded',
        actor: { key: ADA.toString('hex'), name: 'Ada' },
        subjects: [{ key: ME.toString('hex'), name: 'Me' }],
      },
      sentAt: 5,
      receivedAt: 5,
      state: 'received',
    });
    expect(ftsHits(t, 'Ada')).toBe(0);
    expect(ftsHits(t, 'membersAdded')).toBe(0);
    expect(conversations.get(c).lastMessage).toMatchObject({
      preview: '',
      event: {
        kind: 'membersAdded',
        actor: { name: 'Ada', self: false },
        subjects: [{ name: 'Me', self: true }],
      },
    });
    // A row a newer build wrote in a shape this one cannot read is shown as nothing, not an error.
    t.db
      .prepare(`UPDATE messages SET event = '{"v":9,"kind":"teleported"}' WHERE conversation_id = ?`)
      .run(c);
    expect(messages.getByUid(`sys:${c}:2:0`)?.event).toBeNull();
  });
});
