import { Button } from '../../components/Button';
import { formatBytes, type BackupJob } from '../../store/backupSlice';

const PHASE_LABEL = {
  uploading: 'Reading the backup file…',
  snapshot: 'Taking a snapshot of your messages…',
  writing: 'Encrypting and writing the backup…',
  verifying: 'Checking every part of the backup…',
  restoring: 'Decrypting and checking the backup…',
  done: 'Finishing…',
} as const;

/** A progress bar for a running job, with its cancel button. */
export function BackupProgress({ job, onCancel }: { job: BackupJob; onCancel: () => void }) {
  const known = job.bytesTotal > 0;
  const pct = known ? Math.min(100, Math.round((job.bytesDone / job.bytesTotal) * 100)) : 0;
  return (
    <div className="backup-progress" data-testid="backup-progress">
      <p className="backup-progress__label" data-testid="backup-progress-label">
        {PHASE_LABEL[job.phase]}
        {known ? ` ${formatBytes(job.bytesDone)} of ${formatBytes(job.bytesTotal)}` : ''}
      </p>
      <div className="backup-progress__row">
        <progress
          className="backup-progress__bar"
          data-testid="backup-progress-bar"
          max={100}
          {...(known ? { value: pct } : {})}
          aria-label={PHASE_LABEL[job.phase]}
        />
        <Button testId="backup-cancel" variant="secondary" size="sm" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
