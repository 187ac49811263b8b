import type { RefObject } from 'react';
import { ConfirmDialog } from './ConfirmDialog';

export interface WeakPassphraseDialogProps {
  /** The user keeps the passphrase they typed. */
  onUseAnyway: () => void;
  /** Back to the passphrase field to choose another. */
  onCancel: () => void;
  busy?: boolean;
  /** The passphrase field, so "Choose another" lands where the new one is typed. */
  returnFocus?: RefObject<HTMLElement | null>;
}

/**
 * Asked when a new passphrase rates Very weak or Weak. The passphrase is the
 * only lock on a stolen laptop's copy of Parley, so the dialog says plainly what
 * a thief could do with a guessable one; choosing another is the focused,
 * default answer.
 */
export function WeakPassphraseDialog({
  onUseAnyway,
  onCancel,
  busy = false,
  returnFocus,
}: WeakPassphraseDialogProps) {
  return (
    <ConfirmDialog
      title="Use a weak passphrase?"
      testId="weak-passphrase-dialog"
      cancelTestId="weak-passphrase-cancel"
      cancelLabel="Choose another"
      returnFocus={returnFocus}
      onCancel={onCancel}
      actions={[
        {
          label: 'Use it anyway',
          testId: 'weak-passphrase-confirm',
          variant: 'secondary',
          busy,
          onConfirm: onUseAnyway,
        },
      ]}
    >
      <p>
        Someone who takes this laptop can copy your Parley profile and try passphrases against it on their own
        computers, as fast and as long as they like. A weak passphrase can be guessed within hours.
      </p>
      <p>
        Then they can read all your messages and files, see your contacts, and write to them as you. Nobody
        can lock them out afterwards.
      </p>
    </ConfirmDialog>
  );
}
