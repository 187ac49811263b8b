import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { CardScreen } from '../../components/CardScreen';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PassphraseField } from '../../components/PassphraseField';
import { useAppStore } from '../../store/appStore';

export function UnlockScreen() {
  const busy = useAppStore((s) => s.busy === 'unlock');
  const deviceBusy = useAppStore((s) => s.busy === 'unlockDevice');
  const remembered = useAppStore((s) => s.status?.remembered === true);
  const error = useAppStore((s) => (s.error?.action === 'unlock' ? s.error : null));
  const deviceError = useAppStore((s) => (s.error?.action === 'unlockDevice' ? s.error : null));
  const unlockProfile = useAppStore((s) => s.unlockProfile);
  const unlockWithDevice = useAppStore((s) => s.unlockWithDevice);
  const clearError = useAppStore((s) => s.clearError);

  const [passphrase, setPassphrase] = useState('');
  const [emptyTried, setEmptyTried] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  const wrongPassphrase = error?.code === 'WRONG_PASSPHRASE';
  const fieldError = wrongPassphrase ? error.message : emptyTried ? 'Enter your passphrase.' : null;

  // Runs after the field is enabled again (it is disabled while the key is derived), so focus sticks.
  // Selecting the text lets the user simply retype it.
  useEffect(() => {
    if (busy) return;
    const input = inputRef.current;
    if (!input) return;
    input.focus();
    if (wrongPassphrase) input.select();
  }, [busy, wrongPassphrase, error]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (passphrase === '') {
      setEmptyTried(true);
      inputRef.current?.focus();
      return;
    }
    await unlockProfile(passphrase);
  }

  return (
    <CardScreen
      testId="unlock-screen"
      steady
      title="Parley is locked"
      lede="Enter your passphrase to open your messages."
    >
      {error && !wrongPassphrase ? (
        <ErrorBanner
          testId="unlock-error-banner"
          title="Parley could not be unlocked"
          message={error.message}
          onDismiss={clearError}
        />
      ) : null}
      {deviceError ? (
        <ErrorBanner
          testId="unlock-device-error"
          title="This device could not unlock Parley"
          message={`${deviceError.message} Enter your passphrase instead.`}
          onDismiss={clearError}
        />
      ) : null}
      {remembered ? (
        <Button
          testId="unlock-with-device"
          variant="secondary"
          block
          busy={deviceBusy}
          busyLabel="Unlocking with this device…"
          disabled={busy}
          onClick={() => void unlockWithDevice()}
        >
          Unlock with this device
        </Button>
      ) : null}
      <form className="form" noValidate onSubmit={onSubmit} aria-busy={busy || undefined}>
        <PassphraseField
          ref={inputRef}
          label="Passphrase"
          testId="unlock-passphrase"
          autoComplete="current-password"
          disabled={busy || deviceBusy}
          value={passphrase}
          onChange={(e) => {
            setPassphrase(e.target.value);
            setEmptyTried(false);
            // The message described the previous attempt; keep it out of the way of the new one.
            if (error) clearError();
          }}
          error={fieldError}
        />
        <p className="visually-hidden" role="status">
          {busy ? 'Unlocking…' : ''}
        </p>
        <Button type="submit" testId="unlock-submit" block busy={busy} busyLabel="Unlocking…">
          Unlock
        </Button>
      </form>
    </CardScreen>
  );
}
