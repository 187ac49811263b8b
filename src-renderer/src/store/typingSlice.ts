import type { StateCreator } from 'zustand';
import { api } from '../api/client';
import type { AppState } from './appStore';

/** A typing "true" goes to the core at most this often (the core throttles what it sends again). */
const TYPING_NOTIFY_MS = 1_000;

/** "typing…" both ways in the open chat: telling the core the user types, and who else does. */
export interface TypingSlice {
  /** When this window last told the core the user is typing; 0 once it said they stopped. */
  typingSentAt: number;
  /** The user typed (true) or sent / cleared the text (false). */
  notifyTyping(typing: boolean): void;
  /** typing.changed from the core. */
  applyTyping(conversationId: number, names: string[]): void;
  /** Listens to typing.changed while a chat is on screen; returns the unsubscribe. */
  watchTyping(): () => void;
}

export const createTypingSlice: StateCreator<AppState, [], [], TypingSlice> = (set, get) => ({
  typingSentAt: 0,
  notifyTyping(typing) {
    const chat = get().chat;
    if (!chat || get().chatPreferences?.typingIndicators === false) return;
    const now = Date.now();
    const sentAt = get().typingSentAt;
    if (typing && now - sentAt < TYPING_NOTIFY_MS) return;
    if (!typing && sentAt === 0) return;
    set({ typingSentAt: typing ? now : 0 });
    void api.setTyping(chat.conversationId, typing).catch(() => undefined);
  },
  applyTyping(conversationId, names) {
    const chat = get().chat;
    if (chat?.conversationId === conversationId) set({ chat: { ...chat, typing: names } });
  },
  watchTyping: () =>
    api.onTypingChanged(({ conversationId, names }) => get().applyTyping(conversationId, names)),
});
