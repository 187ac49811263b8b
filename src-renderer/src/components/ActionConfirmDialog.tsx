import { useState, type ReactNode } from 'react';
import { ConfirmDialog } from './ConfirmDialog';

/**
 * A ConfirmDialog whose one action is asynchronous work that answers with
 * the reason it failed, or null: while it runs the button says so, on
 * success the dialog closes, on failure it stays open with the reason for
 * another try (Settings → Devices' Remove… and Unlink…).
 */
export function ActionConfirmDialog({
  title,
  testId,
  cancelTestId,
  action,
  run,
  onClose,
  children,
}: {
  title: string;
  testId: string;
  cancelTestId: string;
  action: { label: string; testId: string; busyLabel: string };
  run: () => Promise<string | null>;
  onClose: () => void;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <ConfirmDialog
      title={title}
      testId={testId}
      cancelTestId={cancelTestId}
      onCancel={onClose}
      error={error}
      actions={[
        {
          ...action,
          busy,
          onConfirm: () => {
            setBusy(true);
            void run().then((problem) => {
              if (problem === null) onClose();
              else {
                setError(problem);
                setBusy(false);
              }
            });
          },
        },
      ]}
    >
      {children}
    </ConfirmDialog>
  );
}
