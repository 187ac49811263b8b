/**
 * How the window looks (Settings → Appearance, issue 17 item 7): the colour
 * theme and the text size. A per-device preference, not a secret, needed
 * before anything is unlocked (the unlock screen is themed too), so it lives in
 * the renderer's localStorage, like the idle-lock choice.
 */

export const THEMES = [
  { id: 'system', label: 'System' },
  { id: 'light', label: 'Light' },
  { id: 'dark', label: 'Dark' },
] as const;
export type Theme = (typeof THEMES)[number]['id'];

/** Each size scales the root font size (styles/tokens.css); every font size is in rem. */
export const TEXT_SIZES = [
  { id: 'small', label: 'Small' },
  { id: 'default', label: 'Default' },
  { id: 'large', label: 'Large' },
  { id: 'larger', label: 'Larger' },
] as const;
export type TextSize = (typeof TEXT_SIZES)[number]['id'];

export interface Appearance {
  theme: Theme;
  textSize: TextSize;
}

export const DEFAULT_APPEARANCE: Appearance = { theme: 'system', textSize: 'default' };

export const APPEARANCE_STORAGE_KEY = 'parley.appearance';

function isTheme(value: unknown): value is Theme {
  return THEMES.some((t) => t.id === value);
}

function isTextSize(value: unknown): value is TextSize {
  return TEXT_SIZES.some((t) => t.id === value);
}

/** The stored preference; anything missing, unknown or damaged falls back key by key. */
export function parseAppearance(raw: string | null): Appearance {
  if (raw === null) return { ...DEFAULT_APPEARANCE };
  let stored: unknown;
  try {
    stored = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_APPEARANCE };
  }
  if (typeof stored !== 'object' || stored === null) return { ...DEFAULT_APPEARANCE };
  const { theme, textSize } = stored as Record<string, unknown>;
  return {
    theme: isTheme(theme) ? theme : DEFAULT_APPEARANCE.theme,
    textSize: isTextSize(textSize) ? textSize : DEFAULT_APPEARANCE.textSize,
  };
}

/** The preference from localStorage; the default when storage is disabled. */
export function readAppearance(): Appearance {
  try {
    return parseAppearance(window.localStorage.getItem(APPEARANCE_STORAGE_KEY));
  } catch {
    return { ...DEFAULT_APPEARANCE };
  }
}

export function saveAppearance(appearance: Appearance): void {
  try {
    window.localStorage.setItem(APPEARANCE_STORAGE_KEY, JSON.stringify(appearance));
  } catch {
    // Storage can be disabled; the choice still holds for this window.
  }
}

/**
 * Puts the choice on the root element, where tokens.css reads it: no attribute
 * for "system" and "default", so the stylesheet's own defaults (the OS scheme,
 * the reader's base font size) apply.
 */
export function applyAppearance(root: { dataset: DOMStringMap }, appearance: Appearance): void {
  if (appearance.theme === 'system') delete root.dataset['theme'];
  else root.dataset['theme'] = appearance.theme;
  if (appearance.textSize === 'default') delete root.dataset['textSize'];
  else root.dataset['textSize'] = appearance.textSize;
}
