import type { StateCreator } from 'zustand';
import type { ErrorPayload, MessagePage, MessageView } from '../../../src-preload/contract';
import { api, toErrorPayload } from '../api/client';
import { firstUnreadId } from '../features/chat/timeline';
import type { AppState } from './appStore';

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
  unreadAtOpen: number;
  /** A message to scroll to and highlight (a search jump); null scrolls to the latest. */
  focusMessageId: number | null;
  /** Changes whenever the view should scroll to its target again (open, jump, jump to latest). */
  scrollRequest: number;
}

export interface ChatSlice {
  chat: ChatState | null;
  /** Opens a conversation at its latest page, or around `aroundMessageId` (a search hit). */
  openConversation(conversationId: number, aroundMessageId?: number): Promise<void>;
  closeConversation(): void;
  loadOlder(): Promise<void>;
  loadNewer(): Promise<void>;
  jumpToLatest(): Promise<void>;
  /** Marks everything read once the newest message has been seen. */
  markConversationRead(): Promise<void>;
  /** Sends a text in the open conversation; resolves false (and sets `sendError`) when it failed. */
  sendMessage(text: string): Promise<boolean>;
  sendError: ErrorPayload | null;
  /** The core says this conversation's messages changed: re-read the latest page if it is on screen. */
  refreshMessages(conversationId: number): Promise<void>;
}

let sessions = 0;

export const createChatSlice: StateCreator<AppState, [], [], ChatSlice> = (set, get) => {
  /** Applies `update` only if the chat is still the one `session` started. */
  function patch(session: number, update: (chat: ChatState) => Partial<ChatState>): void {
    const chat = get().chat;
    if (!chat || chat.session !== session) return;
    set({ chat: { ...chat, ...update(chat) } });
  }

  async function openAt(conversationId: number, around: number | undefined): Promise<void> {
    const session = ++sessions;
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
        unreadAtOpen: unread,
        focusMessageId: around ?? null,
        scrollRequest: session,
      },
    });
    try {
      const page: MessagePage = await api.messagesPage(
        conversationId,
        around === undefined ? { latest: true } : { around },
        PAGE_SIZE,
      );
      patch(session, () => ({
        messages: page.messages,
        hasOlder: page.hasOlder,
        hasNewer: page.hasNewer,
        loading: false,
        firstUnreadId: around === undefined ? firstUnreadId(page.messages, unread) : null,
        scrollRequest: ++sessions,
      }));
    } catch (err) {
      patch(session, () => ({ loading: false, error: toErrorPayload(err) }));
    }
  }

  return {
    chat: null,
    sendError: null,
    async sendMessage(text) {
      const chat = get().chat;
      if (!chat) return false;
      set({ sendError: null });
      try {
        const sent = await api.sendMessage(chat.conversationId, text);
        // Shown at once as pending; later states arrive with messages.changed.
        patch(chat.session, (c) => ({
          messages: c.messages.some((m) => m.id === sent.id) ? c.messages : [...c.messages, sent],
          scrollRequest: c.hasNewer ? c.scrollRequest : ++sessions,
        }));
        return true;
      } catch (err) {
        set({ sendError: toErrorPayload(err) });
        return false;
      }
    },
    async refreshMessages(conversationId) {
      const chat = get().chat;
      // Far from the end (around a search hit) the latest page is not what is shown.
      if (!chat || chat.conversationId !== conversationId || chat.hasNewer || chat.loading) return;
      try {
        const page = await api.messagesPage(conversationId, { latest: true }, PAGE_SIZE);
        patch(chat.session, (c) => {
          const first = page.messages[0];
          // Keep older pages already loaded in front of the fresh latest page.
          const older = first
            ? c.messages.filter(
                (m) => m.sentAt < first.sentAt || (m.sentAt === first.sentAt && m.id < first.id),
              )
            : [];
          return {
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
        patch(session, (c) => ({
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
        patch(session, (c) => ({
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
      set({ chat: { ...chat, focusMessageId: null, scrollRequest: ++sessions } });
    },
    async markConversationRead() {
      const chat = get().chat;
      if (!chat) return;
      const summary = get().conversations.find((c) => c.id === chat.conversationId);
      if (summary && summary.unreadCount === 0) return;
      try {
        const { unreadCount } = await api.markRead(chat.conversationId);
        get().setUnread(chat.conversationId, unreadCount);
      } catch {
        // Read state is best effort; the next visit tries again.
      }
    },
  };
};
