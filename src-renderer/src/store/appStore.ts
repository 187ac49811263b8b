import { create } from 'zustand';
import { createChatSlice, type ChatSlice } from './chatSlice';
import { createConversationsSlice, type ConversationsSlice } from './conversationsSlice';
import { createNetworkSlice, type NetworkSlice } from './networkSlice';
import { createProfileSlice, type ProfileSlice } from './profileSlice';
import { createSearchSlice, type SearchSlice } from './searchSlice';
import { createSessionSlice, type SessionSlice } from './sessionSlice';
import { createSettingsSlice, type SettingsSlice } from './settingsSlice';

export type AppState = SessionSlice &
  ProfileSlice &
  ConversationsSlice &
  ChatSlice &
  SearchSlice &
  SettingsSlice &
  NetworkSlice;

/** The window's one store, bound from slices (zustand's slices pattern); components select from it. */
export const useAppStore = create<AppState>()((...args) => ({
  ...createSessionSlice(...args),
  ...createProfileSlice(...args),
  ...createConversationsSlice(...args),
  ...createChatSlice(...args),
  ...createSearchSlice(...args),
  ...createSettingsSlice(...args),
  ...createNetworkSlice(...args),
}));
