import QRCode from 'qrcode';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { InviteStatusView, InviteView } from '../../../../src-shared/contract';
import { Button } from '../../components/Button';
import { useAppStore } from '../../store/appStore';

type CopyState = 'idle' | 'copied' | 'selected';

/**
 * "Your invite" in Add contact: the one-time invite as text, copy and QR code.
 * Once the other side accepted it (or it expired) it leaves the screen, with
 * who used it and a button for a new one: a spent invite left on show would
 * only be refused (issue #17 item 18). The check runs whenever the contact
 * list changes, which is when an accepted invite shows up here.
 */
export function YourInvite() {
  const createInvite = useAppStore((s) => s.createInvite);
  const inviteStatus = useAppStore((s) => s.inviteStatus);
  const contacts = useAppStore((s) => s.contacts);
  const [invite, setInvite] = useState<InviteView | null>(null);
  const [inviteError, setInviteError] = useState<string | null>(null);
  const [qrUrl, setQrUrl] = useState<string | null>(null);
  const [qrFailed, setQrFailed] = useState(false);
  const [copy, setCopy] = useState<CopyState>('idle');
  const [spent, setSpent] = useState<InviteStatusView | null>(null);
  const [generation, setGeneration] = useState(0);
  const inviteRef = useRef<HTMLTextAreaElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const newInviteRef = useRef<HTMLButtonElement>(null);
  const ids = useId();
  const inviteId = `${ids}-invite`;

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
  }, [createInvite, generation]);

  useEffect(() => {
    if (!invite || spent) return;
    let live = true;
    void inviteStatus(invite.link).then((reply) => {
      if (!live || !reply.ok) return;
      if (reply.value.state !== 'used' && reply.value.state !== 'expired') return;
      // Focus was on the invite's text or Copy, which are about to go: keep it in the dialog.
      const hadFocus = sectionRef.current?.contains(document.activeElement) ?? false;
      setSpent(reply.value);
      if (hadFocus) queueMicrotask(() => newInviteRef.current?.focus());
    });
    return () => {
      live = false;
    };
  }, [contacts, invite, inviteStatus, spent]);

  const newInvite = useCallback(() => {
    setInvite(null);
    setQrUrl(null);
    setQrFailed(false);
    setCopy('idle');
    setInviteError(null);
    setSpent(null);
    setGeneration((g) => g + 1);
    inviteRef.current?.focus();
  }, []);

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

  return (
    <section className="dialog-section" aria-labelledby={`${ids}-yours`} ref={sectionRef}>
      <h3 className="dialog-section__title" id={`${ids}-yours`}>
        Your invite
      </h3>
      {spent ? (
        <div className="invite-spent" data-testid="invite-used">
          <p className="invite-spent__text" role="status">
            {spent.state === 'used' ? (
              <>
                {spent.usedBy ? (
                  <>
                    <strong data-testid="invite-used-by">{spent.usedBy.name}</strong> accepted your invite and
                    is now a contact.
                  </>
                ) : (
                  'Someone accepted your invite.'
                )}{' '}
                It works only once, so it is no longer shown.
              </>
            ) : (
              'This invite expired and is no longer shown.'
            )}
          </p>
          <div>
            <Button ref={newInviteRef} testId="invite-new" variant="secondary" size="sm" onClick={newInvite}>
              New invite
            </Button>
          </div>
        </div>
      ) : (
        <>
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
        </>
      )}
    </section>
  );
}
