import { SettingsToggle } from '../../components/SettingsToggle';
import { useAppStore } from '../../store/appStore';
import { IDLE_LOCK_CHOICES, type IdleLockMinutes } from '../../store/settingsSlice';
import { ChangePassphraseForm } from './ChangePassphraseForm';
import { StartAtLoginSetting } from './StartAtLoginSetting';

function idleLabel(minutes: IdleLockMinutes): string {
  if (minutes === 0) return 'Never';
  return minutes === 1 ? 'After 1 minute' : `After ${minutes} minutes`;
}

/** Settings → Security: passphrase, idle lock, keychain, start at login. */
export function SecuritySettings() {
  const status = useAppStore((s) => s.status);
  const idleLockMinutes = useAppStore((s) => s.idleLockMinutes);
  const setIdleLockMinutes = useAppStore((s) => s.setIdleLockMinutes);
  const setRemember = useAppStore((s) => s.setRemember);
  const rememberBusy = useAppStore((s) => s.busy === 'remember');
  const rememberError = useAppStore((s) => (s.error?.action === 'remember' ? s.error : null));

  return (
    <section className="settings__section" aria-labelledby="settings-security">
      <h2 className="settings__heading" id="settings-security">
        Security
      </h2>
      <ChangePassphraseForm />
      <div className="settings__divider" />
      <div className="field">
        <label className="field__label" htmlFor="idle-lock">
          Lock after inactivity
        </label>
        <select
          id="idle-lock"
          className="select"
          data-testid="settings-idle-lock"
          value={idleLockMinutes}
          onChange={(e) => {
            const n = Number(e.target.value);
            const choice = IDLE_LOCK_CHOICES.find((c) => c === n);
            if (choice !== undefined) setIdleLockMinutes(choice);
          }}
          aria-describedby="idle-lock-hint"
        >
          {IDLE_LOCK_CHOICES.map((m) => (
            <option key={m} value={m}>
              {idleLabel(m)}
            </option>
          ))}
        </select>
        <p className="field__hint" id="idle-lock-hint">
          Parley locks itself when this window sees no keyboard or mouse input for that long.
        </p>
      </div>
      {status?.canRemember ? (
        <SettingsToggle
          label="Remember on this device"
          testId="settings-remember"
          hint="The system keychain keeps the key, so Parley unlocks without the passphrase for your user account on this computer."
          checked={status.remembered ?? false}
          disabled={rememberBusy}
          onChange={(on) => void setRemember(on)}
          error={rememberError?.message ?? null}
          errorTestId="settings-remember-error"
        />
      ) : null}
      <StartAtLoginSetting />
    </section>
  );
}
