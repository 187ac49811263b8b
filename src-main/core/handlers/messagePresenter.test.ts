import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADA, ME, insertIdentity, tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { messageViews } from './messagePresenter';
import { ProfileRepositories } from '../store/profileRepositories';
import { ContactRepository } from '../store/repositories/contactRepository';
import { ConversationRepository } from '../store/repositories/conversationRepository';
import { MessageRepository } from '../store/repositories/messageRepository';

let t: TempDatabase;
beforeEach(() => {
  t = tempDatabase();
  insertIdentity(t.db);
});
afterEach(() => t.dispose());

describe('message views: who holds a message', () => {
  it('names the holder (a contact, or our own device), never a raw PeerId (issue #17 item 11)', () => {
    const conversations = new ConversationRepository(t.db);
    const messages = new MessageRepository(t.db);
    const contacts = new ContactRepository(t.db);
    contacts.upsert(ADA, 'Ada', 0);
    const device = t.db.prepare(
      'INSERT INTO devices (peer_id, identity_key, name, is_self, created_at) VALUES (?, ?, ?, ?, 0)',
    );
    device.run('12D3KooWAda', ADA, null, 0);
    device.run('12D3KooWNode', ME, 'Home server', 1);
    const c = conversations.create({ kind: 'group', name: 'G', createdAt: 0 });
    const held = (uid: string, peer: string) => {
      const { id } = messages.insert({
        conversationId: c,
        uid,
        senderKey: ME,
        outgoing: true,
        body: uid,
        sentAt: 1,
        receivedAt: 1,
        state: 'pending',
      });
      messages.setState(id, 'held', peer);
      const m = messages.get(id);
      if (!m) throw new Error('not stored');
      return m;
    };
    const views = messageViews(new ProfileRepositories(t.db), [
      held('a', '12D3KooWAda'),
      held('b', '12D3KooWNode'),
      held('c', '12D3KooWStranger'),
    ]);
    expect(views.map((v) => [v.state, v.heldBy])).toEqual([
      ['held', 'Ada'],
      ['held', 'Home server'],
      ['held', null],
    ]);
  });
});
