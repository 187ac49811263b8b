import { z } from 'zod';
import type { EventTable, RequestTable } from './table';

/**
 * Notifications (issue #6 item 7): the preference for what they show, the
 * event a shell turns into an OS notification, and the shell's request to
 * open the conversation whose notification was clicked. Per-conversation
 * modes (all, mentions, muted) are `conversations.setNotify`.
 */

export const NotificationPrefs = z.object({
  /** Show who wrote and what; off: "New message" only. */
  showContent: z.boolean(),
});
export type NotificationPrefs = z.infer<typeof NotificationPrefs>;

export const notificationsRequests = {
  'notifications.getPrefs': { params: z.object({}).strict(), result: NotificationPrefs },
  'notifications.setPrefs': { params: NotificationPrefs.strict(), result: NotificationPrefs },
} as const satisfies RequestTable;

export const notificationsEvents = {
  /**
   * A new message deserves a notification (per the conversation's mode, never
   * for our own). title/body already follow the "show content" preference.
   */
  'notifications.show': z.object({
    conversationId: z.number().int(),
    messageId: z.number().int(),
    title: z.string(),
    body: z.string(),
  }),
  /** The shell asks the UI to open a conversation (its notification was clicked). */
  'notifications.open': z.object({ conversationId: z.number().int() }),
} as const satisfies EventTable;
