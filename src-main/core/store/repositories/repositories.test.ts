import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isParleyError } from '../../errors';
import { ADA, BOB, ME, insertIdentity, tempDatabase, type TempDatabase } from '../testing/tempDatabase';
import { ContactRepository } from './contactRepository';
import { ConversationRepository } from './conversationRepository';
import { MessageRepository, type NewMessage } from './messageRepository';

let t: TempDatabase;
let conversations: ConversationRepository;
let messages: MessageRepository;
let contacts: ContactRepository;

beforeEach(() => {
  t = tempDatabase();
  insertIdentity(t.db);
  conversations = new ConversationRepository(t.db);
  messages = new MessageRepository(t.db);
  contacts = new ContactRepository(t.db);
});
afterEach(() => t.dispose());

let seq = 0;
function msg(conversationId: number, over: Partial<NewMessage> = {}): NewMessage {
  seq++;
  return {
    conversationId,
    uid: `m${seq}`,
    senderKey: ADA,
    outgoing: false,
    body: `message ${seq}`,
    sentAt: seq * 1000,
    receivedAt: seq * 1000,
    state: 'received',
    ...over,
  };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return isParleyError(err) ? err.code : String(err);
  }
  return 'no error';
}

describe('ConversationRepository', () => {
  it('lists conversations by last activity, with preview, unread count and DM names from contacts', () => {
    const ada = contacts.upsert(ADA, 'Ada Lovelace', 0);
    const dm = conversations.create({ kind: 'dm', contactId: ada, createdAt: 0 });
    const team = conversations.create({ kind: 'group', name: 'Team', createdAt: 0 });
    messages.insert(msg(dm, { body: 'first' }));
    messages.insert(msg(team, { body: 'later', senderKey: BOB }));
    expect(conversations.list().map((c) => c.title)).toEqual(['Team', 'Ada Lovelace']);
    messages.insert(msg(dm, { body: 'newest' }));
    const list = conversations.list();
    expect(list.map((c) => c.title)).toEqual(['Ada Lovelace', 'Team']);
    expect(list[0]).toMatchObject({ unreadCount: 2, lastMessage: { preview: 'newest', outgoing: false } });
    contacts.rename(ada, 'Countess');
    expect(conversations.list({ filter: 'count' }).map((c) => c.title)).toEqual(['Countess']);
    expect(conversations.list({ filter: 'zzz' })).toEqual([]);
  });

  it('counts unread incoming messages only, and marking read clears them', () => {
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    messages.insert(msg(c));
    messages.insert(msg(c, { outgoing: true, senderKey: ME, state: 'sent' }));
    const { id: third } = messages.insert(msg(c));
    messages.insert(msg(c, { kind: 'system', body: 'Ada joined' }));
    expect(conversations.get(c).unreadCount).toBe(2);
    expect(conversations.totalUnread()).toBe(2);
    expect(conversations.markRead(c, third - 2)).toBe(1);
    expect(conversations.markRead(c)).toBe(0);
    messages.insert(msg(c));
    expect(conversations.get(c).unreadCount).toBe(1);
    conversations.setNotify(c, 'muted');
    expect(conversations.totalUnread()).toBe(0);
  });

  it('keeps the preview right when the last message is deleted', () => {
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    const { id: a } = messages.insert(msg(c, { body: 'older' }));
    const { id: b } = messages.insert(msg(c, { body: 'newer' }));
    messages.deleteForMe([b]);
    expect(conversations.get(c).lastMessage?.id).toBe(a);
    expect(conversations.get(c).unreadCount).toBe(1);
  });
});

