import { useEffect, useState, type FormEvent } from 'react';
import { passphraseProblem } from '../../../../src-shared/contract';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PassphraseField } from '../../components/PassphraseField';
import { useAppStore } from '../../store/appStore';
import type { BackupSource } from '../../store/backupSlice';
import { BackupFileField } from './BackupFileField';
import { BackupProgress } from './BackupProgress';
import { BackupScheduleForm } from './BackupScheduleForm';

/**
 * Settings → Backup: write an encrypted archive of everything (with progress
 * and cancel), check one, and schedule backups. No path is ever typed: the
 * desktop app asks where to save with a native dialog, the web shell hands the
 * archive to the browser's download; a backup to check is chosen the same way.
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
  const watchSchedule = useAppStore((s) => s.watchBackupSchedule);

  const desktop = useAppStore((s) => s.appInfo?.shell === 'electron');
  const [source, setSource] = useState<BackupSource | null>(null);
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [submitted, setSubmitted] = useState<'create' | 'verify' | null>(null);

  useEffect(() => watchSchedule(), [watchSchedule]);

  const fileProblem = source === null ? 'Choose the backup file to check.' : null;
  const problems = {
    file: submitted === 'verify' ? fileProblem : null,
    password:
      submitted === 'verify'
        ? password === ''
          ? 'Enter the backup password.'
          : null
        : passphraseProblem(password),
    confirmation: submitted === 'create' && confirmation !== password ? 'The passwords do not match.' : null,
  };
  const shown = submitted ? problems : { file: null, password: null, confirmation: null };

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted('create');
    clear();
    if (passphraseProblem(password) || confirmation !== password) return;
    if (await startBackup(password)) {
      setPassword('');
      setConfirmation('');
      setSubmitted(null);
    }
  }

  async function onVerify() {
    setSubmitted('verify');
    clear();
    if (!source || password === '') return;
    await verifyBackup(source, password);
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
            {desktop ? 'Back up now…' : 'Back up and download'}
          </Button>
        </div>
        <p className="settings__hint">
          {desktop
            ? 'You choose where to save it.'
            : 'Your browser saves the file like any download; keep it somewhere safe, off this computer too.'}
        </p>
        <h3 className="settings__subheading">Check a backup</h3>
        <p className="settings__hint">
          Opens the file with the password above and checks every part of it, without restoring anything.
        </p>
        <BackupFileField
          testId="backup-verify-file"
          value={source}
          onChange={setSource}
          error={shown.file}
          disabled={job !== null}
        />
        <div className="backup__actions">
          <Button
            testId="backup-verify"
            variant="secondary"
            disabled={job !== null}
            onClick={() => void onVerify()}
          >
            Verify the backup
          </Button>
        </div>
      </form>
      <div className="settings__divider" />
      <BackupScheduleForm />
    </section>
  );
}
