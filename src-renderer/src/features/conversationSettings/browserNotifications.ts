/**
 * The web shell's notifications: the browser Notification API, used only when
 * the user granted permission (Electron shows OS notifications from its main
 * process instead, so the renderer must not show them a second time).
 */
export function browserNotificationsAvailable(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export async function requestBrowserNotifications(): Promise<NotificationPermission> {
  if (!browserNotificationsAvailable()) return 'denied';
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

/** Shows one notification when allowed and the tab is not in front; a click focuses the tab and opens it. */
export function showBrowserNotification(
  note: { title: string; body: string; conversationId: number },
  open: (conversationId: number) => void,
): void {
  if (!browserNotificationsAvailable() || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  const n = new Notification(note.title, { body: note.body, tag: `parley-${note.conversationId}` });
  n.onclick = () => {
    window.focus();
    open(note.conversationId);
    n.close();
  };
}
