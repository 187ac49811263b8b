import QRCode from 'qrcode';
import { useEffect, useId, useRef, useState, type RefObject } from 'react';
import type { InviteView } from '../../../../src-shared/contract';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';
import { useAppStore } from '../../store/appStore';
import { NearbyList } from '../privacy/NearbyList';

type CopyState = 'idle' | 'copied' | 'selected';

/**
 * "Add contact": shows this user's invite (text, copy, QR code) and takes
 * someone else's invite; adding one opens the DM with them.
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
  const createInvite = useAppStore((s) => s.createInvite);
  const acceptInvite = useAppStore((s) => s.acceptInvite);
  const [invite, setInvite] = useState<InviteView | null>(null);
  const [inviteError, setInviteError] = useState<string | null>(null);
  const [qrUrl, setQrUrl] = useState<string | null>(null);
  const [qrFailed, setQrFailed] = useState(false);
  const [copy, setCopy] = useState<CopyState>('idle');
  const [theirs, setTheirs] = useState(initialInvite ?? '');
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);
  const inviteRef = useRef<HTMLTextAreaElement>(null);
  const theirsRef = useRef<HTMLTextAreaElement>(null);
  const ids = useId();
  const inviteId = `${ids}-invite`;
  const theirsId = `${ids}-theirs`;
  const addErrorId = `${ids}-add-error`;

  useEffect(() => {
    let live = true;
    void createInvite().then((reply) => {
      if (!live) return;
      if (!reply.ok) {
        setInviteError(reply.error.message);
        return;
      }
      const created = reply.value;
      setInvite(created);
      // Invites are ~300 characters (a hash of the seal key, not the key): level M keeps the
      // code coarse enough to scan off a screen and survives a smudge or glare.
      QRCode.toDataURL(created.qrData, { errorCorrectionLevel: 'M', margin: 2, width: 440 }).then(
        (url) => {
          if (live) setQrUrl(url);
        },
        () => {
          // The invite text still works without the picture.
          if (live) setQrFailed(true);
        },
      );
    });
    return () => {
      live = false;
    };
  }, [createInvite]);

  async function copyInvite() {
    if (!invite) return;
    try {
      await navigator.clipboard.writeText(invite.text);
      setCopy('copied');
    } catch {
      // No clipboard access: select the text so the user can copy it themselves.
      inviteRef.current?.focus();
      inviteRef.current?.select();
      setCopy('selected');
    }
  }

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
      <section className="dialog-section" aria-labelledby={`${ids}-yours`}>
        <h3 className="dialog-section__title" id={`${ids}-yours`}>
          Your invite
        </h3>
        <p className="dialog-section__text">
          Send this to someone you want to talk to. It works once and expires in 7 days.
        </p>
        {inviteError ? (
          <p className="dialog-error" role="alert" data-testid="invite-error">
            {inviteError}
          </p>
        ) : (
          <div className="invite">
            <div className="invite__text">
              <label className="visually-hidden" htmlFor={inviteId}>
                Your invite text
              </label>
              <textarea
                id={inviteId}
                ref={inviteRef}
                className="textarea textarea--mono"
                data-testid="invite-text"
                readOnly
                rows={5}
                value={invite?.text ?? ''}
                placeholder={invite ? undefined : 'Creating your invite…'}
              />
              <div className="invite__actions">
                <Button
                  testId="invite-copy"
                  variant="secondary"
                  size="sm"
                  disabled={!invite}
                  onClick={() => void copyInvite()}
                >
                  Copy
                </Button>
                <span className="invite__status" role="status" data-testid="invite-copy-status">
                  {copy === 'copied' ? 'Copied to the clipboard.' : ''}
                  {copy === 'selected' ? 'Selected: press Ctrl+C (⌘C) to copy.' : ''}
                </span>
              </div>
            </div>
            <div className="invite__qr">
              {qrUrl ? (
                <img className="invite__qr-img" src={qrUrl} alt="Invite QR code" data-testid="invite-qr" />
              ) : qrFailed ? (
                <p className="invite__qr-note" data-testid="invite-qr-failed">
                  No QR code for this invite: share the text instead.
                </p>
              ) : (
                <span className="invite__qr-placeholder" aria-hidden="true" />
              )}
            </div>
          </div>
        )}
      </section>
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
            <Button type="submit" testId="accept-invite-submit" busy={adding} busyLabel="Adding…">
              Add
            </Button>
          </div>
        </form>
      </section>
    </Modal>
  );
}
