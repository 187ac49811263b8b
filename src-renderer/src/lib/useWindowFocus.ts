import { useSyncExternalStore } from 'react';

/**
 * Whether the user can be looking at this window: it has focus and is not
 * hidden (another tab, minimised). A message counts as read only when it was
 * on screen in such a window (issue 13): a chat left open behind other
 * windows must not send "Read" for what arrives there.
 *
 * Kept from the focus, blur and visibilitychange events rather than asked of
 * `document.hasFocus()` each time, which some hosts (test browsers with focus
 * emulation) answer "true" regardless.
 */

let focused =
  typeof document === 'undefined' || (document.hasFocus() && document.visibilityState === 'visible');
const listeners = new Set<() => void>();

function set(next: boolean): void {
  if (next === focused) return;
  focused = next;
  for (const l of listeners) l();
}

const onFocus = () => set(document.visibilityState === 'visible');
const onBlur = () => set(false);
const onVisibility = () => set(document.visibilityState === 'visible' && document.hasFocus());

// Listened to from the start (not only while a chat is open), so the state is right whenever asked.
if (typeof window !== 'undefined') {
  window.addEventListener('focus', onFocus);
  window.addEventListener('blur', onBlur);
  document.addEventListener('visibilitychange', onVisibility);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useWindowFocus(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => focused,
    () => true,
  );
}
