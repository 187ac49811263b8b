import type { SettingsRepository } from '../store/repositories/settingsRepository';

/**
 * The user's chat privacy choices, in the `settings` table (migration 0001):
 * - readReceipts: send read receipts. Off also means we do not record the
 *   receipts others send us (reciprocity, as in common messengers: who does
 *   not tell when they read does not learn when others read).
 * - typingIndicators: send "typing…" and show others' (same reciprocity).
 * Both default to on.
 */
export interface ChatPreferences {
  readReceipts: boolean;
  typingIndicators: boolean;
}

const KEYS: Record<keyof ChatPreferences, string> = {
  readReceipts: 'chat.readReceipts',
  typingIndicators: 'chat.typingIndicators',
};

export const DEFAULT_CHAT_PREFERENCES: ChatPreferences = { readReceipts: true, typingIndicators: true };

export function readChatPreferences(settings: Pick<SettingsRepository, 'get'>): ChatPreferences {
  const value = (name: keyof ChatPreferences): boolean => {
    const stored = settings.get(KEYS[name]);
    return stored !== null ? stored !== 'false' : DEFAULT_CHAT_PREFERENCES[name];
  };
  return { readReceipts: value('readReceipts'), typingIndicators: value('typingIndicators') };
}

/** Stores the given choices (the others stay, all in one transaction) and answers the whole set. */
export function writeChatPreferences(
  settings: Pick<SettingsRepository, 'get' | 'setAll'>,
  change: Partial<ChatPreferences>,
): ChatPreferences {
  const entries: [string, string][] = [];
  for (const name of Object.keys(KEYS) as (keyof ChatPreferences)[]) {
    const v = change[name];
    if (v !== undefined) entries.push([KEYS[name], v ? 'true' : 'false']);
  }
  settings.setAll(entries);
  return readChatPreferences(settings);
}
