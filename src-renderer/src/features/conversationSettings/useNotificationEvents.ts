import { useEffect } from 'react';
import { useAppStore } from '../../store/appStore';
import { showBrowserNotification } from './browserNotifications';

/**
 * While the home screen is shown: a clicked notification opens its
 * conversation (Electron sends `notifications.open`), and in the web shell the
 * core's `notification` events become browser notifications when allowed.
 */
export function useNotificationEvents(): void {
  const watchNotifications = useAppStore((s) => s.watchNotifications);
  const openFromNotification = useAppStore((s) => s.openFromNotification);
  useEffect(
    () => watchNotifications((note) => showBrowserNotification(note, openFromNotification)),
    [watchNotifications, openFromNotification],
  );
}
