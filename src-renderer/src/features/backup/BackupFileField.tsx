import { useId, useRef, useState } from 'react';
import { Button } from '../../components/Button';
import { formatBytes, type BackupSource } from '../../store/backupSlice';
import { useAppStore } from '../../store/appStore';

/**
 * Chooses a backup archive without typing a path: the native open dialog in
 * the desktop app (the core keeps the path, this gets a handle), the
 * browser's file picker in the web shell (the file is uploaded when the job
 * starts). Shows the chosen file's name and size.
 */
export function BackupFileField({
  testId,
  value,
  onChange,
  error,
  disabled = false,
}: {
  testId: string;
  value: BackupSource | null;
  onChange: (source: BackupSource | null) => void;
  error?: string | null;
  disabled?: boolean;
}) {
  const desktop = useAppStore((s) => s.appInfo?.shell === 'electron');
  const pickFiles = useAppStore((s) => s.pickFiles);
  const input = useRef<HTMLInputElement>(null);
  const [pickError, setPickError] = useState<string | null>(null);
  const id = useId();
  const shown = pickError ?? error ?? null;

  async function choose() {
    setPickError(null);
    if (!desktop) {
      input.current?.click();
      return;
    }
    const picked = await pickFiles('backup');
    if (!picked.ok) return setPickError(picked.error.message);
    const [file] = picked.value;
    if (file)
      onChange({ kind: 'handle', handle: file.handle, name: `${file.name} (${formatBytes(file.size)})` });
  }

  return (
    <div className={`field${shown ? ' field--invalid' : ''}`}>
      <span className="field__label" id={`${id}-label`}>
        Backup file
      </span>
      <div className="file-choice">
        <Button
          testId={`${testId}-choose`}
          variant="secondary"
          size="sm"
          disabled={disabled}
          aria-describedby={`${id}-label ${id}-chosen`}
          onClick={() => void choose()}
        >
          Choose file…
        </Button>
        <span className="file-choice__name" id={`${id}-chosen`} data-testid={`${testId}-name`}>
          {value ? value.name : 'No file chosen'}
        </span>
      </div>
      {desktop ? null : (
        <input
          ref={input}
          type="file"
          hidden
          accept=".parley-backup,application/octet-stream"
          data-testid={`${testId}-input`}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) onChange({ kind: 'file', file, name: `${file.name} (${formatBytes(file.size)})` });
          }}
        />
      )}
      {shown ? (
        <p className="field__error" role="alert">
          {shown}
        </p>
      ) : null}
    </div>
  );
}
