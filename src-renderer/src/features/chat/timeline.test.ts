import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../../src-preload/contract';
import { buildTimeline, deliveryLabel, firstUnreadId } from './timeline';

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
  it('is the unreadCount-th incoming message from the end', () => {
    const messages = [msg(1, 'bob'), msg(2, 'bob'), msg(3, 'me'), msg(4, 'bob')];
    expect(firstUnreadId(messages, 2)).toBe(messages[1]?.id);
    expect(firstUnreadId(messages, 0)).toBeNull();
    expect(firstUnreadId(messages, 9)).toBeNull();
  });
});

describe('deliveryLabel', () => {
  it('names every outgoing state', () => {
    expect(deliveryLabel({ state: 'pending', heldBy: null })).toBe('Sending');
    expect(deliveryLabel({ state: 'held', heldBy: 'Dave' })).toBe('Held by Dave');
    expect(deliveryLabel({ state: 'read', heldBy: null })).toBe('Read');
    expect(deliveryLabel({ state: 'received', heldBy: null })).toBeNull();
  });
});
