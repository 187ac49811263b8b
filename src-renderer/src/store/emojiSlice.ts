import type { StateCreator } from 'zustand';
import type { EmojiEntry } from '../features/emoji/emojiSearch';
import { loadEmojiCatalog } from '../features/emoji/emojiCatalog';
import { withRecent } from '../features/emoji/emojiSearch';
import type { AppState } from './appStore';

const RECENT_KEY = 'parley.recentEmoji';

/** The emoji picker's data: the full set (loaded on first open) and the emoji this device used last. */
export interface EmojiSlice {
  emojiCatalog: EmojiEntry[] | null;
  emojiCatalogError: string | null;
  /** Most recent first. */
  recentEmoji: string[];
  loadEmojiCatalog(): Promise<void>;
  /** Called when an emoji is picked (a reaction or inserted text): it goes to the front of Recent. */
  noteEmojiUsed(emoji: string): void;
}

/**
 * Kept in localStorage, like the idle-lock choice: a per-device convenience
 * (a couple of dozen emoji, no message content), read before anything is unlocked.
 */
function readRecent(): string[] {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(parsed)
      ? parsed
          .filter((e): e is string => typeof e === 'string' && e.length > 0 && e.length <= 32)
          .slice(0, 24)
      : [];
  } catch {
    return [];
  }
}

export const createEmojiSlice: StateCreator<AppState, [], [], EmojiSlice> = (set, get) => ({
  emojiCatalog: null,
  emojiCatalogError: null,
  recentEmoji: readRecent(),
  async loadEmojiCatalog() {
    if (get().emojiCatalog) return;
    try {
      set({ emojiCatalog: await loadEmojiCatalog(), emojiCatalogError: null });
    } catch {
      set({ emojiCatalogError: 'The emoji list could not be loaded. Try again.' });
    }
  },
  noteEmojiUsed(emoji) {
    const recentEmoji = withRecent(get().recentEmoji, emoji);
    try {
      window.localStorage.setItem(RECENT_KEY, JSON.stringify(recentEmoji));
    } catch {
      // Storage can be disabled; the list still holds for this window.
    }
    set({ recentEmoji });
  },
});
