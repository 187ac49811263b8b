import { useEffect, useState } from 'react';
import type { StartAtLogin } from '../../../../src-preload/contract/areas/host';
import { api, toErrorPayload } from '../../api/client';

/**
 * "Start Parley when I log in" (desktop app only; off unless the user turns
 * it on). The OS keeps the setting (login items, or an autostart entry on
 * Linux), so it is read from there each time.
 */
export function StartAtLoginSetting() {
  const [state, setState] = useState<StartAtLogin | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.startAtLogin().then(
      (s) => live && setState(s),
      () => live && setState(null),
    );
    return () => {
      live = false;
    };
  }, []);

  if (!state?.supported) return null;
  return (
    <div className="toggle-row">
      <label className="toggle">
        <input
          type="checkbox"
          role="switch"
          data-testid="settings-start-at-login"
          checked={state.enabled}
          disabled={busy}
          aria-describedby="start-at-login-hint"
          onChange={(e) => {
            setBusy(true);
            setError(null);
            api
              .setStartAtLogin(e.target.checked)
              .then(setState, (err: unknown) => setError(toErrorPayload(err).message))
              .finally(() => setBusy(false));
          }}
        />
        <span>Start Parley when I log in</span>
      </label>
      <p className="field__hint" id="start-at-login-hint">
        Parley opens when you log in to this computer, locked until you enter your passphrase.
      </p>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
