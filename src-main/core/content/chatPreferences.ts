import type { Db } from '../store/encryptedDatabase';

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

export function readChatPreferences(db: Db): ChatPreferences {
  const rows = db
    .prepare('SELECT key, value FROM settings WHERE key IN (?, ?)')
    .all(KEYS.readReceipts, KEYS.typingIndicators) as { key: string; value: string }[];
  const value = (name: keyof ChatPreferences): boolean => {
    const row = rows.find((r) => r.key === KEYS[name]);
    return row ? row.value !== 'false' : DEFAULT_CHAT_PREFERENCES[name];
  };
  return { readReceipts: value('readReceipts'), typingIndicators: value('typingIndicators') };
}

/** Stores the given choices (the others stay) and answers the whole set. */
export function writeChatPreferences(db: Db, change: Partial<ChatPreferences>): ChatPreferences {
  const put = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  db.transaction(() => {
    for (const name of Object.keys(KEYS) as (keyof ChatPreferences)[]) {
      const v = change[name];
      if (v !== undefined) put.run(KEYS[name], v ? 'true' : 'false');
    }
  })();
  return readChatPreferences(db);
}
