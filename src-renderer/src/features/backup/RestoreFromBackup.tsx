import { useRef, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Modal } from '../../components/Modal';
import { PassphraseField } from '../../components/PassphraseField';
import { TextField } from '../../components/TextField';
import { useAppStore } from '../../store/appStore';
import { BackupProgress } from './BackupProgress';

/**
 * First start: "Restore from backup" opens a dialog that restores an archive
 * into this app's (empty) profile folder. When it succeeds the core reports
 * the profile as locked and the app moves on to the unlock screen by itself.
 * Paths are typed: the web shell cannot open native file dialogs (Electron
 * could add one later).
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
  const [path, setPath] = useState('');
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const pathRef = useRef<HTMLInputElement>(null);

  const pathProblem =
    path.trim() === ''
      ? 'Enter the path of the backup file.'
      : !path.trim().startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path.trim())
        ? 'Enter a full path, starting with / (or a drive letter).'
        : null;
  const passwordProblem = password === '' ? 'Enter the backup password.' : null;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    clear();
    if (pathProblem || passwordProblem) return;
    await restore(path.trim(), password);
  }

  return (
    <Modal
      title="Restore from a backup"
      testId="restore-dialog"
      initialFocus={pathRef}
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
          <TextField
            ref={pathRef}
            label="Backup file"
            testId="restore-path"
            placeholder="/home/you/parley-backup.parley-backup"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            error={submitted ? pathProblem : null}
            spellCheck={false}
          />
          <PassphraseField
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
