import { useId, useRef, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Modal } from '../../components/Modal';
import { PassphraseField } from '../../components/PassphraseField';
import { useAppStore } from '../../store/appStore';
import type { BackupSource } from '../../store/backupSlice';
import { BackupFileField } from './BackupFileField';
import { BackupProgress } from './BackupProgress';

/**
 * First start: "Restore from backup" opens a dialog that restores an archive
 * into this app's (empty) profile folder. When it succeeds the core reports
 * the profile as locked and the app moves on to the unlock screen by itself.
 * The archive is chosen with a native dialog (desktop app) or the browser's
 * file picker and uploaded (web shell): never a typed path.
 *
 * First the choice of docs/protocol.md §13.9 (issue 18), asked, never
 * guessed: the restored computer replaces the device the backup came from
 * (that device is removed from the person's devices at the first start), or
 * it is added beside the devices still in use, which is linking it from one
 * of them ("I already use Parley"): the history then comes from that device.
 */
export function RestoreFromBackup() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button testId="restore-open" variant="ghost" block onClick={() => setOpen(true)}>
        Restore from a backup
      </Button>
      {open ? <RestoreDialog onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function RestoreDialog({ onClose }: { onClose: () => void }) {
  const job = useAppStore((s) => (s.backupJob?.kind === 'restore' ? s.backupJob : null));
  const error = useAppStore((s) => (s.backupError?.kind === 'restore' ? s.backupError : null));
  const restore = useAppStore((s) => s.restoreBackup);
  const cancel = useAppStore((s) => s.cancelBackup);
  const clear = useAppStore((s) => s.clearBackupMessages);
  const [source, setSource] = useState<BackupSource | null>(null);
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const setOnboardingJoin = useAppStore((s) => s.setOnboardingJoin);
  // No default: replacing removes a device that may still be in use.
  const [mode, setMode] = useState<'replace' | 'add' | null>(null);
  const ids = useId();

  const fileProblem = source === null ? 'Choose the backup file.' : null;
  const passwordProblem = password === '' ? 'Enter the backup password.' : null;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    clear();
    if (mode === 'add') {
      onClose();
      setOnboardingJoin(true);
      return;
    }
    if (mode === null || !source || passwordProblem) return;
    await restore(source, password);
  }

  return (
    <Modal
      title="Restore from a backup"
      testId="restore-dialog"
      initialFocus={passwordRef}
      onClose={() => {
        if (job) return;
        clear();
        onClose();
      }}
    >
      <form className="form" noValidate onSubmit={onSubmit} aria-busy={job ? true : undefined}>
        <fieldset className="field link-choice restore-choice" disabled={job !== null}>
          <legend className="field__label">Is the device this backup came from still in use?</legend>
          <label className="radio restore-choice__option">
            <input
              type="radio"
              name={`${ids}-mode`}
              data-testid="restore-choice-add"
              checked={mode === 'add'}
              onChange={() => setMode('add')}
            />
            <span>
              <span className="restore-choice__title">Add this computer as another device</span>
              <span className="restore-choice__text">
                Your other devices stay as they are: link this computer from one of them, and your history
                comes over from it; no backup is needed.
              </span>
            </span>
          </label>
          <label className="radio restore-choice__option">
            <input
              type="radio"
              name={`${ids}-mode`}
              data-testid="restore-choice-replace"
              checked={mode === 'replace'}
              onChange={() => setMode('replace')}
            />
            <span>
              <span className="restore-choice__title">Replace the old device</span>
              <span className="restore-choice__text">
                This computer takes the place of the device the backup came from, which is removed from your
                devices and stops receiving messages.
              </span>
            </span>
          </label>
          {submitted && mode === null ? (
            <p className="field__error" role="alert" data-testid="restore-choice-error">
              Choose whether this computer is added or replaces the old device.
            </p>
          ) : null}
        </fieldset>
        {mode === 'replace' ? (
          <p className="settings__hint">
            Everything is checked before anything is written: a wrong password or a damaged file changes
            nothing. Afterwards, unlock with the passphrase the profile had when it was backed up.
          </p>
        ) : null}
        {error ? (
          <ErrorBanner
            testId="restore-error"
            title="Nothing was restored"
            message={error.message}
            onDismiss={clear}
          />
        ) : null}
        {mode === 'add' ? (
          <Button type="submit" testId="restore-link-instead" block>
            Link this computer instead
          </Button>
        ) : null}
        {mode === 'add' ? null : (
          <>
            <fieldset className="form__fields" disabled={job !== null}>
              <legend className="visually-hidden">Backup to restore</legend>
              <BackupFileField
                testId="restore-file"
                value={source}
                onChange={setSource}
                error={submitted ? fileProblem : null}
                disabled={job !== null}
              />
              <PassphraseField
                ref={passwordRef}
                label="Backup password"
                testId="restore-password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                error={submitted ? passwordProblem : null}
              />
            </fieldset>
            {job ? <BackupProgress job={job} onCancel={() => void cancel()} /> : null}
            <Button type="submit" testId="restore-submit" block busy={job !== null} busyLabel="Restoring…">
              Restore
            </Button>
          </>
        )}
      </form>
    </Modal>
  );
}
