import { useRef, useState, type FormEvent } from 'react';
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

  const fileProblem = source === null ? 'Choose the backup file.' : null;
  const passwordProblem = password === '' ? 'Enter the backup password.' : null;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    clear();
    if (!source || passwordProblem) return;
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
        <p className="settings__hint">
          Everything is checked before anything is written: a wrong password or a damaged file changes
          nothing. Afterwards, unlock with the passphrase the profile had when it was backed up.
        </p>
        {error ? (
          <ErrorBanner
            testId="restore-error"
            title="Nothing was restored"
            message={error.message}
            onDismiss={clear}
          />
        ) : null}
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
      </form>
    </Modal>
  );
}
