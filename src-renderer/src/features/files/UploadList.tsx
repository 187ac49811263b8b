import { useAppStore } from '../../store/appStore';
import { formatBytes } from './fileFormat';

/** Files this window is still handing to Parley (before they become messages), above the composer. */
export function UploadList({ conversationId }: { conversationId: number }) {
  const uploads = useAppStore((s) => s.uploads);
  const cancelUpload = useAppStore((s) => s.cancelUpload);
  const dismissUpload = useAppStore((s) => s.dismissUpload);
  const fileError = useAppStore((s) => s.fileError);
  const dismissFileError = useAppStore((s) => s.dismissFileError);
  const mine = uploads.filter((u) => u.conversationId === conversationId);
  if (mine.length === 0 && !fileError) return null;
  return (
    <div className="uploads" data-testid="uploads">
      {fileError ? (
        <p className="uploads__error" role="alert" data-testid="file-error">
          {fileError.message}
          <button type="button" className="file-action" onClick={dismissFileError}>
            Dismiss
          </button>
        </p>
      ) : null}
      {mine.map((u) => (
        <div key={u.id} className="upload" data-testid="upload">
          <span className="upload__name" title={u.name}>
            {u.name}
          </span>
          {u.error ? (
            <span className="upload__error" role="alert">
              {u.error}
            </span>
          ) : (
            <>
              <progress
                className="upload__progress"
                data-testid="upload-progress"
                max={u.size || 1}
                value={u.staged}
                aria-label={`Preparing ${u.name}`}
              />
              <span className="upload__size">
                {formatBytes(u.staged)} / {formatBytes(u.size)}
              </span>
            </>
          )}
          <button
            type="button"
            className="file-action"
            data-testid="upload-cancel"
            onClick={() => (u.error ? dismissUpload(u.id) : cancelUpload(u.id))}
          >
            {u.error ? 'Dismiss' : 'Cancel'}
          </button>
        </div>
      ))}
    </div>
  );
}
