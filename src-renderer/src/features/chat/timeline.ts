import type { MessageView } from '../../../../src-shared/contract';
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
 * Where the "unread" marker goes on a freshly opened latest page: the first
 * row, in timeline order, that the core counts as unread: incoming, not a
 * system line (the unread_count trigger of migration 0002 skips both), and
 * newer than the read marker. Both come from the same messages.page answer,
 * so a message that arrived while the chat opened can neither hide under the
 * marker nor shift it. Null when nothing on this page is unread.
 */
export function firstUnreadId(messages: readonly MessageView[], lastReadMessageId: number): number | null {
  for (const m of messages) {
    if (!m.sender.self && m.kind !== 'system' && m.id > lastReadMessageId) return m.id;
  }
  return null;
}

/**
 * The accessible wording of an outgoing message's delivery state (issue #17
 * item 11). `undeliverable` is why the conversation can no longer send (e.g.
 * "You blocked Bob."): a message still waiting there will not be delivered,
 * and says so instead of showing a clock for ever.
 */
export function deliveryLabel(
  message: Pick<MessageView, 'state' | 'heldBy'>,
  undeliverable: string | null = null,
): string | null {
  if (undeliverable && (message.state === 'pending' || message.state === 'held')) {
    return `Will not be delivered. ${undeliverable}`;
  }
  switch (message.state) {
    case 'pending':
      return 'Sending';
    case 'sent':
      return 'Sent';
    case 'held':
      return message.heldBy
        ? `Held by ${message.heldBy} until the recipient is online`
        : 'Held by a contact until the recipient is online';
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

/** Which shape a delivery state shows: each state its own (not only a colour). */
export type DeliveryShape = 'sending' | 'sent' | 'held' | 'delivered' | 'read' | 'failed' | 'undeliverable';

export function deliveryShape(
  state: MessageView['state'],
  undeliverable: string | null = null,
): DeliveryShape | null {
  if (undeliverable && (state === 'pending' || state === 'held')) return 'undeliverable';
  switch (state) {
    case 'pending':
      return 'sending';
    case 'received':
      return null;
    default:
      return state;
  }
}
