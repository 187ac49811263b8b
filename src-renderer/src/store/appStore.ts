import { create } from 'zustand';
import { createAppearanceSlice, type AppearanceSlice } from './appearanceSlice';
import { createBackupSlice, type BackupSlice } from './backupSlice';
import { createChatPreferencesSlice, type ChatPreferencesSlice } from './chatPreferencesSlice';
import { createChatSlice, type ChatSlice } from './chatSlice';
import { createEmojiSlice, type EmojiSlice } from './emojiSlice';
import { createContactsSlice, type ContactsSlice } from './contactsSlice';
import { createConversationSettingsSlice, type ConversationSettingsSlice } from './conversationSettingsSlice';
import { createConversationsSlice, type ConversationsSlice } from './conversationsSlice';
import { createDevicesSlice, type DevicesSlice } from './devicesSlice';
import { createLinkSlice, type LinkSlice } from './linkSlice';
import { createFilesSlice, type FilesSlice } from './filesSlice';
import { createHostSlice, type HostSlice } from './hostSlice';
import { createLayoutSlice, type LayoutSlice } from './layoutSlice';
import { createInvitesSlice, type InvitesSlice } from './invitesSlice';
import { createNetworkSlice, type NetworkSlice } from './networkSlice';
import { createPrivacySlice, type PrivacySlice } from './privacySlice';
import { createProfileSlice, type ProfileSlice } from './profileSlice';
import { createReachSlice, type ReachSlice } from './reachSlice';
import { createSearchSlice, type SearchSlice } from './searchSlice';
import { createSessionSlice, type SessionSlice } from './sessionSlice';
import { createSettingsSlice, type SettingsSlice } from './settingsSlice';
import { createTypingSlice, type TypingSlice } from './typingSlice';

export type AppState = SessionSlice &
  AppearanceSlice &
  LayoutSlice &
  BackupSlice &
  FilesSlice &
  ProfileSlice &
  ConversationsSlice &
  ChatSlice &
  TypingSlice &
  ChatPreferencesSlice &
  SearchSlice &
  SettingsSlice &
  ConversationSettingsSlice &
  NetworkSlice &
  PrivacySlice &
  ReachSlice &
  DevicesSlice &
  LinkSlice &
  ContactsSlice &
  InvitesSlice &
  EmojiSlice &
  HostSlice;

/** The window's one store, bound from slices (zustand's slices pattern); components select from it. */
export const useAppStore = create<AppState>()((...args) => ({
  ...createSessionSlice(...args),
  ...createAppearanceSlice(...args),
  ...createLayoutSlice(...args),
  ...createBackupSlice(...args),
  ...createProfileSlice(...args),
  ...createConversationsSlice(...args),
  ...createChatSlice(...args),
  ...createTypingSlice(...args),
  ...createChatPreferencesSlice(...args),
  ...createFilesSlice(...args),
  ...createSearchSlice(...args),
  ...createSettingsSlice(...args),
  ...createNetworkSlice(...args),
  ...createPrivacySlice(...args),
  ...createReachSlice(...args),
  ...createDevicesSlice(...args),
  ...createLinkSlice(...args),
  ...createContactsSlice(...args),
  ...createInvitesSlice(...args),
  ...createEmojiSlice(...args),
  ...createHostSlice(...args),
  ...createConversationSettingsSlice(...args),
}));
