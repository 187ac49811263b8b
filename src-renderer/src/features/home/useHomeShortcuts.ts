import { useEffect, useRef } from 'react';
import { useAppStore } from '../../store/appStore';
import { isTyping, shortcutAction, stepConversation } from './shortcuts';

export interface HomeShortcutHandlers {
  onNewChat(): void;
  onNewGroup(): void;
  onHelp(): void;
}

/**
 * Window-wide shortcuts of the home screen (the keys are in shortcuts.ts):
 * new chat / group, search, settings, next / previous conversation, help.
 * Enter, Shift+Enter and Up belong to the composer; Ctrl+L to useLockShortcut.
 */
export function useHomeShortcuts(handlers: HomeShortcutHandlers): void {
  // The handlers change every render (inline arrows); the key listener is attached once.
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented) return;
      const action = shortcutAction(event, { typing: isTyping(event.target) });
      if (!action) return;
      // Ours even while a dialog is open, so the browser never acts on them (Ctrl+N, Ctrl+K)...
      event.preventDefault();
      // ...but the dialog keeps the user: nothing opens or moves behind it, except the help.
      if (document.querySelector('[aria-modal="true"]') && action !== 'help') return;
      const store = useAppStore.getState();
      switch (action) {
        case 'new-chat':
          latest.current.onNewChat();
          return;
        case 'new-group':
          latest.current.onNewGroup();
          return;
        case 'help':
          latest.current.onHelp();
          return;
        case 'search':
          store.openSearch();
          return;
        case 'focus-composer':
          document.getElementById('composer-input')?.focus();
          return;
        case 'settings':
          store.closeSearch();
          store.showView('settings');
          return;
        case 'next-conversation':
        case 'previous-conversation': {
          const current = store.chat?.conversationId ?? null;
          const target = stepConversation(
            store.conversations.map((c) => c.id),
            current,
            action === 'next-conversation' ? 1 : -1,
          );
          if (target !== null && target !== current) {
            store.showView('chat');
            void store.openConversation(target);
          }
        }
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
