import { describe, expect, it, vi } from 'vitest';
import type { ConversationSummary, Reply } from '../../src-shared/contract';
import { EventBus } from '../core/rpc/eventBus';
import { totalUnread, watchUnread } from './unreadCount';

const conv = (unreadCount: number, notify = 'all') =>
  ({ unreadCount, notify }) as unknown as ConversationSummary;

describe('unread count for the tray and badge', () => {
  it('counts what the window title counts: unread in conversations that are not muted', () => {
    expect(totalUnread([conv(2), conv(5, 'muted'), conv(1, 'mentions')])).toBe(3);
  });

  it('re-reads after changes (debounced), reports only changes, and 0 when locked', async () => {
    vi.useFakeTimers();
    try {
      const bus = new EventBus();
      let list: ConversationSummary[] = [];
      let locked = false;
      const dispatch = vi.fn(async (): Promise<Reply<unknown>> =>
        locked ? { ok: false, error: { code: 'LOCKED', message: 'x' } } : { ok: true, value: list },
      );
      const seen: [number, boolean][] = [];
      const stop = watchUnread({ onEvent: (l) => bus.on(l), dispatch }, (n, u) => seen.push([n, u]));
      await vi.advanceTimersByTimeAsync(0);
      expect(seen).toEqual([[0, true]]);
      list = [conv(2)];
      bus.emit('messages.changed', { conversationId: 1 });
      bus.emit('messages.changed', { conversationId: 1 });
      bus.emit('conversations.changed', {});
      await vi.advanceTimersByTimeAsync(200);
      expect(seen).toEqual([
        [0, true],
        [2, true],
      ]);
      expect(dispatch).toHaveBeenCalledTimes(2);
      bus.emit('conversations.changed', {});
      await vi.advanceTimersByTimeAsync(200);
      expect(seen).toHaveLength(2);
      locked = true;
      bus.emit('profile.changed', { state: 'locked' });
      expect(seen.at(-1)).toEqual([0, false]);
      stop();
      bus.emit('conversations.changed', {});
      await vi.advanceTimersByTimeAsync(200);
      expect(seen).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
