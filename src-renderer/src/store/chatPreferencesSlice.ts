import type { StateCreator } from 'zustand';
import type { ErrorPayload } from '../../../src-shared/contract';
import type { ChatPreferences } from '../../../src-shared/contract/areas/chat';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';

/** Settings → Chats: read receipts and typing indicators (each works both ways). */
export interface ChatPreferencesSlice {
  chatPreferences: ChatPreferences | null;
  chatPreferencesError: ErrorPayload | null;
  loadChatPreferences(): Promise<void>;
  /** The switch moves at once and goes back if the core refuses; false (and the error) then. */
  updateChatPreferences(change: Partial<ChatPreferences>): Promise<boolean>;
}

export const createChatPreferencesSlice: StateCreator<AppState, [], [], ChatPreferencesSlice> = (
  set,
  get,
) => ({
  chatPreferences: null,
  chatPreferencesError: null,
  async loadChatPreferences() {
    try {
      set({ chatPreferences: await api.chatPreferences(), chatPreferencesError: null });
    } catch (err) {
      set({ chatPreferencesError: toErrorPayload(err) });
    }
  },
  async updateChatPreferences(change) {
    const before = get().chatPreferences;
    if (before) set({ chatPreferences: { ...before, ...change } });
    try {
      set({ chatPreferences: await api.setChatPreferences(change), chatPreferencesError: null });
      return true;
    } catch (err) {
      set({ chatPreferences: before, chatPreferencesError: toErrorPayload(err) });
      return false;
    }
  },
});
