import { useId, useRef, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';
import { TextField } from '../../components/TextField';
import { useAppStore } from '../../store/appStore';

/**
 * On a removed device (issue 18, docs/protocol.md §13.8 step 4): "Delete this
 * profile" and "Link again" both delete what this profile keeps on this
 * computer, after the user types the profile's name (a deletion cannot be
 * undone, so a click is not enough). "Link again" then opens "I already use
 * Parley": the new link brings the history from the other device, which
 * holds everything this one held (own devices are members of the same
 * conversations), and a history import needs an empty profile.
 */
export function DeleteProfileDialog({ relink, onClose }: { relink: boolean; onClose: () => void }) {
  const name = useAppStore((s) => s.status?.displayName ?? '');
  const busy = useAppStore((s) => s.busy === 'delete');
  const error = useAppStore((s) => (s.error?.action === 'delete' ? s.error : null));
  const deleteProfile = useAppStore((s) => s.deleteProfile);
  const clearError = useAppStore((s) => s.clearError);
  const [typed, setTyped] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const ids = useId();
  const matches = typed.trim() === name.trim();
  const problem = !submitted || matches ? null : `Type ${name} exactly, as shown.`;

  function close() {
    if (busy) return;
    clearError();
    onClose();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    if (!matches || busy) {
      inputRef.current?.focus();
      return;
    }
    // On success the profile is gone and onboarding replaces the whole screen, this dialog with it.
    await deleteProfile(typed, relink);
  }

  return (
    <Modal
      title={relink ? 'Link this computer again?' : 'Delete this profile?'}
      testId="delete-profile-dialog"
      onClose={close}
      initialFocus={inputRef}
      describedBy={`${ids}-what`}
      className="modal--confirm"
    >
      <form className="form" noValidate onSubmit={onSubmit} aria-busy={busy || undefined}>
        <div className="dialog-section__text" id={`${ids}-what`}>
          <p>
            Everything this profile keeps on this computer is deleted: its messages, contacts and files here.
            Your other devices and your contacts keep theirs.
          </p>
          {relink ? (
            <p>
              Then link this computer from one of your devices (Settings → Devices → Link a new device) as a
              new device: your history comes over from that device.
            </p>
          ) : (
            <p>Parley then starts over on this computer, as after installing it.</p>
          )}
        </div>
        <TextField
          ref={inputRef}
          label={`Type ${name} to confirm`}
          testId="delete-profile-confirm-input"
          autoComplete="off"
          spellCheck={false}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          error={problem}
          disabled={busy}
        />
        {error ? (
          <p className="dialog-error" role="alert" data-testid="delete-profile-error">
            {error.message}
          </p>
        ) : null}
        <div className="dialog-actions">
          <Button testId="delete-profile-cancel" variant="ghost" onClick={close}>
            Cancel
          </Button>
          <Button
            type="submit"
            testId="delete-profile-submit"
            busy={busy}
            busyLabel={relink ? 'Deleting, then linking…' : 'Deleting…'}
          >
            {relink ? 'Delete and link again' : 'Delete this profile'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
