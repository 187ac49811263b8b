import { describe, expect, it } from 'vitest';
import { silentLogger } from '../util/logger';
import {
  mentionsMe,
  NotificationCenter,
  writeNotificationPrefs,
  type NotificationPayload,
} from './notifications';
import { until, type MessagingPeer, peerPool } from '../runtime/testing/messagingPeer';

/**
 * Notification events between real peers over 127.0.0.1 (issue #6 item 7):
 * per-conversation mode all / mentions / muted, never for our own messages,
 * content hidden when the user turned it off.
 */

const peer = peerPool();

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  const invite = inviter.running().service.createInvite();
  await invitee.running().service.acceptInvite(invite);
  await until(() => inviter.dmWith(invitee) !== null, 20_000, `${inviter.name} joins the DM`);
}

describe('mentionsMe', () => {
  const me = { identityKeyHex: 'ab'.repeat(32), displayName: 'Bob' };
  it('finds @name as a whole name, any case, and structured mentions', () => {
    expect(mentionsMe({ body: 'hey @bob, look', mentions: null }, me)).toBe(true);
    expect(mentionsMe({ body: '@Bob', mentions: null }, me)).toBe(true);
    expect(mentionsMe({ body: 'hey @Bobby', mentions: null }, me)).toBe(false);
    expect(mentionsMe({ body: 'hey Bob', mentions: null }, me)).toBe(false);
    expect(mentionsMe({ body: 'x', mentions: JSON.stringify(['AB'.repeat(32)]) }, me)).toBe(true);
    expect(mentionsMe({ body: 'x', mentions: '{not json' }, me)).toBe(false);
    expect(mentionsMe({ body: null, mentions: null }, me)).toBe(false);
  });
});

describe('notification events over 127.0.0.1', () => {
  it('per mode: all, mentions only, muted; never for own messages; content hidden on request', async () => {
    const a = peer('Ada');
    const b = peer('Bob');
    await Promise.all([a.online(), b.online()]);
    await befriend(a, b);
    const ab = a.dmWith(b) ?? -1;
    const ba = b.dmWith(a) ?? -1;
    const seen: NotificationPayload[] = [];
    const center = new NotificationCenter({
      emit: (p) => seen.push(p),
      self: () => ({ identityKeyHex: b.identity.publicKey.toString('hex'), displayName: 'Bob' }),
      logger: silentLogger,
    });
    center.reset(b.store);

    /** Ada sends; once Bob stored it, Bob's centre looks at what is new. */
    const fromAda = async (text: string) => {
      await a.running().service.sendText(ab, text);
      await until(() => b.messages(ba).some((m) => m.body === text), 20_000, text);
      center.check(b.store);
    };

    await fromAda('hello Bob');
    expect(seen).toEqual([
      { conversationId: ba, messageId: expect.any(Number) as number, title: 'Ada', body: 'hello Bob' },
    ]);
    const sent = b.messages(ba).find((m) => m.body === 'hello Bob');
    expect(seen[0]?.messageId).toBe(sent?.id);

    // Our own messages never notify.
    await b.running().service.sendText(ba, 'my own words');
    center.check(b.store);
    expect(seen).toHaveLength(1);

    b.store.conversations.setNotify(ba, 'mentions');
    await fromAda('nothing for you');
    expect(seen).toHaveLength(1);
    await fromAda('look @Bob');
    expect(seen.map((n) => n.body)).toEqual(['hello Bob', 'look @Bob']);
    // A structured mention (the sender's client picked Bob from the member list) counts too.
    await a.running().service.sendText(ab, 'see above', { mentions: [b.identity.publicKey.toString('hex')] });
    await until(() => b.messages(ba).some((m) => m.body === 'see above'), 20_000, 'structured mention');
    center.check(b.store);
    expect(seen.map((n) => n.body)).toEqual(['hello Bob', 'look @Bob', 'see above']);

    b.store.conversations.setNotify(ba, 'muted');
    await fromAda('muted @Bob');
    expect(seen).toHaveLength(3);

    b.store.conversations.setNotify(ba, 'all');
    writeNotificationPrefs(b.store.settings, { showContent: false });
    await fromAda('private matter');
    expect(seen.at(-1)).toMatchObject({ conversationId: ba, title: 'Parley', body: 'New message' });
    expect(JSON.stringify(seen.at(-1))).not.toContain('Ada');

    // A reset (the next unlock) treats everything stored as already seen.
    writeNotificationPrefs(b.store.settings, { showContent: true });
    await a.running().service.sendText(ab, 'while away');
    await until(() => b.messages(ba).some((m) => m.body === 'while away'), 20_000, 'while away');
    center.reset(b.store);
    center.check(b.store);
    expect(seen).toHaveLength(4);
  }, 60_000);

  it('a group: titled by the group, the sender named, one summary per batch', async () => {
    const a = peer('Ada');
    const b = peer('Bob');
    await Promise.all([a.online(), b.online()]);
    await befriend(a, b);
    const group = await a.running().service.createGroup('Lab', [a.contactId(b) ?? -1]);
    await until(() => b.groups().length === 1, 20_000, 'Bob joins');
    const gb = b.groups()[0] ?? -1;
    const seen: NotificationPayload[] = [];
    const center = new NotificationCenter({
      emit: (p) => seen.push(p),
      self: () => ({ identityKeyHex: b.identity.publicKey.toString('hex'), displayName: 'Bob' }),
      logger: silentLogger,
    });
    center.reset(b.store);
    await a.running().service.sendText(group, 'one');
    await a.running().service.sendText(group, 'two');
    await until(() => b.messages(gb).some((m) => m.body === 'two'), 20_000, 'two texts');
    center.check(b.store);
    expect(seen).toEqual([
      {
        conversationId: gb,
        messageId: expect.any(Number) as number,
        title: 'Lab',
        body: 'Ada: two (+1 more)',
      },
    ]);
  }, 60_000);
});
