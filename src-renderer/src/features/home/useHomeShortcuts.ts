import { useEffect } from 'react';
import { useAppStore } from '../../store/appStore';

/**
 * Window-wide shortcuts of the home screen. Both Ctrl and Cmd are accepted so
 * they work alike in Electron and in a browser tab (web shell):
 *   Ctrl/Cmd+K    search
 *   Ctrl/Cmd+,    settings
 *   Alt+Up/Down   previous / next conversation in the list
 */
export function useHomeShortcuts(): void {
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const store = useAppStore.getState();
      const mod = event.ctrlKey || event.metaKey;
      if (mod && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        store.openSearch();
        return;
      }
      if (mod && !event.altKey && event.key === ',') {
        event.preventDefault();
        store.closeSearch();
        store.showView('settings');
        return;
      }
      if (event.altKey && !mod && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
        const list = store.conversations;
        if (list.length === 0) return;
        event.preventDefault();
        const current = list.findIndex((c) => c.id === store.chat?.conversationId);
        const step = event.key === 'ArrowDown' ? 1 : -1;
        const next = current < 0 ? (step > 0 ? 0 : list.length - 1) : current + step;
        const target = list[Math.max(0, Math.min(list.length - 1, next))];
        if (target && target.id !== store.chat?.conversationId) {
          store.showView('chat');
          void store.openConversation(target.id);
        }
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
