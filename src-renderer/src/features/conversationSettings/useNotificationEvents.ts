import { useEffect } from 'react';
import { api } from '../../api/client';
import { useAppStore } from '../../store/appStore';
import { showBrowserNotification } from './browserNotifications';

/**
 * While the home screen is shown: a clicked notification opens its
 * conversation (Electron sends `notification.open`), and in the web shell the
 * core's `notification` events become browser notifications when allowed.
 */
export function useNotificationEvents(): void {
  useEffect(() => {
    const open = (conversationId: number) => {
      const store = useAppStore.getState();
      store.closeSearch();
      store.showView('chat');
      void store.openConversation(conversationId);
    };
    const stopOpen = api.onNotificationOpen(({ conversationId }) => open(conversationId));
    const stopShow = api.onNotification((note) => {
      if (useAppStore.getState().appInfo?.shell === 'web') showBrowserNotification(note, open);
    });
    return () => {
      stopOpen();
      stopShow();
    };
  }, []);
}
