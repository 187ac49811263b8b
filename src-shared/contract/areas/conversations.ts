import { z } from 'zod';
import { NotifyMode } from '../store';
import type { EventTable, RequestTable } from './table';

/**
 * Per-conversation settings (issue #6 items 3 and 7): the disappearing-message
 * timer, notification mode, read state; notification preferences and the
 * notification event a shell turns into an OS notification.
 */

/**
 * The timer choices the UI offers (ms): 30 seconds, 5 minutes, 1 hour, 8 hours,
 * 1 day, 1 week, 4 weeks; null is off. A custom timer is any whole number of
 * seconds between the shortest and the longest (issue #17 item 5).
 */
export const TIMER_CHOICES_MS = [
  30_000,
  5 * 60_000,
  3_600_000,
  8 * 3_600_000,
  86_400_000,
  7 * 86_400_000,
  28 * 86_400_000,
] as const;
export const TIMER_MIN_MS = 30_000;
export const TIMER_MAX_MS = 28 * 86_400_000;

/**
 * "5 minutes", "1 hour", "1 day", "1 week", or the nearest whole unit for
 * other values. One wording for the chat notice the core stores
 * (content/timers.ts) and the menus the renderer shows.
 */
export function describeTimer(ms: number): string {
  const units: [number, string][] = [
    [7 * 86_400_000, 'week'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  const seconds = Math.max(1, Math.round(ms / 1_000));
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

const TimerMs = z
  .number()
  .int()
  .refine((ms) => ms >= TIMER_MIN_MS && ms <= TIMER_MAX_MS && ms % 1_000 === 0, {
    message: 'Pick a time between 30 seconds and 4 weeks.',
  });

const ConversationId = z.object({ conversationId: z.number().int() });

export const NotificationPrefs = z.object({
  /** Show who wrote and what; off: "New message" only. */
  showContent: z.boolean(),
});
export type NotificationPrefs = z.infer<typeof NotificationPrefs>;

export const conversationsRequests = {
  /**
   * Sets the disappearing-message timer for everyone in the conversation
   * (groups: owners and admins only); announced in the chat. New messages
   * expire this long after they reach each device.
   */
  'conversations.setTimer': {
    params: ConversationId.extend({ ms: TimerMs.nullable() }).strict(),
    result: z.object({ disappearAfterMs: z.number().nullable() }),
  },
  /** Notifications for this conversation on this device: all, mentions only, or muted. */
  'conversations.setNotify': {
    params: ConversationId.extend({ mode: NotifyMode }).strict(),
    result: z.object({ notify: NotifyMode }),
  },
  /** Marks every conversation read. */
  'conversations.markAllRead': { params: z.object({}).strict(), result: z.object({}) },
  'notifications.getPrefs': { params: z.object({}).strict(), result: NotificationPrefs },
  'notifications.setPrefs': { params: NotificationPrefs.strict(), result: NotificationPrefs },
} as const satisfies RequestTable;

export const conversationsEvents = {
  /**
   * A new message deserves a notification (per the conversation's mode, never
   * for our own). title/body already follow the "show content" preference.
   */
  notification: z.object({
    conversationId: z.number().int(),
    messageId: z.number().int(),
    title: z.string(),
    body: z.string(),
  }),
  /** The shell asks the UI to open a conversation (its notification was clicked). */
  'notification.open': z.object({ conversationId: z.number().int() }),
} as const satisfies EventTable;
