import { z } from 'zod';
import type { EventTable, RequestTable } from './table';

/**
 * The chat view's helpers (issue #7 item 3): who can be @mentioned and who is
 * typing in a conversation, and the chat preferences (read receipts, typing
 * indicators) that turn the last two off.
 */

export const ChatMember = z.object({ key: z.string(), name: z.string(), self: z.boolean() });
export type ChatMember = z.infer<typeof ChatMember>;

export const ChatPreferences = z.object({
  /** Send read receipts; off also hides others' (you do not learn when others read). */
  readReceipts: z.boolean(),
  /** Send "typing…" and show others'. */
  typingIndicators: z.boolean(),
});
export type ChatPreferences = z.infer<typeof ChatPreferences>;

export const chatRequests = {
  /** Members of a conversation (for @ autocomplete) and who is typing there now. */
  'chat.members': {
    params: z.object({ conversationId: z.number().int() }).strict(),
    result: z.object({ members: z.array(ChatMember), typing: z.array(z.string()) }),
  },
  'chat.preferences.get': { params: z.object({}).strict(), result: ChatPreferences },
  'chat.preferences.set': { params: ChatPreferences.partial().strict(), result: ChatPreferences },
} as const satisfies RequestTable;

export const chatEvents = {} as const satisfies EventTable;
