import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { InviteStatusView, InviteView } from '../../../../src-shared/contract';
import { Button } from '../../components/Button';
import { CodePanel } from '../../components/CodePanel';
import { useAppStore } from '../../store/appStore';

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
  const [spent, setSpent] = useState<InviteStatusView | null>(null);
  const [generation, setGeneration] = useState(0);
  const inviteRef = useRef<HTMLTextAreaElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const newInviteRef = useRef<HTMLButtonElement>(null);
  const ids = useId();

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
    setInviteError(null);
    setSpent(null);
    setGeneration((g) => g + 1);
    inviteRef.current?.focus();
  }, []);

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
            <CodePanel
              text={invite?.text ?? null}
              qrData={invite?.qrData ?? null}
              label="Your invite text"
              placeholder="Creating your invite…"
              qrAlt="Invite QR code"
              qrFailedText="No QR code for this invite: share the text instead."
              testIds={{
                text: 'invite-text',
                copy: 'invite-copy',
                copyStatus: 'invite-copy-status',
                qr: 'invite-qr',
                qrFailed: 'invite-qr-failed',
              }}
              textRef={inviteRef}
            />
          )}
        </>
      )}
    </section>
  );
}
