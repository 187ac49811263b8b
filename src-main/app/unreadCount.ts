import type { ConversationSummary } from '../../src-shared/contract';
import type { Core } from '../core/core';

/** What the renderer's title counts: unread messages in conversations that are not muted. */
export function totalUnread(conversations: readonly ConversationSummary[]): number {
  return conversations.reduce((sum, c) => sum + (c.notify === 'muted' ? 0 : c.unreadCount), 0);
}

/** Changes that may move the count; read again at most every DEBOUNCE_MS. */
const TRIGGERS = new Set(['profile.changed', 'conversations.changed', 'messages.changed']);
const DEBOUNCE_MS = 150;

/**
 * Follows the unread count for the tray and the dock/taskbar badge: re-read
 * from the core (`conversations.list`) after changes, 0 while locked.
 * `onCount` is called only when the number changes. Returns a stop function.
 */
export function watchUnread(
  core: Pick<Core, 'onEvent' | 'dispatch'>,
  onCount: (count: number, unlocked: boolean) => void,
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last: { count: number; unlocked: boolean } | null = null;
  let stopped = false;
  const report = (count: number, unlocked: boolean) => {
    if (stopped || (last && last.count === count && last.unlocked === unlocked)) return;
    last = { count, unlocked };
    onCount(count, unlocked);
  };
  const read = async () => {
    timer = null;
    const reply = await core.dispatch('conversations.list', {});
    // LOCKED (or anything else): nothing unread to show.
    if (!reply.ok) report(0, false);
    else report(totalUnread(reply.value as ConversationSummary[]), true);
  };
  const stop = core.onEvent((name, payload) => {
    if (!TRIGGERS.has(name)) return;
    if (name === 'profile.changed' && (payload as { state: string }).state !== 'unlocked') {
      if (timer) clearTimeout(timer);
      timer = null;
      report(0, false);
      return;
    }
    timer ??= setTimeout(() => void read(), DEBOUNCE_MS);
  });
  void read();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    stop();
  };
}
