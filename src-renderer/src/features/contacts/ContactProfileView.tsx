import QRCode from 'qrcode';
import { useEffect, useId, useState } from 'react';
import type { ContactProfile, SafetyNumberView } from '../../../../src-shared/contract/areas/contacts';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { TextField } from '../../components/TextField';
import { useAppStore } from '../../store/appStore';
import { ContactDevices } from '../devices/ContactDevices';
import { ContactConnectionLine } from '../privacy/PresenceDot';
import { TrustBadges } from './ContactsPanel';

/**
 * One contact: the safety number to compare (digits in groups of five and a
 * QR code), verification, a pending key change, the local name, blocking and
 * removal (confirmed in a dialog over the profile).
 */
export function ContactProfileView({ profile, onBack }: { profile: ContactProfile; onBack?: () => void }) {
  const error = useAppStore((s) => s.contactError);
  const [confirmRemove, setConfirmRemove] = useState(false);

  return (
    <div className="contact-profile" data-testid="contact-profile">
      <div className="contact-profile__top">
        {/* Only when the list is where they came from: opened from a conversation, back means closing. */}
        {onBack ? (
          <button type="button" className="link-btn" data-testid="contact-back" onClick={onBack}>
            <span aria-hidden="true">← </span>All contacts
          </button>
        ) : null}
        <TrustBadges contact={profile} />
      </div>
      {profile.localName ? (
        <p className="dialog-section__text" data-testid="contact-own-name">
          Calls themselves “{profile.displayName}”
        </p>
      ) : null}
      {/* While the removal is being confirmed, its error is shown (and announced) there, once. */}
      {error && !confirmRemove ? (
        <p className="dialog-error" role="alert" data-testid="contact-error">
          {error.message}
        </p>
      ) : null}
      {profile.keyChanged ? <KeyChangeNotice profile={profile} /> : null}
      <ConnectionSection profile={profile} />
      <ContactDevices contactId={profile.id} name={profile.name} />
      <SafetyNumberSection profile={profile} />
      {/* Keyed by the saved name: the field starts over from it after a save or reset. */}
      <RenameSection key={`${profile.id}:${profile.localName ?? ''}`} profile={profile} />
      <BlockRemoveSection profile={profile} onRemove={() => setConfirmRemove(true)} />
      {confirmRemove ? <ConfirmRemove profile={profile} onCancel={() => setConfirmRemove(false)} /> : null}
    </div>
  );
}

/** How this contact is reached right now (issue 19): on this network, over the internet, through a relay, or not. */
function ConnectionSection({ profile }: { profile: ContactProfile }) {
  const ids = useId();
  return (
    <section className="dialog-section" aria-labelledby={`${ids}-title`}>
      <h3 className="dialog-section__title" id={`${ids}-title`}>
        Connection
      </h3>
      <p className="dialog-section__text">
        <ContactConnectionLine contactId={profile.id} testId="contact-profile-connection" />
      </p>
    </section>
  );
}

function KeyChangeNotice({ profile }: { profile: ContactProfile }) {
  const decide = useAppStore((s) => s.decideKeyChange);
  const busy = useAppStore((s) => s.contactBusy);
  return (
    <div className="key-change" role="alert" data-testid="contact-key-change">
      <p className="key-change__title">{profile.name}’s safety number changed</p>
      <p className="key-change__text">
        One of their devices now presents a different identity key. This happens when they reinstall Parley —
        or when someone is pretending to be them. Nothing from the new key is trusted until you accept it.
        Compare the new safety number below with them in person or on a call first.
      </p>
      <div className="dialog-actions dialog-actions--start">
        <Button
          testId="contact-key-accept"
          busy={busy === 'key-accept'}
          busyLabel="Accepting…"
          onClick={() => void decide(true)}
        >
          Accept new key
        </Button>
        <Button
          testId="contact-key-keep"
          variant="secondary"
          busy={busy === 'key-keep'}
          busyLabel="Keeping…"
          onClick={() => void decide(false)}
        >
          Keep old key
        </Button>
      </div>
    </div>
  );
}

