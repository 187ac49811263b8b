import { z } from 'zod';

/** Shapes of stored conversations and messages as they cross the bridge. Keys travel as hex. */

export const NotifyMode = z.enum(['all', 'mentions', 'muted']);
export const MessageState = z.enum(['pending', 'sent', 'held', 'delivered', 'read', 'received', 'failed']);

export const ConversationSummary = z.object({
  id: z.number().int(),
  kind: z.enum(['dm', 'group']),
  title: z.string(),
  lastActivityAt: z.number(),
  unreadCount: z.number().int().nonnegative(),
  notify: NotifyMode,
  disappearAfterMs: z.number().nullable(),
  lastMessage: z
    .object({
      id: z.number().int(),
      preview: z.string(),
      sentAt: z.number(),
      outgoing: z.boolean(),
      deleted: z.boolean(),
    })
    .nullable(),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

export const MessageView = z.object({
  id: z.number().int(),
  conversationId: z.number().int(),
  uid: z.string(),
  sender: z.object({ key: z.string(), name: z.string(), self: z.boolean() }),
  kind: z.enum(['text', 'file', 'system']),
  /** null when deleted for everyone. */
  body: z.string().nullable(),
  replyToUid: z.string().nullable(),
  sentAt: z.number(),
  editedAt: z.number().nullable(),
  deletedAt: z.number().nullable(),
  expiresAt: z.number().nullable(),
  state: MessageState,
  heldBy: z.string().nullable(),
  hasFile: z.boolean(),
});
export type MessageView = z.infer<typeof MessageView>;

const Cursor = z.object({ sentAt: z.number(), id: z.number().int() }).strict();

export const PageRequest = z.union([
  z.object({ latest: z.literal(true) }).strict(),
  z.object({ before: Cursor }).strict(),
  z.object({ after: Cursor }).strict(),
  z.object({ around: z.number().int() }).strict(),
]);

export const MessagePage = z.object({
  messages: z.array(MessageView),
  hasOlder: z.boolean(),
  hasNewer: z.boolean(),
});
export type MessagePage = z.infer<typeof MessagePage>;
