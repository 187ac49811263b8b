import { z } from 'zod';

/** Shapes of stored conversations and messages as they cross the bridge. Keys travel as hex. */

export const NotifyMode = z.enum(['all', 'mentions', 'muted']);
export const MessageState = z.enum(['pending', 'sent', 'held', 'delivered', 'read', 'received', 'failed']);

/** Someone a system event names: identity key (hex), the name known, and whether it is this user. */
export const EventPerson = z.object({ key: z.string(), name: z.string(), self: z.boolean() });
export type EventPerson = z.infer<typeof EventPerson>;

/**
 * What a system row says (a group or conversation change), as data: the core
 * writes no words, the renderer's presenter (features/chat/systemLine.ts)
 * does, with "You" for this user. `legacy` is a line stored as words before
 * events existed, shown as it is.
 */
export const SystemEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('groupCreated'), actor: EventPerson }),
  z.object({ kind: z.literal('membersAdded'), actor: EventPerson, subjects: z.array(EventPerson) }),
  z.object({ kind: z.literal('memberRemoved'), actor: EventPerson, subject: EventPerson }),
  z.object({ kind: z.literal('memberLeft'), actor: EventPerson }),
  z.object({ kind: z.literal('groupRenamed'), actor: EventPerson, name: z.string() }),
  z.object({
    kind: z.literal('roleChanged'),
    actor: EventPerson,
    subject: EventPerson,
    role: z.enum(['owner', 'admin', 'member']),
  }),
  z.object({ kind: z.literal('timerChanged'), actor: EventPerson, ms: z.number().nullable() }),
  z.object({ kind: z.literal('replacedElsewhere') }),
  z.object({ kind: z.literal('legacy'), text: z.string() }),
]);
export type SystemEvent = z.infer<typeof SystemEvent>;

/**
 * A conversation restored from a backup waits for a member's device online
 * to rejoin (groups/resync.ts): up to three of them by name (as the chat
 * names them), and how many more are not named.
 */
export const RestoreWaiting = z.object({
  kind: z.literal('restoring'),
  waitingFor: z.array(z.string()),
  others: z.number().int().nonnegative(),
});
export type RestoreWaiting = z.infer<typeof RestoreWaiting>;

/**
 * Why nothing can be sent in a conversation any more, as data (issue 16
 * item 5: the core writes no words): the renderer's presenter
 * (features/chat/readOnlyWords.ts) says it, naming a DM's contact by the
 * conversation's title. `replaced`: this profile was restored on another
 * device, which took the conversation over.
 */
export const ReadOnlyReason = z.union([
  z.object({ kind: z.enum(['left', 'removed', 'replaced', 'dmClosed', 'blocked', 'contactRemoved']) }),
  RestoreWaiting,
]);
export type ReadOnlyReason = z.infer<typeof ReadOnlyReason>;

export const ConversationSummary = z.object({
  id: z.number().int(),
  kind: z.enum(['dm', 'group']),
  title: z.string(),
  lastActivityAt: z.number(),
  unreadCount: z.number().int().nonnegative(),
  notify: NotifyMode,
  disappearAfterMs: z.number().nullable(),
  /** Why nothing can be sent here any more (left, removed, blocked, awaiting a resync); null when writable. */
  readOnly: ReadOnlyReason.nullable(),
  lastMessage: z
    .object({
      id: z.number().int(),
      preview: z.string(),
      sentAt: z.number(),
      outgoing: z.boolean(),
      deleted: z.boolean(),
      /** For a system row: what it says (the preview is empty then). */
      event: SystemEvent.nullable(),
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
  /** null when deleted for everyone, and for system rows (their `event` says what happened). */
  body: z.string().nullable(),
  /** What a system row says; null for every other kind. */
  event: SystemEvent.nullable(),
  replyToUid: z.string().nullable(),
  sentAt: z.number(),
  editedAt: z.number().nullable(),
  deletedAt: z.number().nullable(),
  expiresAt: z.number().nullable(),
  state: MessageState,
  /** Who holds it for delivery (state `held`), by name: a contact, or our own other device; null when unknown. */
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
  /**
   * The conversation's read state, read in the same snapshot as `messages`:
   * the chat places its "unread" marker from this, not from the home list,
   * which lags behind messages that arrive while the chat opens.
   */
  unread: z.object({
    /** Incoming, non-system messages after the read marker (what the home list shows). */
    count: z.number().int().nonnegative(),
    /** Every message with a larger id is unread; 0 when nothing was read yet. */
    lastReadMessageId: z.number().int().nonnegative(),
  }),
});
export type MessagePage = z.infer<typeof MessagePage>;

export const SearchHit = z.object({
  messageId: z.number().int(),
  conversationId: z.number().int(),
  conversationName: z.string(),
  senderName: z.string(),
  outgoing: z.boolean(),
  sentAt: z.number(),
  snippet: z.string(),
  /** [start, end) UTF-16 offsets into `snippet` of the matched words. */
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
  /** Where the UI jumps to (then `messages.page` with `around: messageId`). */
  position: z.object({ conversationId: z.number().int(), messageId: z.number().int(), sentAt: z.number() }),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResult = z.object({
  hits: z.array(SearchHit),
  /** Hints about the query ("Unknown date …"), shown under the search box. */
  problems: z.array(z.string()),
});
export type SearchResult = z.infer<typeof SearchResult>;
