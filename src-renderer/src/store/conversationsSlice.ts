import type { StateCreator } from 'zustand';
import type { ConversationSummary, ErrorPayload, Reply } from '../../../src-shared/contract';
import { api, toErrorPayload } from '../api/client';
import { latestOnly } from '../lib/latestOnly';
import type { AppState } from './appStore';
import { toReply } from './toReply';

/** The home list: what `conversations.list` answered for the current filter. */
export interface ConversationsSlice {
  conversations: ConversationSummary[];
  /** False until the first list arrived, so the empty state never flashes before it. */
  conversationsLoaded: boolean;
  conversationFilter: string;
  conversationsError: ErrorPayload | null;
  /** Unread messages in conversations that are not muted, for the window title. */
  totalUnread: number;
  loadConversations(): Promise<void>;
  /** Filters as the user types (debounced; a stale answer never replaces a newer one). */
  setConversationFilter(filter: string): void;
  /** Applies an unread count the core answered (markRead) without re-reading the list. */
  setUnread(conversationId: number, unreadCount: number): void;
  /** Creates a group with these contacts; the answer names it (the New group dialog opens it). */
  createGroup(name: string, contactIds: number[]): Promise<Reply<{ conversationId: number }>>;
}

const FILTER_DELAY_MS = 120;

export function totalUnreadOf(conversations: readonly ConversationSummary[]): number {
  return conversations.reduce((sum, c) => sum + (c.notify === 'muted' ? 0 : c.unreadCount), 0);
}

export const createConversationsSlice: StateCreator<AppState, [], [], ConversationsSlice> = (set, get) => {
  const lister = latestOnly<string, ConversationSummary[]>({
    delayMs: FILTER_DELAY_MS,
    run: (filter) => api.listConversations(filter.trim() || undefined),
    onResult: (conversations) => {
      set({ conversations, conversationsLoaded: true, conversationsError: null });
      // The title counts everything unread, not only what the filter shows.
      if (get().conversationFilter.trim() === '') set({ totalUnread: totalUnreadOf(conversations) });
    },
    onError: (err) => set({ conversationsError: toErrorPayload(err), conversationsLoaded: true }),
  });

  return {
    conversations: [],
    conversationsLoaded: false,
    conversationFilter: '',
    conversationsError: null,
    totalUnread: 0,
    async loadConversations() {
      lister.flush(get().conversationFilter);
      if (get().conversationFilter.trim() !== '') {
        try {
          set({ totalUnread: totalUnreadOf(await api.listConversations()) });
        } catch {
          // The title keeps its last count; the list shows the error.
        }
      }
    },
    setConversationFilter(filter) {
      set({ conversationFilter: filter });
      lister.schedule(filter);
    },
    setUnread(conversationId, unreadCount) {
      const conversations = get().conversations.map((c) =>
        c.id === conversationId ? { ...c, unreadCount } : c,
      );
      const before = get().conversations.find((c) => c.id === conversationId);
      const change = before && before.notify !== 'muted' ? unreadCount - before.unreadCount : 0;
      set({ conversations, totalUnread: Math.max(0, get().totalUnread + change) });
    },
    createGroup: (name, contactIds) => toReply(api.createGroup(name, contactIds)),
  };
};
