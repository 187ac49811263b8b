import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../../src-shared/contract';
import { buildTimeline, deliveryLabel, deliveryShape, firstUnreadId } from './timeline';

const day = (d: number, h: number, m = 0) => new Date(2025, 5, d, h, m).getTime();

let nextId = 1;
function msg(sentAt: number, sender: 'me' | 'bob' | 'carol', over: Partial<MessageView> = {}): MessageView {
  const id = nextId++;
  return {
    id,
    conversationId: 1,
    uid: `u${id}`,
    sender: { key: sender, name: sender === 'me' ? 'Me' : sender, self: sender === 'me' },
    kind: 'text',
    body: `body ${id}`,
    replyToUid: null,
    sentAt,
    editedAt: null,
    deletedAt: null,
    expiresAt: null,
    state: sender === 'me' ? 'sent' : 'received',
    heldBy: null,
    hasFile: false,
    ...over,
  };
}

describe('buildTimeline', () => {
  it('puts a separator before the first message of each local day', () => {
    const messages = [msg(day(1, 9), 'bob'), msg(day(1, 23, 59), 'me'), msg(day(2, 0, 1), 'bob')];
    const rows = buildTimeline(messages, { group: false, firstUnreadId: null, unreadCount: 0 });
    expect(rows.map((r) => r.kind)).toEqual(['day', 'message', 'message', 'day', 'message']);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });

  it('shows sender names in groups only where a run of messages starts', () => {
    const messages = [
      msg(day(3, 9, 0), 'bob'),
      msg(day(3, 9, 1), 'bob'),
      msg(day(3, 9, 2), 'carol'),
      msg(day(3, 9, 30), 'carol'),
      msg(day(3, 9, 31), 'me'),
    ];
    const shown = (group: boolean) =>
      buildTimeline(messages, { group, firstUnreadId: null, unreadCount: 0 }).flatMap((r) =>
        r.kind === 'message' ? [r.showSender] : [],
      );
    expect(shown(true)).toEqual([true, false, true, true, false]);
    expect(shown(false)).toEqual([false, false, false, false, false]);
  });

  it('inserts the unread marker before the first unread message and restarts the name run there', () => {
    const messages = [msg(day(4, 9, 0), 'bob'), msg(day(4, 9, 1), 'bob')];
    const second = messages[1];
    if (!second) throw new Error('no message');
    const rows = buildTimeline(messages, { group: true, firstUnreadId: second.id, unreadCount: 1 });
    expect(rows.map((r) => r.kind)).toEqual(['day', 'message', 'unread', 'message']);
    const last = rows.at(-1);
    expect(last?.kind === 'message' && last.showSender).toBe(true);
  });
});

describe('firstUnreadId', () => {
  it('is the first incoming message after the read marker, in timeline order', () => {
    const messages = [msg(1, 'bob'), msg(2, 'bob'), msg(3, 'me'), msg(4, 'bob')];
    const [first, second, , fourth] = messages.map((m) => m.id);
    expect(firstUnreadId(messages, first ?? 0)).toBe(second);
    expect(firstUnreadId(messages, 0)).toBe(first);
    expect(firstUnreadId(messages, fourth ?? 0)).toBeNull();
  });

  it('skips our own messages and system lines, which the core never counts as unread', () => {
    const messages = [
      msg(1, 'bob'),
      msg(2, 'me'),
      msg(3, 'carol', { kind: 'system', body: 'Carol added Bob' }),
      msg(4, 'bob', { kind: 'file', body: 'harbour.png', hasFile: true }),
    ];
    expect(firstUnreadId(messages, messages[0]?.id ?? 0)).toBe(messages[3]?.id);
  });

  it('follows ids, not positions: a late arrival with an older clock is still unread', () => {
    // Bob's clock is behind: his message sorts before ours but reached us after we read up to ours.
    const ours = msg(5, 'me');
    const late = msg(4, 'bob');
    expect(firstUnreadId([late, ours], ours.id)).toBe(late.id);
  });
});

describe('deliveryLabel', () => {
  it('names every outgoing state', () => {
    expect(deliveryLabel({ state: 'pending', heldBy: null })).toBe('Sending');
    expect(deliveryLabel({ state: 'held', heldBy: 'Dave' })).toBe(
      'Held by Dave until the recipient is online',
    );
    expect(deliveryLabel({ state: 'read', heldBy: null })).toBe('Read');
    expect(deliveryLabel({ state: 'received', heldBy: null })).toBeNull();
  });
});

describe('delivery states (issue #17 item 11)', () => {
  const m = (state: MessageView['state'], heldBy: string | null = null) => ({ state, heldBy });
  it('gives each state its own shape and words, the holder by name', () => {
    const states = ['pending', 'sent', 'held', 'delivered', 'read', 'failed'] as const;
    expect(states.map((s) => deliveryShape(s))).toEqual([
      'sending',
      'sent',
      'held',
      'delivered',
      'read',
      'failed',
    ]);
    expect(new Set(states.map((s) => deliveryLabel(m(s)))).size).toBe(states.length);
    expect(deliveryLabel(m('held', 'Carol'))).toBe('Held by Carol until the recipient is online');
    expect(deliveryLabel(m('held'))).toBe('Held by a contact until the recipient is online');
  });

  it('says a waiting message will not be delivered where nothing can be sent any more', () => {
    expect(deliveryLabel(m('pending'), 'You blocked Bob.')).toBe('Will not be delivered. You blocked Bob.');
    expect(deliveryShape('held', 'You blocked Bob.')).toBe('undeliverable');
    // What already arrived keeps its state.
    expect(deliveryLabel(m('read'), 'You blocked Bob.')).toBe('Read');
  });
});
