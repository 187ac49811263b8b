import { useEffect, useState } from 'react';
import { Button } from '../../components/Button';
import { SettingsToggle } from '../../components/SettingsToggle';
import { useAppStore } from '../../store/appStore';
import { browserNotificationsAvailable, requestBrowserNotifications } from './browserNotifications';

/** Settings → Notifications: show message content (default on), and in a browser tab the permission. */
export function NotificationSettings() {
  const prefs = useAppStore((s) => s.notificationPrefs);
  const load = useAppStore((s) => s.loadNotificationPrefs);
  const setShowContent = useAppStore((s) => s.setShowNotificationContent);
  const shell = useAppStore((s) => s.appInfo?.shell);
  const [permission, setPermission] = useState(() =>
    browserNotificationsAvailable() ? Notification.permission : null,
  );

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="settings__section" aria-labelledby="settings-notifications">
      <h2 className="settings__heading" id="settings-notifications">
        Notifications
      </h2>
      <SettingsToggle
        label="Show message content in notifications"
        testId="settings-notify-content"
        hint="Off: notifications say only “New message”, without the sender or the text. While Parley is locked it receives nothing, so nothing is announced."
        checked={prefs?.showContent ?? true}
        disabled={prefs === null}
        onChange={(on) => void setShowContent(on)}
      />
      <p className="settings__hint">
        Choose all messages, mentions only or muted per conversation: right-click it in the list.
      </p>
      {shell === 'web' && permission !== null && permission !== 'granted' ? (
        <div className="field">
          <Button
            testId="settings-notify-permission"
            variant="secondary"
            disabled={permission === 'denied'}
            onClick={() => void requestBrowserNotifications().then(setPermission)}
          >
            Allow notifications in this browser
          </Button>
          {permission === 'denied' ? (
            <p className="field__hint">
              This browser blocks notifications for Parley; allow them in its site settings.
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
