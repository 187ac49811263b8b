import type { StateCreator } from 'zustand';
import type { ErrorPayload, MessageView, Reply } from '../../../src-shared/contract';
import type { ChatMember } from '../../../src-shared/contract/areas/chat';
import type { ChatPage, MessageExtras, MessageHistory } from '../../../src-shared/contract/areas/messages';
import { api, toErrorPayload } from '../api/client';
import { toggleReaction } from '../features/chat/reactions';
import { firstUnreadId } from '../features/chat/timeline';
import type { AppState } from './appStore';
import { toReply } from './toReply';

/** Messages per page: a few screens, small enough to arrive in one frame or two. */
export const PAGE_SIZE = 100;

export interface ChatState {
  conversationId: number;
  /** Bumped on every open so late answers for a previous open are dropped. */
  session: number;
  messages: MessageView[];
  hasOlder: boolean;
  hasNewer: boolean;
  loading: boolean;
  loadingOlder: boolean;
  loadingNewer: boolean;
  error: ErrorPayload | null;
  /** Where the "unread" marker goes, fixed when the conversation opens. */
  firstUnreadId: number | null;
  /** Messages up to this id are read (the page's read marker, then what this view marked). */
  readUpTo: number;
  unreadAtOpen: number;
  /** A message to scroll to and highlight (a search jump); null scrolls to the latest. */
  focusMessageId: number | null;
  /** Changes whenever the view should scroll to its target again (open, jump, jump to latest). */
  scrollRequest: number;
  /** Reactions, reply quotes and mentions of the loaded rows, by message id. */
  extras: Record<number, MessageExtras>;
  /** The message the next send replies to. */
  replyTo: MessageView | null;
  /** Our message the composer is editing. */
  editing: MessageView | null;
  /** Who is typing here now. */
  typing: string[];
  /** Members, for @ autocomplete. */
  members: ChatMember[];
  /** Messages changed while the first page was loading (it may predate them): re-read it once it lands. */
  refreshAfterLoad: boolean;
}

export interface ChatSlice {
  chat: ChatState | null;
  /**
   * Counts opens and scroll requests in this window, so each gets a number
   * never used before: a late answer for an earlier open is told apart, and
   * the view knows when to scroll again.
   */
  chatSerial: number;
  /** Opens a conversation at its latest page, or around `aroundMessageId` (a search hit). */
  openConversation(conversationId: number, aroundMessageId?: number): Promise<void>;
  closeConversation(): void;
  loadOlder(): Promise<void>;
  loadNewer(): Promise<void>;
  jumpToLatest(): Promise<void>;
  /** Marks read up to `upToMessageId`, the newest message seen on screen in a focused window. */
  markConversationRead(upToMessageId: number): Promise<void>;
  /** Sends a text (replying to `replyTo`, with @mentions) in the open conversation; false (and `sendError`) when it failed. */
  sendMessage(text: string, mentions?: string[]): Promise<boolean>;
  sendError: ErrorPayload | null;
  /** A reaction, edit or delete that failed (shown above the composer). */
  chatActionError: ErrorPayload | null;
  dismissChatActionError(): void;
  startReply(message: MessageView): void;
  cancelReply(): void;
  startEdit(message: MessageView): void;
  /** Up arrow in an empty composer: edit our newest message that can still be edited. Returns whether one was found. */
  editLast(): boolean;
  cancelEdit(): void;
  /** Saves the edit; false (and `sendError`) when it failed. */
  submitEdit(text: string, mentions?: string[]): Promise<boolean>;
  /** Adds our `emoji` reaction, or takes it back when we have it. */
  toggleReaction(messageId: number, emoji: string): Promise<void>;
  deleteMessage(messageId: number, scope: 'me' | 'everyone'): Promise<boolean>;
  /** Who read a message and its edit history (the message info dialog). */
  messageHistory(conversationId: number, messageId: number): Promise<Reply<MessageHistory>>;
  /** Scrolls to a message of the open conversation (a reply's original), loading the page around it. */
  jumpToMessage(messageId: number): Promise<void>;
  /** The core says this conversation's messages changed: re-read the latest page if it is on screen. */
  refreshMessages(conversationId: number): Promise<void>;
}

/** A page's extras by message id (they come with the page: one round trip). */
function extrasById(page: ChatPage): Record<number, MessageExtras> {
  const out: Record<number, MessageExtras> = {};
  for (const e of page.extras) out[e.messageId] = e;
  return out;
}