function SafetyNumberSection({ profile }: { profile: ContactProfile }) {
  const verify = useAppStore((s) => s.verifyContact);
  const safetyNumber = useAppStore((s) => s.safetyNumber);
  const busy = useAppStore((s) => s.contactBusy);
  const [number, setNumber] = useState<SafetyNumberView | null>(null);
  const [numberError, setNumberError] = useState<string | null>(null);
  const [qrUrl, setQrUrl] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [copied, setCopied] = useState<string | null>(null);
  const ids = useId();
  const key = profile.pendingKeyChange?.identityKey ?? profile.identityKey;

  useEffect(() => {
    let live = true;
    void safetyNumber(profile.id).then((reply) => {
      if (!live) return;
      if (!reply.ok) {
        setNumberError(reply.error.message);
        return;
      }
      const n = reply.value;
      setNumber(n);
      QRCode.toDataURL(n.qrData, { errorCorrectionLevel: 'M', margin: 2, width: 320 }).then(
        (url) => {
          if (live) setQrUrl(url);
        },
        () => undefined,
      );
    });
    return () => {
      live = false;
    };
  }, [profile.id, key, safetyNumber]);

  async function checkCode() {
    const text = code.trim();
    if (text === '') return;
    if (await verify(true, text)) setCode('');
  }

  return (
    <section className="dialog-section" aria-labelledby={`${ids}-title`}>
      <h3 className="dialog-section__title" id={`${ids}-title`}>
        {number?.forNewKey ? 'New safety number' : 'Safety number'}
      </h3>
      <p className="dialog-section__text">
        Compare these digits with {profile.name}, in person or on a call, or scan each other’s code. If they
        match, nobody is in between.
      </p>
      {numberError ? (
        <p className="dialog-error" role="alert">
          {numberError}
        </p>
      ) : null}
      <div className="safety">
        <p className="safety__digits" data-testid="safety-number">
          {(number?.groups ?? []).map((g, i) => (
            <span key={i} className="safety__group">
              {g}
            </span>
          ))}
        </p>
        <div className="safety__qr">
          {qrUrl ? (
            <img className="invite__qr-img" src={qrUrl} alt="Safety number QR code" data-testid="safety-qr" />
          ) : null}
        </div>
      </div>
      <div className="dialog-actions dialog-actions--start">
        <Button
          testId="safety-copy"
          variant="ghost"
          size="sm"
          disabled={number === null}
          onClick={() => {
            if (!number) return;
            navigator.clipboard.writeText(number.qrData).then(
              () => setCopied('Code copied: send it to them to paste.'),
              () => setCopied(`Copy this code: ${number.qrData}`),
            );
          }}
        >
          Copy my code
        </Button>
        <span className="invite__status" role="status" data-testid="safety-copy-status">
          {copied ?? ''}
        </span>
      </div>
      <p className="dialog-section__text" data-testid="contact-verified-status">
        {profile.verified ? `You verified ${profile.name}.` : `You have not verified ${profile.name} yet.`}
      </p>
      <div className="dialog-actions dialog-actions--start">
        {profile.verified && !profile.keyChanged ? (
          <Button
            testId="contact-unverify"
            variant="secondary"
            busy={busy === 'unverify'}
            busyLabel="Saving…"
            onClick={() => void verify(false)}
          >
            Mark as not verified
          </Button>
        ) : (
          <Button
            testId="contact-verify"
            busy={busy === 'verify' && code.trim() === ''}
            busyLabel="Saving…"
            disabled={number === null}
            onClick={() => void verify(true)}
          >
            {profile.keyChanged ? 'Numbers match: verify and accept' : 'Numbers match: mark as verified'}
          </Button>
        )}
      </div>
      <form
        className="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          void checkCode();
        }}
      >
        <label className="field__label" htmlFor={`${ids}-code`}>
          Or paste the code from their screen
        </label>
        <textarea
          id={`${ids}-code`}
          className="textarea textarea--mono"
          data-testid="contact-verify-code"
          rows={2}
          value={code}
          spellCheck={false}
          placeholder="parley-safety:…"
          onChange={(e) => setCode(e.target.value)}
        />
        <div className="dialog-actions dialog-actions--start">
          <Button
            type="submit"
            testId="contact-verify-code-submit"
            variant="secondary"
            disabled={code.trim() === ''}
            busy={busy === 'verify' && code.trim() !== ''}
            busyLabel="Checking…"
          >
            Check code
          </Button>
        </div>
      </form>
    </section>
  );
}

