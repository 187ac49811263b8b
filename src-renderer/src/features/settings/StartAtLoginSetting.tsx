import { useEffect } from 'react';
import { SettingsToggle } from '../../components/SettingsToggle';
import { useAppStore } from '../../store/appStore';

/**
 * "Start Parley when I log in" (desktop app only; off unless the user turns
 * it on). The OS keeps the setting (login items, or an autostart entry on
 * Linux), so it is read from there each time.
 */
export function StartAtLoginSetting() {
  const state = useAppStore((s) => s.startAtLogin);
  const busy = useAppStore((s) => s.startAtLoginBusy);
  const error = useAppStore((s) => s.startAtLoginError);
  const load = useAppStore((s) => s.loadStartAtLogin);
  const setStartAtLogin = useAppStore((s) => s.setStartAtLogin);

  useEffect(() => {
    void load();
  }, [load]);

  if (!state?.supported) return null;
  return (
    <SettingsToggle
      label="Start Parley when I log in"
      testId="settings-start-at-login"
      hint="Parley opens when you log in to this computer, locked until you enter your passphrase."
      checked={state.enabled}
      disabled={busy}
      onChange={(on) => void setStartAtLogin(on)}
      error={error}
    />
  );
}
