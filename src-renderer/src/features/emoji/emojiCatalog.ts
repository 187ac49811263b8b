import { words, type EmojiEntry } from './emojiSearch';

/**
 * The full emoji set, loaded on first use: a separate chunk (~0.8 MB of
 * emojibase-data JSON), so the window does not pay for it at start.
 * Emoji newer than the bundled Noto Color Emoji font (Unicode Emoji 16.0,
 * styles/emojiFont.css) are left out: they would show as empty boxes where
 * the system has no newer emoji font.
 */
const NEWEST_EMOJI_VERSION = 16;

interface RawEmoji {
  label: string;
  hexcode: string;
  emoji: string;
  group?: number;
  order?: number;
  version: number;
  tags?: string[];
}

let loading: Promise<EmojiEntry[]> | null = null;

export function loadEmojiCatalog(): Promise<EmojiEntry[]> {
  loading ??= (async () => {
    const [data, shortcodes] = await Promise.all([
      import('emojibase-data/en/data.json'),
      import('emojibase-data/en/shortcodes/github.json'),
    ]);
    return buildCatalog(data.default as RawEmoji[], shortcodes.default as Record<string, string | string[]>);
  })().catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

export function buildCatalog(
  data: readonly RawEmoji[],
  shortcodes: Readonly<Record<string, string | string[]>>,
): EmojiEntry[] {
  return data
    .filter((e) => e.group !== undefined && e.group !== 2 && e.version <= NEWEST_EMOJI_VERSION)
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    .map((e) => {
      const codes = shortcodes[e.hexcode];
      const extra = codes === undefined ? [] : Array.isArray(codes) ? codes : [codes];
      return {
        emoji: fullyQualified(e.emoji),
        label: e.label,
        group: e.group ?? 0,
        terms: [...new Set([...words(e.label), ...(e.tags ?? []).flatMap(words), ...extra.flatMap(words)])],
      };
    });
}

/**
 * emojibase adds U+FE0F (emoji presentation) to every single-character emoji;
 * the fully-qualified form of one that is shown as emoji by default
 * (Emoji_Presentation, UTS #51 §1.4.3) has none. Without this, "👍" from the
 * picker and "👍" typed on a keyboard would be two different reactions.
 */
function fullyQualified(emoji: string): string {
  const chars = [...emoji];
  return chars.length === 2 && chars[1] === '\uFE0F' && /^\p{Emoji_Presentation}$/u.test(chars[0] ?? '')
    ? (chars[0] ?? emoji)
    : emoji;
}
