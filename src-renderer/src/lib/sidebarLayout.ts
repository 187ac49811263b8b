/**
 * The home sidebar's size (issue 17 item 14): the user drags it between
 * SIDEBAR_MIN and SIDEBAR_MAX, or collapses it to a rail of avatars. Until
 * they drag it, its width follows the window (tokens in home.css), so an 800 px
 * window does not give 300 px to the list. Per device, in localStorage.
 */

export const SIDEBAR_MIN = 220;
export const SIDEBAR_MAX = 480;
/** One arrow-key step of the resize handle. */
export const SIDEBAR_STEP = 16;

export interface SidebarLayout {
  /** The dragged width in px, or null while the window decides. */
  width: number | null;
  collapsed: boolean;
}

export const DEFAULT_SIDEBAR: SidebarLayout = { width: null, collapsed: false };

export const SIDEBAR_STORAGE_KEY = 'parley.sidebar';

export function clampSidebarWidth(width: number): number {
  return Math.round(Math.min(SIDEBAR_MAX, Math.max(SIDEBAR_MIN, width)));
}

export function parseSidebarLayout(raw: string | null): SidebarLayout {
  if (raw === null) return { ...DEFAULT_SIDEBAR };
  let stored: unknown;
  try {
    stored = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_SIDEBAR };
  }
  if (typeof stored !== 'object' || stored === null) return { ...DEFAULT_SIDEBAR };
  const { width, collapsed } = stored as Record<string, unknown>;
  return {
    width: typeof width === 'number' && Number.isFinite(width) ? clampSidebarWidth(width) : null,
    collapsed: collapsed === true,
  };
}

export function readSidebarLayout(): SidebarLayout {
  try {
    return parseSidebarLayout(window.localStorage.getItem(SIDEBAR_STORAGE_KEY));
  } catch {
    return { ...DEFAULT_SIDEBAR };
  }
}

export function saveSidebarLayout(layout: SidebarLayout): void {
  try {
    window.localStorage.setItem(SIDEBAR_STORAGE_KEY, JSON.stringify(layout));
  } catch {
    // Storage can be disabled; the layout still holds for this window.
  }
}
