import { useEffect, useRef, useState, type FormEvent } from 'react';
import { DISPLAY_NAME_MAX_LENGTH, requests } from '../../../../src-shared/contract';
import { Button } from '../../components/Button';
import { CardScreen } from '../../components/CardScreen';
import { ErrorBanner } from '../../components/ErrorBanner';
import { NewPassphraseFields, newPassphraseProblems } from '../../components/NewPassphraseFields';
import { SettingsToggle } from '../../components/SettingsToggle';
import { TextField } from '../../components/TextField';
import { WeakPassphraseDialog } from '../../components/WeakPassphraseDialog';
import { isWeakPassphrase } from '../../components/strength/weakPassphrase';
import { useAppStore } from '../../store/appStore';
import { RestoreFromBackup } from '../backup/RestoreFromBackup';
import { JoinScreen } from './JoinScreen';

/** The contract's own rule for names, so the form and the core never disagree. */
const displayNameSchema = requests['profile.create'].params.shape.displayName;

function displayNameProblem(name: string): string | null {
  const parsed = displayNameSchema.safeParse(name);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'Enter a valid display name.');
}

interface Problems {
  displayName: string | null;
  passphrase: string | null;
  confirmation: string | null;
}

function validate(displayName: string, passphrase: string, confirmation: string): Problems {
  return { displayName: displayNameProblem(displayName), ...newPassphraseProblems(passphrase, confirmation) };
}

/** First start: a new profile, or "I already use Parley" (link this computer, issue 18). */
export function OnboardingScreen() {
  // In the store, not here: "Link again" on a removed device opens onboarding on this screen.
  const joining = useAppStore((s) => s.onboardingJoin);
  const setJoining = useAppStore((s) => s.setOnboardingJoin);
  if (joining) return <JoinScreen onBack={() => setJoining(false)} />;
  return <NewProfile onJoin={() => setJoining(true)} />;
}

function NewProfile({ onJoin }: { onJoin: () => void }) {
  const busy = useAppStore((s) => s.busy === 'create');
  const error = useAppStore((s) => (s.error?.action === 'create' ? s.error : null));
  const createProfile = useAppStore((s) => s.createProfile);
  const clearError = useAppStore((s) => s.clearError);

  const [displayName, setDisplayName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  // Errors appear only after a first submit, then follow the input live.
  const [submitted, setSubmitted] = useState(false);
  // A Very weak or Weak passphrase waits here for "Use it anyway".
  const [askWeak, setAskWeak] = useState(false);
  // Off unless chosen: broadcasting one's name on the LAN is not what privacy-minded people expect.
  const [discoverable, setDiscoverable] = useState(false);

  const nameRef = useRef<HTMLInputElement>(null);
  const passphraseRef = useRef<HTMLInputElement>(null);
  const confirmationRef = useRef<HTMLInputElement>(null);

  const problems = validate(displayName, passphrase, confirmation);
  const shown: Problems = submitted ? problems : { displayName: null, passphrase: null, confirmation: null };

  useEffect(() => {
    nameRef.current?.focus();
  }, []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    clearError();
    const firstInvalid = problems.displayName
      ? nameRef
      : problems.passphrase
        ? passphraseRef
        : problems.confirmation
          ? confirmationRef
          : null;
    if (firstInvalid) {
      firstInvalid.current?.focus();
      return;
    }
    if (await isWeakPassphrase(passphrase, [displayName, 'parley'])) {
      setAskWeak(true);
      return;
    }
    await createProfile(displayName.trim(), passphrase, discoverable);
  }

  return (
    <CardScreen
      testId="onboarding-screen"
      wide
      title="Welcome to Parley"
      lede="Create your profile. Your keys and messages stay on this computer, encrypted with a passphrase only you know."
    >
      {error ? (
        <ErrorBanner
          testId="onboarding-error"
          title="Your profile was not created"
          message={error.message}
          onDismiss={clearError}
        />
      ) : null}
      <form className="form" noValidate onSubmit={onSubmit} aria-busy={busy || undefined}>
        <fieldset className="form__fields" disabled={busy}>
          <legend className="visually-hidden">New profile</legend>
          <TextField
            ref={nameRef}
            label="Display name"
            testId="onboarding-display-name"
            autoComplete="nickname"
            // Above the contract's limit on purpose: a long paste gets the rule's message, not a silent cut.
            maxLength={DISPLAY_NAME_MAX_LENGTH * 2}
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
            hint="Shown to the people you talk to."
            error={shown.displayName}
          />
          <NewPassphraseFields
            label="Passphrase"
            testIdPrefix="onboarding"
            passphrase={passphrase}
            confirmation={confirmation}
            onPassphrase={setPassphrase}
            onConfirmation={setConfirmation}
            errors={shown}
            userInputs={[displayName, 'parley']}
            passphraseRef={passphraseRef}
            confirmationRef={confirmationRef}
          />
          <SettingsToggle
            label="Discoverable on this network"
            testId="onboarding-discoverable"
            checked={discoverable}
            onChange={setDiscoverable}
            hint="When on, everyone on this network (the same Wi-Fi or office LAN) sees your name under “Nearby” and can ask to be your contact. When off, only people you invite can reach you. You can change this in Settings → Privacy."
          />
        </fieldset>
        <p className="notice" data-testid="onboarding-notice">
          There is no account and no server. If you forget this passphrase, nobody can recover your messages.
        </p>
        {/* A label that changes under focus is not always read out: the progress is said here too. */}
        <p className="visually-hidden" role="status">
          {busy ? 'Creating your encrypted profile…' : ''}
        </p>
        <Button
          type="submit"
          testId="onboarding-submit"
          block
          busy={busy}
          busyLabel="Creating your encrypted profile…"
        >
          Create profile
        </Button>
      </form>
      {askWeak ? (
        <WeakPassphraseDialog
          returnFocus={passphraseRef}
          onCancel={() => setAskWeak(false)}
          onUseAnyway={() => {
            setAskWeak(false);
            void createProfile(displayName.trim(), passphrase, discoverable);
          }}
        />
      ) : null}
      <Button testId="onboarding-join" variant="ghost" block onClick={onJoin}>
        I already use Parley
      </Button>
      <RestoreFromBackup />
    </CardScreen>
  );
}