describe('MessageRepository', () => {
  it('stores a redelivered message once (idempotent by uid)', () => {
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    const m = msg(c);
    const first = messages.insert(m);
    const again = messages.insert({ ...m, body: 'tampered' });
    expect(again).toEqual({ id: first.id, inserted: false });
    expect(messages.get(first.id)?.body).toBe(m.body);
    expect(conversations.get(c).unreadCount).toBe(1);
  });

  it('clamps a sender clock from the future to the receive time', () => {
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    const { id } = messages.insert(msg(c, { sentAt: 9e12, receivedAt: 5000 }));
    expect(messages.get(id)?.sentAt).toBe(5000);
  });

  it('pages a conversation both ways by keyset, and around any message', () => {
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    const other = conversations.create({ kind: 'group', name: 'H', createdAt: 0 });
    const ids: number[] = [];
    for (let i = 0; i < 120; i++) {
      ids.push(messages.insert(msg(c, { sentAt: 1_000_000 + Math.floor(i / 3), receivedAt: 2e6 })).id);
      messages.insert(msg(other));
    }
    const latest = messages.page(c, { latest: true }, 50);
    expect(latest.messages.map((m) => m.id)).toEqual(ids.slice(70));
    expect(latest).toMatchObject({ hasOlder: true, hasNewer: false });
    const first = latest.messages[0]!;
    const older = messages.page(c, { before: { sentAt: first.sentAt, id: first.id } }, 50);
    expect(older.messages.map((m) => m.id)).toEqual(ids.slice(20, 70));
    const oldest = older.messages[0]!;
    const rest = messages.page(c, { before: { sentAt: oldest.sentAt, id: oldest.id } }, 50);
    expect(rest.messages.map((m) => m.id)).toEqual(ids.slice(0, 20));
    expect(rest.hasOlder).toBe(false);
    const newer = messages.page(c, { after: { sentAt: oldest.sentAt, id: oldest.id } }, 10);
    expect(newer.messages.map((m) => m.id)).toEqual(ids.slice(21, 31));
    const around = messages.page(c, { around: ids[60]! }, 11);
    expect(around.messages.map((m) => m.id)).toEqual(ids.slice(55, 66));
    expect(around).toMatchObject({ hasOlder: true, hasNewer: true });
    expect(code(() => messages.page(other, { around: ids[60]! }))).toBe('INVALID_PARAMS');
  });

  it('reads every page from the timeline index, in its order: no scan, no sort (a 100k chat opens fast)', () => {
    const prepared: string[] = [];
    const prepare = t.db.prepare.bind(t.db);
    t.db.prepare = ((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as typeof t.db.prepare;
    new MessageRepository(t.db);
    t.db.prepare = prepare;
    const pages = prepared.filter((sql) => /conversation_id = \?[\s\S]*ORDER BY sent_at/.test(sql));
    // latest, before, after, from
    expect(pages).toHaveLength(4);
    for (const sql of pages) {
      const args = (sql.match(/\?/g) ?? []).map(() => 1);
      const plan = (t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
      expect(plan).toContain('USING INDEX messages_timeline');
      expect(plan).not.toContain('TEMP B-TREE');
    }
  });

  it('edits keep history; only the author may edit; deleted messages cannot be edited', () => {
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    const { id } = messages.insert(msg(c, { uid: 'e1', body: 'teh plan' }));
    expect(code(() => messages.edit('e1', BOB, 'hijack', 5))).toBe('INVALID_PARAMS');
    const edited = messages.edit('e1', ADA, 'the plan', 10);
    expect(edited).toMatchObject({ body: 'the plan', editedAt: 10 });
    messages.edit('e1', ADA, 'the final plan', 20);
    expect(messages.editHistory(id)).toEqual([
      { replacedAt: 10, body: 'teh plan' },
      { replacedAt: 20, body: 'the plan' },
    ]);
    messages.deleteForEveryone('e1', ADA, 30);
    expect(code(() => messages.edit('e1', ADA, 'zombie', 40))).toBe('INVALID_STATE');
  });

  it('delete for everyone leaves a marker and drops text, history, reactions; only the author', () => {
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    const { id } = messages.insert(msg(c, { uid: 'd1', body: 'oops' }));
    messages.edit('d1', ADA, 'oops again', 5);
    messages.addReaction(id, BOB, '👍', 6);
    expect(code(() => messages.deleteForEveryone('d1', BOB, 7))).toBe('INVALID_PARAMS');
    messages.deleteForEveryone('d1', ADA, 8);
    expect(messages.get(id)).toMatchObject({ body: null, deletedAt: 8 });
    expect(messages.editHistory(id)).toEqual([]);
    expect(messages.reactions(id)).toEqual([]);
    expect(conversations.get(c).lastMessage).toMatchObject({ deleted: true, preview: '' });
  });

  it('reactions: several per user, add and remove, no duplicates', () => {
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    const { id } = messages.insert(msg(c));
    messages.addReaction(id, BOB, '👍', 1);
    messages.addReaction(id, BOB, '🎉', 2);
    messages.addReaction(id, BOB, '👍', 3);
    expect(messages.reactions(id).map((r) => r.emoji)).toEqual(['👍', '🎉']);
    messages.removeReaction(id, BOB, '👍');
    expect(messages.reactions(id).map((r) => r.emoji)).toEqual(['🎉']);
  });

  it('delivery states only move forward, failed can be retried', () => {
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    const { id } = messages.insert(msg(c, { outgoing: true, senderKey: ME, state: 'pending' }));
    expect(messages.setState(id, 'held', 'peerX')).toBe(true);
    expect(messages.get(id)).toMatchObject({ state: 'held', heldBy: 'peerX' });
    expect(messages.setState(id, 'sent')).toBe(false);
    expect(messages.setState(id, 'read')).toBe(true);
    expect(messages.setState(id, 'delivered')).toBe(false);
    expect(messages.setState(id, 'failed')).toBe(true);
    expect(messages.setState(id, 'pending')).toBe(true);
  });

  it('never stores the characters search highlights are made of', () => {
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    const { id } = messages.insert(msg(c, { body: 'a\uE000fake\uE001 b\u0000c' }));
    expect(messages.get(id)?.body).toBe('afake bc');
  });
});
