import { useState, type FormEvent } from 'react';
import { passphraseProblem } from '../../../../src-shared/contract';
import type { BackupSchedule } from '../../../../src-shared/contract/areas/backup';
import { Button } from '../../components/Button';
import { PassphraseField } from '../../components/PassphraseField';
import { SettingsToggle } from '../../components/SettingsToggle';
import { TextField } from '../../components/TextField';
import { useAppStore } from '../../store/appStore';
import { formatDateTime } from '../../lib/time';

const INTERVALS = [
  { hours: 6, label: 'Every 6 hours' },
  { hours: 24, label: 'Every day' },
  { hours: 24 * 7, label: 'Every week' },
] as const;

/** Scheduled backups into a folder, keeping the newest N; the password lives only in memory. */
export function BackupScheduleForm() {
  const schedule = useAppStore((s) => s.backupSchedule);
  if (!schedule) return null;
  // Re-keyed when the saved schedule changes, so the fields start from what the core has.
  const key = [schedule.enabled, schedule.folder, schedule.intervalHours, schedule.keep].join('|');
  return <ScheduleEditor key={key} schedule={schedule} />;
}

function ScheduleEditor({ schedule }: { schedule: BackupSchedule }) {
  const error = useAppStore((s) => (s.backupError?.kind === 'schedule' ? s.backupError : null));
  const save = useAppStore((s) => s.saveBackupSchedule);
  const pickFolder = useAppStore((s) => s.pickFolder);

  const [enabled, setEnabled] = useState(schedule.enabled);
  const desktop = useAppStore((s) => s.appInfo?.shell === 'electron');
  // A folder chosen in the native dialog (desktop app); the core keeps its path.
  const [chosen, setChosen] = useState<{ handle: string; name: string } | null>(null);
  const [intervalHours, setIntervalHours] = useState(schedule.intervalHours);
  const [keep, setKeep] = useState(schedule.keep);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    if (password !== '') {
      const weak = passphraseProblem(password);
      if (weak) return setProblem(weak);
    } else if (enabled && !schedule.hasPassword) {
      return setProblem('Enter the backup password for scheduled backups.');
    }
    setBusy(true);
    const ok = await save({
      enabled,
      ...(chosen ? { folderHandle: chosen.handle } : {}),
      intervalHours,
      keep,
      ...(password ? { password } : {}),
    });
    setBusy(false);
    if (ok) setPassword('');
  }

  return (
    <form className="form backup-schedule" noValidate onSubmit={onSave} data-testid="backup-schedule">
      <h3 className="settings__subheading">Scheduled backups</h3>
      <SettingsToggle
        label="Back up automatically while Parley is unlocked"
        testId="backup-schedule-enabled"
        checked={enabled}
        onChange={setEnabled}
      />
      <fieldset className="form__fields" disabled={!enabled || busy}>
        <legend className="visually-hidden">Schedule</legend>
        <div className="field">
          <span className="field__label">Folder</span>
          <div className="file-choice">
            {desktop ? (
              <Button
                testId="backup-schedule-folder-choose"
                variant="secondary"
                size="sm"
                onClick={() =>
                  void pickFolder().then((reply) => {
                    if (!reply.ok) setProblem('The folder dialog could not be opened.');
                    else if (reply.value) setChosen(reply.value);
                  })
                }
              >
                Choose folder…
              </Button>
            ) : null}
            <span className="file-choice__name" data-testid="backup-schedule-folder">
              {chosen?.name ?? (schedule.folder || 'A “backups” folder beside your profile')}
            </span>
          </div>
          {desktop ? null : (
            <p className="field__hint">
              On the computer running “parley web”, beside the profile. Copy the backups somewhere safe, off
              this computer too.
            </p>
          )}
        </div>
        <div className="backup-schedule__row">
          <div className="field">
            <label className="field__label" htmlFor="backup-interval">
              How often
            </label>
            <select
              id="backup-interval"
              className="select"
              data-testid="backup-schedule-interval"
              value={intervalHours}
              onChange={(e) => setIntervalHours(Number(e.target.value))}
            >
              {INTERVALS.map((i) => (
                <option key={i.hours} value={i.hours}>
                  {i.label}
                </option>
              ))}
            </select>
          </div>
          <TextField
            label="Keep the newest"
            testId="backup-schedule-keep"
            type="number"
            min={1}
            max={100}
            value={keep}
            onChange={(e) => setKeep(Math.max(1, Math.min(100, Math.round(Number(e.target.value) || 1))))}
          />
        </div>
        <PassphraseField
          label={schedule.hasPassword ? 'Backup password (set for this session)' : 'Backup password'}
          testId="backup-schedule-password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint="Kept in memory only: after each unlock, enter it again to resume scheduled backups."
        />
      </fieldset>
      {problem || error ? (
        <p className="field__error" role="alert" data-testid="backup-schedule-error">
          {problem ?? error?.message}
        </p>
      ) : null}
      {schedule.enabled ? (
        <p className="field__hint" data-testid="backup-schedule-status">
          {schedule.lastError
            ? `The last scheduled backup failed: ${schedule.lastError}`
            : schedule.lastRunAt
              ? `Last backup: ${formatDateTime(schedule.lastRunAt)}.`
              : 'No scheduled backup yet.'}
          {schedule.hasPassword ? '' : ' Waiting for the backup password.'}
        </p>
      ) : null}
      <div className="backup__actions">
        <Button
          type="submit"
          testId="backup-schedule-save"
          variant="secondary"
          busy={busy}
          busyLabel="Saving…"
        >
          Save schedule
        </Button>
      </div>
    </form>
  );
}
