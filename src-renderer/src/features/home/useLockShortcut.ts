import { useEffect } from 'react';

/** True on macOS, where the platform's modifier is Command rather than Control. */
export const isMac = /Mac|iPhone|iPad/.test(navigator.userAgent);

/**
 * Ctrl+L (Cmd+L on macOS) locks Parley from anywhere in the window. Both
 * modifiers are accepted so the shortcut works the same in the web shell.
 * In a browser Ctrl+L would focus the address bar; preventDefault keeps the
 * page's meaning.
 */
export function useLockShortcut(onLock: () => void): void {
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.key.toLowerCase() !== 'l' || event.altKey || event.shiftKey) return;
      if (!(event.ctrlKey || event.metaKey)) return;
      event.preventDefault();
      onLock();
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [onLock]);
}