function RenameSection({ profile }: { profile: ContactProfile }) {
  const rename = useAppStore((s) => s.renameContact);
  const busy = useAppStore((s) => s.contactBusy);
  const [name, setName] = useState(profile.localName ?? '');
  const ids = useId();
  const tooLong = name.trim().length > 100;
  return (
    <section className="dialog-section" aria-labelledby={`${ids}-title`}>
      <h3 className="dialog-section__title" id={`${ids}-title`}>
        Name
      </h3>
      <form
        className="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!tooLong) void rename(name.trim() === '' ? null : name.trim());
        }}
      >
        <TextField
          label="Your name for them"
          testId="contact-rename-input"
          value={name}
          placeholder={profile.displayName}
          hint="Only you see this name."
          error={tooLong ? 'A name is at most 100 characters.' : null}
          onChange={(e) => setName(e.target.value)}
        />
        <div className="dialog-actions dialog-actions--start">
          <Button
            type="submit"
            testId="contact-rename-save"
            variant="secondary"
            busy={busy === 'rename'}
            busyLabel="Saving…"
            disabled={tooLong || name.trim() === (profile.localName ?? '')}
          >
            Save name
          </Button>
          {profile.localName ? (
            <Button testId="contact-rename-reset" variant="ghost" onClick={() => void rename(null)}>
              Use “{profile.displayName}”
            </Button>
          ) : null}
        </div>
      </form>
    </section>
  );
}

function BlockRemoveSection({ profile, onRemove }: { profile: ContactProfile; onRemove: () => void }) {
  const block = useAppStore((s) => s.blockContact);
  const busy = useAppStore((s) => s.contactBusy);
  const ids = useId();
  return (
    <section className="dialog-section" aria-labelledby={`${ids}-title`}>
      <h3 className="dialog-section__title" id={`${ids}-title`}>
        Privacy
      </h3>
      <p className="dialog-section__text">
        {profile.blocked
          ? `${profile.name} is blocked: their devices cannot reach you, you do not relay for them, and your DM is read-only.`
          : 'Blocking refuses their devices, stops relaying for them and makes your DM read-only. You can unblock any time.'}
      </p>
      <div className="dialog-actions dialog-actions--start">
        <Button
          testId="contact-block"
          variant="secondary"
          busy={busy === 'block'}
          busyLabel={profile.blocked ? 'Unblocking…' : 'Blocking…'}
          onClick={() => void block(!profile.blocked)}
        >
          {profile.blocked ? `Unblock ${profile.name}` : `Block ${profile.name}`}
        </Button>
        <Button testId="contact-remove" variant="ghost" onClick={onRemove}>
          Remove contact…
        </Button>
      </div>
    </section>
  );
}

function ConfirmRemove({ profile, onCancel }: { profile: ContactProfile; onCancel: () => void }) {
  const remove = useAppStore((s) => s.removeContact);
  const busy = useAppStore((s) => s.contactBusy);
  const error = useAppStore((s) => s.contactError);
  return (
    <ConfirmDialog
      title={`Remove ${profile.name}?`}
      testId="contact-remove-dialog"
      cancelTestId="contact-remove-cancel"
      onCancel={onCancel}
      error={error?.message ?? null}
      actions={[
        {
          label: 'Remove',
          testId: 'contact-remove-confirm',
          busy: busy === 'remove',
          busyLabel: 'Removing…',
          onConfirm: () => void remove(),
        },
      ]}
    >
      They disappear from your contacts. Your messages with them stay, and your DM becomes read-only. Adding
      them again with an invite brings everything back.
    </ConfirmDialog>
  );
}
