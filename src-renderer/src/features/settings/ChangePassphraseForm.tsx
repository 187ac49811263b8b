import { useId, useRef, useState, type FormEvent } from 'react';
import { passphraseProblem } from '../../../../src-shared/contract';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PassphraseField } from '../../components/PassphraseField';
import { StrengthMeter } from '../../components/StrengthMeter';
import { WeakPassphraseDialog } from '../../components/WeakPassphraseDialog';
import { isWeakPassphrase } from '../../components/strength/weakPassphrase';
import { preloadStrengthEstimator } from '../../components/strength/useStrength';
import { useAppStore } from '../../store/appStore';

interface Problems {
  current: string | null;
  next: string | null;
  confirmation: string | null;
}

export function validateChange(current: string, next: string, confirmation: string): Problems {
  return {
    current: current === '' ? 'Enter your current passphrase.' : null,
    next:
      passphraseProblem(next) ??
      (next === current && current !== '' ? 'Choose a passphrase different from the current one.' : null),
    confirmation:
      confirmation === ''
        ? 'Type the new passphrase again to confirm it.'
        : confirmation !== next
          ? 'The passphrases do not match.'
          : null,
  };
}

/** Re-wraps the database key under a new passphrase (profile.changePassphrase). */
export function ChangePassphraseForm() {
  const busy = useAppStore((s) => s.busy === 'changePassphrase');
  const error = useAppStore((s) => (s.error?.action === 'changePassphrase' ? s.error : null));
  const displayName = useAppStore((s) => s.status?.displayName ?? '');
  const changePassphrase = useAppStore((s) => s.changePassphrase);
  const clearError = useAppStore((s) => s.clearError);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [done, setDone] = useState(false);
  const [askWeak, setAskWeak] = useState(false);
  const currentRef = useRef<HTMLInputElement>(null);
  const nextRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  const meterId = useId();

  const problems = validateChange(current, next, confirmation);
  const wrongCurrent = error?.code === 'WRONG_PASSPHRASE';
  const shown: Problems = submitted
    ? { ...problems, current: wrongCurrent ? error.message : problems.current }
    : { current: wrongCurrent ? error.message : null, next: null, confirmation: null };

  function edited() {
    setDone(false);
    if (error) clearError();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    setDone(false);
    clearError();
    const firstInvalid = problems.current
      ? currentRef
      : problems.next
        ? nextRef
        : problems.confirmation
          ? confirmRef
          : null;
    if (firstInvalid) {
      firstInvalid.current?.focus();
      return;
    }
    if (await isWeakPassphrase(next, [displayName, 'parley'])) {
      setAskWeak(true);
      return;
    }
    await change();
  }

  async function change() {
    if (await changePassphrase(current, next)) {
      setCurrent('');
      setNext('');
      setConfirmation('');
      setSubmitted(false);
      setDone(true);
    } else {
      currentRef.current?.focus();
      currentRef.current?.select();
    }
  }

  return (
    <form className="form" noValidate onSubmit={onSubmit} aria-busy={busy || undefined}>
      {error && !wrongCurrent ? (
        <ErrorBanner
          testId="change-passphrase-error"
          title="The passphrase was not changed"
          message={error.message}
          onDismiss={clearError}
        />
      ) : null}
      <fieldset className="form__fields" disabled={busy}>
        <legend className="settings__subheading">Change passphrase</legend>
        <PassphraseField
          ref={currentRef}
          label="Current passphrase"
          testId="settings-current-passphrase"
          autoComplete="current-password"
          value={current}
          onChange={(e) => {
            setCurrent(e.target.value);
            edited();
          }}
          error={shown.current}
        />
        <PassphraseField
          ref={nextRef}
          label="New passphrase"
          testId="settings-new-passphrase"
          autoComplete="new-password"
          value={next}
          onFocus={() => void preloadStrengthEstimator().catch(() => {})}
          onChange={(e) => {
            setNext(e.target.value);
            edited();
          }}
          error={shown.next}
          aria-describedby={meterId}
        />
        <StrengthMeter id={meterId} passphrase={next} userInputs={[displayName, 'parley']} />
        <PassphraseField
          ref={confirmRef}
          label="Confirm new passphrase"
          testId="settings-confirm-passphrase"
          autoComplete="new-password"
          value={confirmation}
          onChange={(e) => {
            setConfirmation(e.target.value);
            edited();
          }}
          error={shown.confirmation}
        />
      </fieldset>
      <p className="visually-hidden" role="status">
        {busy ? 'Changing the passphrase…' : ''}
      </p>
      {done ? (
        <p className="success-note" role="status" data-testid="change-passphrase-done">
          Passphrase changed. Use the new one next time you unlock.
        </p>
      ) : null}
      <div>
        <Button
          type="submit"
          testId="settings-change-passphrase"
          busy={busy}
          busyLabel="Changing the passphrase…"
        >
          Change passphrase
        </Button>
      </div>
      {askWeak ? (
        <WeakPassphraseDialog
          returnFocus={nextRef}
          onCancel={() => setAskWeak(false)}
          onUseAnyway={() => {
            setAskWeak(false);
            void change();
          }}
        />
      ) : null}
    </form>
  );
}
