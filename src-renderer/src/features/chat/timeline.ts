import type { MessageView } from '../../../../src-preload/contract';
import { dayKey } from '../../lib/time';

/** One row of the virtualized timeline. Keys are stable across page loads so measured heights are reused. */
export type TimelineRow =
  | { kind: 'day'; key: string; at: number }
  | { kind: 'unread'; key: 'unread'; count: number }
  | { kind: 'message'; key: string; message: MessageView; showSender: boolean };

/** Two messages from one sender within this span read as one group (no repeated name). */
const GROUP_SPAN_MS = 5 * 60_000;

/**
 * Turns a page-loaded slice of messages (oldest first) into timeline rows: a
 * day separator before the first message of each local day, an "unread"
 * marker before `firstUnreadId`, and the sender's name only where a new run
 * of messages starts (groups only; in a DM the name says nothing).
 */
export function buildTimeline(
  messages: readonly MessageView[],
  options: { group: boolean; firstUnreadId: number | null; unreadCount: number },
): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let previous: MessageView | null = null;
  for (const message of messages) {
    const day = dayKey(message.sentAt);
    const newDay = !previous || dayKey(previous.sentAt) !== day;
    if (newDay) rows.push({ kind: 'day', key: `day:${day}`, at: message.sentAt });
    const unreadHere = message.id === options.firstUnreadId;
    if (unreadHere) rows.push({ kind: 'unread', key: 'unread', count: options.unreadCount });
    const continues =
      previous !== null &&
      !newDay &&
      !unreadHere &&
      previous.sender.key === message.sender.key &&
      previous.kind !== 'system' &&
      message.sentAt - previous.sentAt < GROUP_SPAN_MS;
    rows.push({
      kind: 'message',
      key: `m:${message.id}`,
      message,
      showSender: options.group && !message.sender.self && message.kind !== 'system' && !continues,
    });
    previous = message;
  }
  return rows;
}

/**
 * The oldest unread message of a freshly opened latest page: the core keeps an
 * unread count, not a marker, so it is the `unreadCount`-th incoming message
 * counted from the end. Null when nothing is unread or it is not on this page.
 */
export function firstUnreadId(messages: readonly MessageView[], unreadCount: number): number | null {
  if (unreadCount <= 0) return null;
  let seen = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!m || m.sender.self) continue;
    seen++;
    if (seen === unreadCount) return m.id;
  }
  return null;
}

/** The accessible wording of an outgoing message's delivery state. */
export function deliveryLabel(message: Pick<MessageView, 'state' | 'heldBy'>): string | null {
  switch (message.state) {
    case 'pending':
      return 'Sending';
    case 'sent':
      return 'Sent';
    case 'held':
      return message.heldBy ? `Held by ${message.heldBy}` : 'Held for delivery';
    case 'delivered':
      return 'Delivered';
    case 'read':
      return 'Read';
    case 'failed':
      return 'Not sent';
    case 'received':
      return null;
  }
}
