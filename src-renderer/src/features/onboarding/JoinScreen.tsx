import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { CardScreen } from '../../components/CardScreen';
import { ErrorBanner } from '../../components/ErrorBanner';
import { NewPassphraseFields, newPassphraseProblems } from '../../components/NewPassphraseFields';
import { Spinner } from '../../components/Spinner';
import { TextField } from '../../components/TextField';
import { useAppStore } from '../../store/appStore';
import { SasDigits } from '../devices/SasDigits';

/**
 * Onboarding → "I already use Parley" (issue 18, docs/protocol.md §13.5 and
 * §13.10): this computer becomes another device of the person whose link
 * code is pasted. A passphrase for this computer, the code, whether the
 * history comes with its files; then the short code both screens show, which
 * the user compares. Nothing is saved unless both users confirm; once linked
 * the profile opens by itself (the app follows the profile's state) and the
 * history arrives with its progress on the home screen.
 */
export function JoinScreen({ onBack }: { onBack: () => void }) {
  const [code, setCode] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [deviceName, setDeviceName] = useState('');
  const [withFiles, setWithFiles] = useState(true);
  const [submitted, setSubmitted] = useState(false);
  const status = useAppStore((s) => s.join);
  const error = useAppStore((s) => s.joinError);
  const watchJoin = useAppStore((s) => s.watchJoin);
  const startJoin = useAppStore((s) => s.startJoin);
  const confirmJoin = useAppStore((s) => s.confirmJoin);
  const cancelJoin = useAppStore((s) => s.cancelJoin);
  const clearError = useAppStore((s) => s.clearJoinError);
  const [sending, setSending] = useState(false);
  const codeRef = useRef<HTMLTextAreaElement>(null);
  const passRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  const ids = useId();

  useEffect(() => watchJoin(), [watchJoin]);
  useEffect(() => codeRef.current?.focus(), []);

  const problems = {
    code: code.trim() === '' ? 'Paste the code your other device shows.' : null,
    ...newPassphraseProblems(passphrase, confirmation),
  };
  const shown = submitted ? problems : { code: null, passphrase: null, confirmation: null };
  const state = status?.state ?? 'idle';

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    clearError();
    const first = problems.code
      ? codeRef
      : problems.passphrase
        ? passRef
        : problems.confirmation
          ? confirmRef
          : null;
    if (first) {
      first.current?.focus();
      return;
    }
    setSending(true);
    await startJoin({
      code: code.replace(/\s+/g, ''),
      passphrase,
      ...(deviceName.trim() ? { deviceName: deviceName.trim() } : {}),
    });
    setSending(false);
  }

  async function answer(match: boolean) {
    setSending(true);
    await confirmJoin(match, withFiles);
    setSending(false);
  }

  const cancel = () => cancelJoin();

  const back = () => {
    void cancel();
    onBack();
  };

  if (state === 'connecting' || state === 'sas' || state === 'waiting' || state === 'done') {
    return (
      <CardScreen
        testId="join-screen"
        title="Link this computer"
        lede="Your other device and this one are talking."
      >
        {state === 'connecting' ? (
          <div className="link-step" role="status" data-testid="join-connecting">
            <p className="dialog-section__text">
              <Spinner /> Connecting to your other device…
            </p>
            <div className="link-step__actions">
              <Button testId="join-cancel" variant="secondary" onClick={() => void cancel()}>
                Cancel
              </Button>
            </div>
          </div>
        ) : state === 'sas' ? (
          <section className="link-step" aria-labelledby={`${ids}-sas`} data-testid="join-sas-step">
            <h2 className="dialog-section__title" id={`${ids}-sas`}>
              Does your other device show the same code?
            </h2>
            <SasDigits sas={status?.sas ?? ''} testId="join-sas" />
            <p className="dialog-section__text">
              Compare it with the code on your other device
              {status?.peer ? <> (its id ends in {status.peer.slice(-8)})</> : null}. If they differ, someone
              else has your link code: choose “The codes differ”.
              {status?.otherConfirmed ? ' Your other device already confirmed.' : ''}
            </p>
            <fieldset className="field link-choice">
              <legend className="field__label">Copy history</legend>
              <label className="radio">
                <input
                  type="radio"
                  name={`${ids}-files`}
                  data-testid="join-with-files"
                  checked={withFiles}
                  onChange={() => setWithFiles(true)}
                />{' '}
                With files
              </label>
              <label className="radio">
                <input
                  type="radio"
                  name={`${ids}-files`}
                  data-testid="join-without-files"
                  checked={!withFiles}
                  onChange={() => setWithFiles(false)}
                />{' '}
                Without files (they stay on your other devices)
              </label>
            </fieldset>
            <div className="link-step__actions">
              <Button
                testId="join-sas-differ"
                variant="secondary"
                disabled={sending}
                onClick={() => void answer(false)}
              >
                The codes differ
              </Button>
              <Button testId="join-sas-match" busy={sending} onClick={() => void answer(true)}>
                The codes match
              </Button>
            </div>
          </section>
        ) : (
          <div className="link-step" role="status" data-testid="join-waiting">
            <p className="dialog-section__text">
              <Spinner />{' '}
              {state === 'done'
                ? 'Linked. Opening your profile…'
                : status?.otherConfirmed
                  ? 'Receiving your contacts and settings…'
                  : 'Waiting for your other device: confirm the code there too.'}
            </p>
          </div>
        )}
        {error ? (
          <ErrorBanner testId="join-error" title="Linking failed" message={error} onDismiss={clearError} />
        ) : null}
      </CardScreen>
    );
  }

  return (
    <CardScreen
      testId="join-screen"
      wide
      title="I already use Parley"
      lede="Make this computer another device of yours. On your other device, open Settings → Devices → Link a new device, and copy the code it shows."
    >
      {state === 'failed' && status?.message ? (
        <ErrorBanner
          testId="join-failed"
          title="Not linked"
          message={status.message}
          onDismiss={() => void cancel()}
        />
      ) : null}
      {error ? (
        <ErrorBanner testId="join-error" title="Not linked" message={error} onDismiss={clearError} />
      ) : null}
      <form className="form" noValidate onSubmit={onSubmit} aria-busy={sending || undefined}>
        <fieldset className="form__fields" disabled={sending}>
          <legend className="visually-hidden">Link this computer</legend>
          <div className="field">
            <label className="field__label" htmlFor={`${ids}-code`}>
              Link code
            </label>
            <textarea
              id={`${ids}-code`}
              ref={codeRef}
              className="textarea textarea--mono"
              data-testid="join-code"
              rows={4}
              value={code}
              spellCheck={false}
              aria-invalid={shown.code ? true : undefined}
              aria-describedby={shown.code ? `${ids}-code-error` : undefined}
              placeholder="parley://link/…"
              onChange={(e) => setCode(e.target.value)}
            />
            {shown.code ? (
              <p className="field__error" id={`${ids}-code-error`}>
                {shown.code}
              </p>
            ) : null}
          </div>
          <NewPassphraseFields
            label="Passphrase for this computer"
            testIdPrefix="join"
            passphrase={passphrase}
            confirmation={confirmation}
            onPassphrase={setPassphrase}
            onConfirmation={setConfirmation}
            errors={shown}
            userInputs={['parley']}
            passphraseRef={passRef}
            confirmationRef={confirmRef}
          />
          <TextField
            label="Name for this computer (optional)"
            testId="join-device-name"
            maxLength={64}
            value={deviceName}
            onChange={(e) => setDeviceName(e.target.value)}
            hint="Shown in your list of devices, for example “Work laptop”."
          />
        </fieldset>
        <p className="notice">This passphrase protects this computer only. Your other devices keep theirs.</p>
        <div className="link-step__actions">
          <Button testId="join-back" variant="ghost" onClick={back}>
            Back
          </Button>
          <Button type="submit" testId="join-submit" busy={sending} busyLabel="Connecting…">
            Link this computer
          </Button>
        </div>
      </form>
    </CardScreen>
  );
}
