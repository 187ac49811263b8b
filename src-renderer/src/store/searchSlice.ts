import type { StateCreator } from 'zustand';
import type { ErrorPayload, SearchHit } from '../../../src-shared/contract';
import { api, toErrorPayload } from '../api/client';
import { latestOnly } from '../lib/latestOnly';
import type { AppState } from './appStore';

export type SearchScope = 'everywhere' | 'conversation';

export interface SearchSlice {
  searchOpen: boolean;
  searchText: string;
  searchScope: SearchScope;
  searchHits: SearchHit[];
  searchProblems: string[];
  searchError: ErrorPayload | null;
  /** True while an answer for the current text is awaited. */
  searchPending: boolean;
  /** The text the shown hits answer (they may lag the box by one debounce). */
  searchAnswered: string | null;
  openSearch(): void;
  closeSearch(): void;
  setSearchText(text: string): void;
  setSearchScope(scope: SearchScope): void;
  /** Opens the hit's conversation around it and closes the panel. */
  openHit(hit: SearchHit): Promise<void>;
  /** A conversation found by its name: opens it and closes the panel. */
  openFoundConversation(conversationId: number): Promise<void>;
  /** A contact found by name: their card in the contacts panel. */
  openFoundContact(contactId: number): Promise<void>;
}

/** Short enough to feel live, long enough that fast typing sends one query, not one per key. */
export const SEARCH_DELAY_MS = 120;
const SEARCH_LIMIT = 50;

interface Query {
  text: string;
  conversationId: number | undefined;
}

export const createSearchSlice: StateCreator<AppState, [], [], SearchSlice> = (set, get) => {
  const runner = latestOnly<Query, Awaited<ReturnType<typeof api.search>>>({
    delayMs: SEARCH_DELAY_MS,
    run: (q) => api.search(q.text, q.conversationId, SEARCH_LIMIT),
    onResult: (result, q) =>
      set({
        searchHits: result.hits,
        searchProblems: result.problems,
        searchError: null,
        searchPending: false,
        searchAnswered: q.text,
      }),
    onError: (err, q) =>
      set({ searchError: toErrorPayload(err), searchPending: false, searchAnswered: q.text }),
  });

  function query(): Query | null {
    const { searchText, searchScope, chat } = get();
    if (searchText.trim() === '') return null;
    const conversationId = searchScope === 'conversation' ? chat?.conversationId : undefined;
    return { text: searchText, conversationId };
  }

  function schedule(): void {
    const q = query();
    if (!q) {
      runner.cancel();
      set({
        searchHits: [],
        searchProblems: [],
        searchError: null,
        searchPending: false,
        searchAnswered: null,
      });
      return;
    }
    set({ searchPending: true });
    runner.schedule(q);
  }

  return {
    searchOpen: false,
    searchText: '',
    searchScope: 'everywhere',
    searchHits: [],
    searchProblems: [],
    searchError: null,
    searchPending: false,
    searchAnswered: null,
    openSearch() {
      set({ searchOpen: true });
      // Contacts are found by name as one types (issue 17 item 6): have the list at hand.
      void get().loadContacts();
    },
    closeSearch() {
      runner.cancel();
      set({ searchOpen: false, searchPending: false });
    },
    setSearchText(text) {
      set({ searchText: text });
      schedule();
    },
    setSearchScope(scope) {
      set({ searchScope: scope });
      schedule();
    },
    async openHit(hit) {
      set({ searchOpen: false, view: 'chat' });
      await get().openConversation(hit.position.conversationId, hit.position.messageId);
    },
    async openFoundConversation(conversationId) {
      runner.cancel();
      set({ searchOpen: false, searchPending: false, view: 'chat' });
      await get().openConversation(conversationId);
    },
    async openFoundContact(contactId) {
      runner.cancel();
      set({ searchOpen: false, searchPending: false });
      await get().openContacts(contactId);
    },
  };
};
