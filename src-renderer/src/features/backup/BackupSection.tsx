import { useEffect, useState, type FormEvent } from 'react';
import { passphraseProblem } from '../../../../src-preload/contract';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PassphraseField } from '../../components/PassphraseField';
import { TextField } from '../../components/TextField';
import { api } from '../../api/client';
import { useAppStore } from '../../store/appStore';
import { BackupProgress } from './BackupProgress';
import { BackupScheduleForm } from './BackupScheduleForm';

function pathProblem(path: string): string | null {
  const p = path.trim();
  if (p === '') return 'Enter where to save the backup, as a full path.';
  if (!p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p))
    return 'Enter a full path, starting with / (or a drive letter).';
  return null;
}

/**
 * Settings → Backup: write an encrypted archive of everything (with progress
 * and cancel), check one, and schedule backups. The web shell cannot open
 * native file dialogs, so paths are typed; the core reads and writes them.
 */
export function BackupSection() {
  const job = useAppStore((s) => s.backupJob);
  const notice = useAppStore((s) => s.backupNotice);
  const error = useAppStore((s) =>
    s.backupError && s.backupError.kind !== 'schedule' ? s.backupError : null,
  );
  const startBackup = useAppStore((s) => s.startBackup);
  const verifyBackup = useAppStore((s) => s.verifyBackup);
  const cancelBackup = useAppStore((s) => s.cancelBackup);
  const clear = useAppStore((s) => s.clearBackupMessages);
  const loadSchedule = useAppStore((s) => s.loadBackupSchedule);

  const [path, setPath] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [submitted, setSubmitted] = useState<'create' | 'verify' | null>(null);

  useEffect(() => {
    void loadSchedule();
    return api.onBackupScheduleChanged(() => void loadSchedule());
  }, [loadSchedule]);

  const problems = {
    path: pathProblem(path),
    password:
      submitted === 'verify'
        ? password === ''
          ? 'Enter the backup password.'
          : null
        : passphraseProblem(password),
    confirmation: submitted === 'create' && confirmation !== password ? 'The passwords do not match.' : null,
  };
  const shown = submitted ? problems : { path: null, password: null, confirmation: null };

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted('create');
    clear();
    if (pathProblem(path) || passphraseProblem(password) || confirmation !== password) return;
    if (await startBackup(path.trim(), password)) {
      setPassword('');
      setConfirmation('');
      setSubmitted(null);
    }
  }

  async function onVerify() {
    setSubmitted('verify');
    clear();
    if (pathProblem(path) || password === '') return;
    await verifyBackup(path.trim(), password);
  }

  return (
    <section
      className="settings__section backup"
      aria-labelledby="settings-backup"
      data-testid="backup-section"
    >
      <h2 className="settings__heading" id="settings-backup">
        Backup
      </h2>
      <p className="settings__hint">
        One encrypted file with your keys, conversations, messages, files and contacts. Its password is
        separate from your passphrase and never stored: without it nobody, not even you, can open the backup.
      </p>
      {error ? (
        <ErrorBanner
          testId="backup-error"
          title={error.kind === 'verify' ? 'The backup did not pass the check' : 'No backup was written'}
          message={error.message}
          onDismiss={clear}
        />
      ) : null}
      {notice ? (
        <p className="backup__notice" role="status" data-testid="backup-notice">
          {notice.message}
        </p>
      ) : null}
      <form className="form" noValidate onSubmit={onCreate} aria-busy={job ? true : undefined}>
        <fieldset className="form__fields" disabled={job !== null}>
          <legend className="visually-hidden">Back up</legend>
          <TextField
            label="Backup file"
            testId="backup-path"
            placeholder="/home/you/parley-backup.parley-backup"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            hint="A full path to a new file (the core writes it; this window cannot open file dialogs)."
            error={shown.path}
            spellCheck={false}
          />
          <PassphraseField
            label="Backup password"
            testId="backup-password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={shown.password}
          />
          <PassphraseField
            label="Confirm backup password"
            testId="backup-confirm"
            autoComplete="new-password"
            value={confirmation}
            onChange={(e) => setConfirmation(e.target.value)}
            error={shown.confirmation}
          />
        </fieldset>
        {job && job.kind !== 'restore' ? (
          <BackupProgress job={job} onCancel={() => void cancelBackup()} />
        ) : null}
        <div className="backup__actions">
          <Button type="submit" testId="backup-start" disabled={job !== null}>
            Back up now
          </Button>
          <Button
            testId="backup-verify"
            variant="secondary"
            disabled={job !== null}
            onClick={() => void onVerify()}
          >
            Verify a backup
          </Button>
        </div>
      </form>
      <div className="settings__divider" />
      <BackupScheduleForm />
    </section>
  );
}