/** Extras of these messages; a failure leaves rows without them (best effort, the next refresh retries). */
async function extrasOf(
  conversationId: number,
  messages: MessageView[],
): Promise<Record<number, MessageExtras>> {
  const ids = messages.filter((m) => m.kind !== 'system').map((m) => m.id);
  const out: Record<number, MessageExtras> = {};
  for (let i = 0; i < ids.length; i += 200) {
    try {
      for (const e of await api.messageExtras(conversationId, ids.slice(i, i + 200))) out[e.messageId] = e;
    } catch {
      return out;
    }
  }
  return out;
}

export const createChatSlice: StateCreator<AppState, [], [], ChatSlice> = (set, get) => {
  /** Applies `update` only if the chat is still the one `session` started. */
  function patch(session: number, update: (chat: ChatState) => Partial<ChatState>): void {
    const chat = get().chat;
    if (!chat || chat.session !== session) return;
    set({ chat: { ...chat, ...update(chat) } });
  }

  /** The next number of `chatSerial`. */
  function serial(): number {
    const next = get().chatSerial + 1;
    set({ chatSerial: next });
    return next;
  }

  async function openAt(conversationId: number, around: number | undefined): Promise<void> {
    const session = serial();
    const summary = get().conversations.find((c) => c.id === conversationId);
    const unread = summary?.unreadCount ?? 0;
    const previous = get().chat;
    set({
      chat: {
        conversationId,
        session,
        // Jumping inside the open conversation keeps the rows on screen until the new page arrives.
        messages: previous?.conversationId === conversationId ? previous.messages : [],
        hasOlder: false,
        hasNewer: false,
        loading: true,
        loadingOlder: false,
        loadingNewer: false,
        error: null,
        firstUnreadId: null,
        readUpTo: previous?.conversationId === conversationId ? previous.readUpTo : 0,
        unreadAtOpen: unread,
        focusMessageId: around ?? null,
        scrollRequest: session,
        extras: previous?.conversationId === conversationId ? previous.extras : {},
        replyTo: previous?.conversationId === conversationId ? previous.replyTo : null,
        editing: previous?.conversationId === conversationId ? previous.editing : null,
        typing: previous?.conversationId === conversationId ? previous.typing : [],
        members: previous?.conversationId === conversationId ? previous.members : [],
        refreshAfterLoad: false,
      },
    });
    // The page first: the core answers in order, and the rows are what the open waits for.
    const pageRequest = api.messagesPage(
      conversationId,
      around === undefined ? { latest: true } : { around },
      PAGE_SIZE,
    );
    if (previous?.conversationId !== conversationId) {
      void api
        .chatMembers(conversationId)
        .then(({ members, typing }) => patch(session, () => ({ members, typing })))
        .catch(() => undefined);
    }
    try {
      const page = await pageRequest;
      const extras = extrasById(page);
      // The marker and its count come with the page (one snapshot): the home list's count was read
      // earlier and misses messages that arrived while the chat opened.
      const latest = around === undefined && page.unread.count > 0;
      patch(session, (c) => ({
        extras: { ...c.extras, ...extras },
        messages: page.messages,
        hasOlder: page.hasOlder,
        hasNewer: page.hasNewer,
        loading: false,
        firstUnreadId: latest ? firstUnreadId(page.messages, page.unread.lastReadMessageId) : null,
        readUpTo: Math.max(c.readUpTo, page.unread.lastReadMessageId),
        unreadAtOpen: latest ? page.unread.count : 0,
        scrollRequest: serial(),
      }));
      if (get().chat?.session === session && unread !== page.unread.count) {
        get().setUnread(conversationId, page.unread.count);
      }
      if (get().chat?.session === session && get().chat?.refreshAfterLoad) {
        patch(session, () => ({ refreshAfterLoad: false }));
        void get().refreshMessages(conversationId);
      }
    } catch (err) {
      patch(session, () => ({ loading: false, error: toErrorPayload(err) }));
    }
  }

  /** Runs a reaction/edit/delete; a failure is shown as `chatActionError`. */
  async function action(run: () => Promise<unknown>): Promise<boolean> {
    set({ chatActionError: null });
    try {
      await run();
      return true;
    } catch (err) {
      set({ chatActionError: toErrorPayload(err) });
      return false;
    }
  }

  return {
    chat: null,
    chatSerial: 0,
    sendError: null,
    chatActionError: null,
    dismissChatActionError: () => set({ chatActionError: null }),
    startReply(message) {
      const chat = get().chat;
      if (chat) set({ chat: { ...chat, replyTo: message, editing: null } });
    },
    cancelReply() {
      const chat = get().chat;
      if (chat) set({ chat: { ...chat, replyTo: null } });
    },
    startEdit(message) {
      const chat = get().chat;
      if (!chat || !message.sender.self || message.body === null || message.deletedAt !== null) return;
      set({ chat: { ...chat, editing: message, replyTo: null }, sendError: null });
    },
    editLast() {
      const chat = get().chat;
      if (!chat) return false;
      const last = [...chat.messages]
        .reverse()
        .find((m) => m.sender.self && m.kind !== 'system' && m.body !== null && m.deletedAt === null);
      if (!last) return false;
      get().startEdit(last);
      return true;
    },
    cancelEdit() {
      const chat = get().chat;
      if (chat) set({ chat: { ...chat, editing: null } });
    },
    async submitEdit(text, mentions) {
      const chat = get().chat;
      const editing = chat?.editing;
      if (!chat || !editing) return false;
      set({ sendError: null });
      try {
        const updated = await api.editMessage(chat.conversationId, editing.id, text, mentions);
        patch(chat.session, (c) => ({
          editing: null,
          messages: c.messages.map((m) => (m.id === updated.id ? updated : m)),
        }));
        return true;
      } catch (err) {
        set({ sendError: toErrorPayload(err) });
        return false;
      }
    },
    async toggleReaction(messageId, emoji) {
      const chat = get().chat;
      if (!chat) return;
      const before = chat.extras[messageId]?.reactions ?? [];
      const { on, next } = toggleReaction(before, emoji);
      const setReactions = (reactions: MessageExtras['reactions']) =>
        patch(chat.session, (c) => {
          const current = c.extras[messageId] ?? {
            messageId,
            reactions: [],
            reply: null,
            mentions: [],
            mentionsMe: false,
          };
          return { extras: { ...c.extras, [messageId]: { ...current, reactions } } };
        });
      // Shown at once; put back if the core refuses.
      setReactions(next);
      const ok = await action(() => api.react(chat.conversationId, messageId, emoji, on));
      if (!ok) setReactions(before);
    },
    async deleteMessage(messageId, scope) {
      const chat = get().chat;
      if (!chat) return false;
      const ok = await action(() => api.deleteMessages(chat.conversationId, [messageId], scope));
      if (ok && scope === 'me') {
        patch(chat.session, (c) => ({
          messages: c.messages.filter((m) => m.id !== messageId),
          replyTo: c.replyTo?.id === messageId ? null : c.replyTo,
          editing: c.editing?.id === messageId ? null : c.editing,
        }));
      }
      return ok;
    },
    messageHistory: (conversationId, messageId) => toReply(api.messageHistory(conversationId, messageId)),
    async jumpToMessage(messageId) {
      const chat = get().chat;
      if (!chat) return;
      if (chat.messages.some((m) => m.id === messageId)) {
        set({ chat: { ...chat, focusMessageId: messageId, scrollRequest: serial() } });
        return;
      }
      await openAt(chat.conversationId, messageId);
    },
    async sendMessage(text, mentions) {
      const chat = get().chat;
      if (!chat) return false;
      const replyTo = chat.replyTo;
      // The reply banner goes with this message: the next one, typed while this is on its way, is not a reply.
      patch(chat.session, () => ({ replyTo: null }));
      set({ sendError: null });
      try {
        const sent = await api.sendMessage(chat.conversationId, text, replyTo?.uid, mentions);
        // The core stops showing "typing…" when the message arrives; the next key press says so again.
        set({ typingSentAt: 0 });
        const extras = await extrasOf(chat.conversationId, [sent]);
        // Shown at once as pending; later states arrive with messages.changed. The view follows
        // one's own new message by itself (ChatView, useFollowAndRead).
        const current = get().chat;
        if (current?.session === chat.session && current.hasNewer) {
          // Far from the end (around a search hit): one's own message is shown where it is, at the latest.
          await get().jumpToLatest();
          return true;
        }
        patch(chat.session, (c) => ({
          extras: { ...c.extras, ...extras },
          messages: c.messages.some((m) => m.id === sent.id) ? c.messages : [...c.messages, sent],
        }));
        return true;
      } catch (err) {
        patch(chat.session, (c) => ({ replyTo: c.replyTo ?? replyTo }));
        set({ sendError: toErrorPayload(err) });
        return false;
      }
    },
    async refreshMessages(conversationId) {
      const chat = get().chat;
      if (chat?.conversationId === conversationId && chat.loading) {
        // The page in flight may have been read before this change committed: re-read once it lands.
        patch(chat.session, () => ({ refreshAfterLoad: true }));
        return;
      }
      // Far from the end (around a search hit) the latest page is not what is shown.
      if (!chat || chat.conversationId !== conversationId || chat.hasNewer) return;
      try {
        const page = await api.messagesPage(conversationId, { latest: true }, PAGE_SIZE);
        const extras = extrasById(page);
        patch(chat.session, (c) => {
          const first = page.messages[0];
          // Keep older pages already loaded in front of the fresh latest page.
          const older = first
            ? c.messages.filter(
                (m) => m.sentAt < first.sentAt || (m.sentAt === first.sentAt && m.id < first.id),
              )
            : [];
          return {
            extras: { ...c.extras, ...extras },
            messages: [...older, ...page.messages],
            hasOlder: older.length > 0 ? c.hasOlder : page.hasOlder,
          };
        });
      } catch {
        // A failed refresh leaves what is shown; the next change tries again.
      }
    },
    openConversation: (conversationId, aroundMessageId) => openAt(conversationId, aroundMessageId),
    closeConversation: () => set({ chat: null }),
    async loadOlder() {
      const chat = get().chat;
      const first = chat?.messages[0];
      if (!chat || !first || !chat.hasOlder || chat.loadingOlder || chat.loading) return;
      const { session } = chat;
      patch(session, () => ({ loadingOlder: true }));
      try {
        const page = await api.messagesPage(
          chat.conversationId,
          { before: { sentAt: first.sentAt, id: first.id } },
          PAGE_SIZE,
        );
        const extras = extrasById(page);
        patch(session, (c) => ({
          extras: { ...c.extras, ...extras },
          messages: [...page.messages, ...c.messages],
          hasOlder: page.hasOlder,
          loadingOlder: false,
        }));
      } catch (err) {
        patch(session, () => ({ loadingOlder: false, error: toErrorPayload(err) }));
      }
    },
    async loadNewer() {
      const chat = get().chat;
      const last = chat?.messages.at(-1);
      if (!chat || !last || !chat.hasNewer || chat.loadingNewer || chat.loading) return;
      const { session } = chat;
      patch(session, () => ({ loadingNewer: true }));
      try {
        const page = await api.messagesPage(
          chat.conversationId,
          { after: { sentAt: last.sentAt, id: last.id } },
          PAGE_SIZE,
        );
        const extras = extrasById(page);
        patch(session, (c) => ({
          extras: { ...c.extras, ...extras },
          messages: [...c.messages, ...page.messages],
          hasNewer: page.hasNewer,
          loadingNewer: false,
        }));
      } catch (err) {
        patch(session, () => ({ loadingNewer: false, error: toErrorPayload(err) }));
      }
    },
    async jumpToLatest() {
      const chat = get().chat;
      if (!chat) return;
      // Far from the end (opened around a search hit): the latest page replaces what is loaded.
      if (chat.hasNewer) {
        await openAt(chat.conversationId, undefined);
        return;
      }
      set({ chat: { ...chat, focusMessageId: null, scrollRequest: serial() } });
    },
    async markConversationRead(upToMessageId) {
      const chat = get().chat;
      if (!chat || chat.loading) return;
      // Only when it covers an incoming message not read yet: one's own and system rows need no
      // receipt, and the same position is not sent twice.
      const covers = chat.messages.some(
        (m) => !m.sender.self && m.kind !== 'system' && m.id > chat.readUpTo && m.id <= upToMessageId,
      );
      if (!covers) return;
      const { session } = chat;
      const before = chat.readUpTo;
      patch(session, () => ({ readUpTo: upToMessageId }));
      try {
        const { unreadCount } = await api.markRead(chat.conversationId, upToMessageId);
        get().setUnread(chat.conversationId, unreadCount);
      } catch {
        // Read state is best effort: try again when next seen.
        patch(session, (c) => ({ readUpTo: c.readUpTo === upToMessageId ? before : c.readUpTo }));
      }
    },
  };
};
