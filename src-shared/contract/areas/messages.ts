import { z } from 'zod';
import { MESSAGE_MAX_LENGTH } from '../net';
import { MessagePage, MessageView, PageRequest } from '../store';
import type { EventTable, RequestTable } from './table';

/**
 * Messages (issue #6 item 1, issue #7 item 3): pages of a conversation, the
 * one send request, replies, @mentions, reactions, edits with history, delete
 * for me / for everyone, and this user's typing state. Everything a user
 * sends here travels inside MLS application messages
 * (src-main/core/content/content.ts).
 */

const MessageUid = z.string().regex(/^[0-9a-f]{32}$/);
/** Identity keys (hex) of mentioned members. */
const Mentions = z
  .array(z.string().regex(/^[0-9a-fA-F]{64}$/, 'A mention names a member by identity key.'))
  .max(64, 'At most 64 mentions in one message.');
const MessageText = z
  .string()
  .min(1, 'Type a message.')
  .max(MESSAGE_MAX_LENGTH, `A message is at most ${MESSAGE_MAX_LENGTH} characters.`)
  .refine((s) => s.trim().length > 0, 'Type a message.');
const Target = z.object({ conversationId: z.number().int(), messageId: z.number().int() });

export const ReactionSummary = z.object({
  emoji: z.string(),
  count: z.number().int().positive(),
  /** This user is one of the reactors (the chip is highlighted, a click takes it back). */
  mine: z.boolean(),
  /** Who reacted, for the chip's tooltip. */
  names: z.array(z.string()),
});
export type ReactionSummary = z.infer<typeof ReactionSummary>;

export const ReplyPreview = z.object({
  uid: z.string(),
  /** The original's id here; null when it is not on this device (not arrived, deleted for me). */
  messageId: z.number().int().nullable(),
  senderName: z.string().nullable(),
  /** The start of the original's text; null when deleted or missing. */
  excerpt: z.string().nullable(),
  deleted: z.boolean(),
});
export type ReplyPreview = z.infer<typeof ReplyPreview>;

/** What a chat row shows besides its MessageView: reactions, the quoted original, mentions. */
export const MessageExtras = z.object({
  messageId: z.number().int(),
  reactions: z.array(ReactionSummary),
  reply: ReplyPreview.nullable(),
  /** The mentioned members (to highlight "@Name" in the text). */
  mentions: z.array(z.object({ key: z.string(), name: z.string(), self: z.boolean() })),
  /** This user is mentioned: the row stands out. */
  mentionsMe: z.boolean(),
});
export type MessageExtras = z.infer<typeof MessageExtras>;

/**
 * A page with the extras of its rows (system rows have none): everything a
 * chat screen draws, in one round trip and one read snapshot. Opening a
 * conversation used to wait for the page, then ask for its extras.
 */
export const ChatPage = MessagePage.extend({ extras: z.array(MessageExtras) });
export type ChatPage = z.infer<typeof ChatPage>;

export const MessageHistory = z.object({
  /** Every version, oldest first; the last is the current text. `at`: when it was written. */
  versions: z.array(z.object({ body: z.string(), at: z.number() })),
  /** Members who read it (from their receipts), for the info panel. */
  readBy: z.array(z.object({ name: z.string(), at: z.number() })),
});
export type MessageHistory = z.infer<typeof MessageHistory>;

const Ok = z.object({});

export const messagesRequests = {
  /** A page of a conversation (latest, before/after a cursor, or around a message), oldest first, with its rows' extras. */
  'messages.page': {
    params: z
      .object({
        conversationId: z.number().int(),
        at: PageRequest,
        limit: z.number().int().min(1).max(200).optional(),
      })
      .strict(),
    result: ChatPage,
  },
  /**
   * Sends a text, with an optional reply (to a message of this conversation)
   * and @mentions (of its members): the one send request of the composer,
   * the web shell and the CLI. It comes back `pending` and moves on (see
   * `messages.changed`).
   */
  'messages.send': {
    params: z
      .object({
        conversationId: z.number().int(),
        text: MessageText,
        replyToUid: MessageUid.optional(),
        mentions: Mentions.optional(),
      })
      .strict(),
    result: MessageView,
  },
  /** Adds (`on: true`) or takes back a reaction; several emoji per user are fine. */
  'messages.react': {
    params: Target.extend({
      emoji: z.string().min(1, 'Pick an emoji.').max(32, 'A reaction is one emoji.'),
      on: z.boolean(),
    }).strict(),
    result: Ok,
  },
  /** Replaces the text of one of your messages; the old text stays in its history. */
  'messages.edit': {
    params: Target.extend({ text: MessageText, mentions: Mentions.optional() }).strict(),
    result: MessageView,
  },
  /** Deletes messages for you only, or one of your own for everyone. */
  'messages.delete': {
    params: z
      .object({
        conversationId: z.number().int(),
        messageIds: z.array(z.number().int()).min(1).max(200),
        scope: z.enum(['me', 'everyone']),
      })
      .strict(),
    result: Ok,
  },
  /** An edited message's versions and who read it. */
  'messages.history': { params: Target.strict(), result: MessageHistory },
  /** Reactions, reply previews and mentions of the rows on screen. */
  'messages.extras': {
    params: z
      .object({ conversationId: z.number().int(), messageIds: z.array(z.number().int()).max(200) })
      .strict(),
    result: z.array(MessageExtras),
  },
  /** You are typing (true on keystrokes, throttled by the core) or stopped (false). */
  'messages.typing': {
    params: z.object({ conversationId: z.number().int(), typing: z.boolean() }).strict(),
    result: Ok,
  },
} as const satisfies RequestTable;

export const messagesEvents = {
  /** Messages of this conversation were added or changed state (refetch the page you show). */
  'messages.changed': z.object({ conversationId: z.number().int() }),
} as const satisfies EventTable;
