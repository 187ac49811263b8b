import { useId, useRef, useState, type RefObject } from 'react';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';
import { useAppStore } from '../../store/appStore';
import { NearbyList } from '../privacy/NearbyList';
import { InviteScanner } from './InviteScanner';
import { useHasCamera } from './useQrScanner';
import { YourInvite } from './YourInvite';

/**
 * "Add contact": shows this user's invite (text, copy, QR code) and takes
 * someone else's invite, pasted or scanned with the camera where there is
 * one; adding one opens the DM with them.
 */
export function AddContactDialog({
  onClose,
  onAdded,
  initialInvite = null,
  fallbackFocus,
}: {
  onClose: () => void;
  /** Focused on close when nothing had focus on open (Ctrl+N from the page): the Add contact button. */
  fallbackFocus?: RefObject<HTMLElement | null>;
  onAdded: (conversationId: number) => void;
  /** An invite from a parley:// link: filled in, and added only when the user chooses Add. */
  initialInvite?: string | null;
}) {
  const acceptInvite = useAppStore((s) => s.acceptInvite);
  const hasCamera = useHasCamera();
  const [scanning, setScanning] = useState(false);
  const [scanned, setScanned] = useState(false);
  const [theirs, setTheirs] = useState(initialInvite ?? '');
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);
  const theirsRef = useRef<HTMLTextAreaElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const scanRef = useRef<HTMLButtonElement>(null);
  const ids = useId();
  const theirsId = `${ids}-theirs`;
  const addErrorId = `${ids}-add-error`;
  async function add() {
    if (adding) return;
    const text = theirs.trim();
    if (text === '') {
      setAddError('Paste an invite.');
      theirsRef.current?.focus();
      return;
    }
    setAdding(true);
    setAddError(null);
    const reply = await acceptInvite(text);
    if (reply.ok) {
      onAdded(reply.value.conversationId);
      return;
    }
    setAddError(reply.error.message);
    setAdding(false);
    theirsRef.current?.focus();
  }

  return (
    <Modal
      title="Add contact"
      testId="add-contact-dialog"
      onClose={onClose}
      initialFocus={theirsRef}
      fallbackFocus={fallbackFocus}
    >
      <YourInvite />
      <NearbyList />
      <section className="dialog-section" aria-labelledby={`${ids}-add`}>
        <h3 className="dialog-section__title" id={`${ids}-add`}>
          Add someone
        </h3>
        {initialInvite ? (
          <p className="dialog-note" role="status" data-testid="invite-from-link">
            You opened an invite link. Check that it comes from someone you know, then choose Add; nothing is
            added until you do.
          </p>
        ) : null}
        {scanned ? (
          <p className="dialog-note" role="status" data-testid="invite-scanned">
            Scanned an invite. Check that it comes from someone you know, then choose Add.
          </p>
        ) : null}
        {scanning ? (
          <InviteScanner
            onScanned={(link) => {
              setTheirs(link);
              setAddError(null);
              setScanning(false);
              setScanned(true);
              queueMicrotask(() => addRef.current?.focus());
            }}
            onStop={() => {
              setScanning(false);
              queueMicrotask(() => scanRef.current?.focus());
            }}
          />
        ) : hasCamera ? (
          <div>
            <Button
              ref={scanRef}
              testId="scan-invite"
              variant="secondary"
              size="sm"
              onClick={() => {
                setScanned(false);
                setScanning(true);
              }}
            >
              Scan a QR code
            </Button>
          </div>
        ) : null}
        <form
          className="dialog-form"
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <label className="field__label" htmlFor={theirsId}>
            Paste their invite
          </label>
          <textarea
            id={theirsId}
            ref={theirsRef}
            className="textarea textarea--mono"
            data-testid="accept-invite-input"
            rows={3}
            value={theirs}
            spellCheck={false}
            aria-invalid={addError ? true : undefined}
            aria-describedby={addError ? addErrorId : undefined}
            onChange={(e) => {
              setTheirs(e.target.value);
              setScanned(false);
              if (addError) setAddError(null);
            }}
          />
          {addError ? (
            <p className="dialog-error" id={addErrorId} role="alert" data-testid="accept-invite-error">
              {addError}
            </p>
          ) : null}
          <div className="dialog-actions">
            <Button testId="add-contact-cancel" variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button
              ref={addRef}
              type="submit"
              testId="accept-invite-submit"
              busy={adding}
              busyLabel="Adding…"
            >
              Add
            </Button>
          </div>
        </form>
      </section>
    </Modal>
  );
}
