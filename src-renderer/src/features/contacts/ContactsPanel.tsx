import { useEffect, useId, useRef, useState } from 'react';
import type { ContactView } from '../../../../src-shared/contract';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';
import { useAppStore } from '../../store/appStore';
import { initialOf } from '../home/initialOf';
import { ContactConnectionLine } from '../privacy/PresenceDot';
import { usePresenceFeed } from '../privacy/usePresence';
import { useRemovedDevice } from '../devices/useRemovedDevice';
import { exportFileName, IMPORT_MAX_BYTES, importSummary } from './contactFiles';
import { ContactProfileView } from './ContactProfileView';

/**
 * The contacts screen (a dialog over home): the list with trust badges,
 * import and export, and a contact's profile (ContactProfileView).
 */
export function ContactsPanel() {
  const contacts = useAppStore((s) => s.contacts);
  const profile = useAppStore((s) => s.contactProfile);
  const closeContacts = useAppStore((s) => s.closeContacts);
  const showContact = useAppStore((s) => s.showContact);
  const refreshContactViews = useAppStore((s) => s.refreshContactViews);
  const busy = useAppStore((s) => s.contactBusy);
  const error = useAppStore((s) => s.contactError);
  const notice = useAppStore((s) => s.contactNotice);
  const onOne = useAppStore((s) => s.contactsOnOne);

  // The list reloads on every contacts.changed event (store/followCoreEvents.ts): re-read the profile shown with it.
  useEffect(() => {
    void refreshContactViews();
  }, [contacts, refreshContactViews]);

  // The dialog's content is swapped (list ⇄ profile): keep focus inside it, on the contact just left
  // when going back, on the back link when opening one; else Escape and Tab would have nowhere to go.
  const shownId = profile?.id ?? null;
  const lastShown = useRef<number | null>(null);
  useEffect(() => {
    const root = document.querySelector<HTMLElement>('[data-testid="contacts-panel"]');
    if (!root) return;
    if (shownId !== null) {
      lastShown.current = shownId;
      root.querySelector<HTMLElement>('[data-testid="contact-back"]')?.focus();
      return;
    }
    if (lastShown.current === null) return;
    const item =
      root.querySelector<HTMLElement>(`[data-testid="contact-item-${lastShown.current}"]`) ??
      root.querySelector<HTMLElement>('button');
    item?.focus();
  }, [shownId]);

  return (
    <Modal title={profile ? profile.name : 'Contacts'} testId="contacts-panel" onClose={closeContacts}>
      {profile ? (
        <ContactProfileView profile={profile} onBack={onOne ? undefined : () => void showContact(null)} />
      ) : (
        <>
          {notice ? (
            <p className="contacts__notice" role="status" data-testid="contacts-notice">
              {notice}
            </p>
          ) : null}
          {error && busy === null ? (
            <p className="dialog-error" role="alert" data-testid="contacts-error">
              {error.message}
            </p>
          ) : null}
          <ContactList contacts={contacts} onOpen={(id) => void showContact(id)} />
          <ImportExport />
        </>
      )}
    </Modal>
  );
}

function ContactList({ contacts, onOpen }: { contacts: ContactView[]; onOpen: (id: number) => void }) {
  usePresenceFeed();
  if (contacts.length === 0) {
    return (
      <p className="dialog-section__text" data-testid="contacts-empty">
        No contacts yet. Add someone with an invite, or import a contacts file.
      </p>
    );
  }
  return (
    <ul className="contacts__list" data-testid="contacts-list" aria-label="Contacts">
      {contacts.map((c) => (
        <li key={c.id}>
          <button
            type="button"
            className="contacts__item"
            data-testid={`contact-item-${c.id}`}
            onClick={() => onOpen(c.id)}
          >
            <span className="avatar avatar--sm" aria-hidden="true">
              {initialOf(c.name)}
            </span>
            <span className="contacts__who">
              <span className="contacts__name" data-testid="contact-name">
                {c.name}
              </span>
              <ContactConnectionLine contactId={c.id} />
            </span>
            <TrustBadges contact={c} />
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Verified, blocked and "safety number changed", as words (not colour alone). */
export function TrustBadges({
  contact,
}: {
  contact: Pick<ContactView, 'verified' | 'blocked' | 'keyChanged'>;
}) {
  return (
    <span className="trust-badges">
      {contact.keyChanged ? (
        <span className="trust-badge trust-badge--warning" data-testid="badge-key-changed">
          Safety number changed
        </span>
      ) : null}
      {contact.verified ? (
        <span className="trust-badge trust-badge--verified" data-testid="badge-verified">
          <span aria-hidden="true">✓ </span>Verified
        </span>
      ) : null}
      {contact.blocked ? (
        <span className="trust-badge trust-badge--blocked" data-testid="badge-blocked">
          Blocked
        </span>
      ) : null}
    </span>
  );
}

function ImportExport() {
  const exportContacts = useAppStore((s) => s.exportContacts);
  const importContacts = useAppStore((s) => s.importContacts);
  const busy = useAppStore((s) => s.contactBusy);
  // A removed device takes no new contacts (it can reach nobody); exporting what it has still works.
  const removed = useRemovedDevice();
  const fileRef = useRef<HTMLInputElement>(null);
  const [result, setResult] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const ids = useId();

  async function download() {
    setResult(null);
    const json = await exportContacts();
    if (json === null) return;
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = exportFileName(new Date());
    a.click();
    // Revoked after the click has been handled: the download has its own copy by then.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setResult('Contacts exported. The file holds names and public keys only, no secrets.');
  }

  async function upload(file: File) {
    setResult(null);
    setFileError(null);
    if (file.size > IMPORT_MAX_BYTES) {
      setFileError('That file is too large for a contacts export.');
      return;
    }
    let text: string;
    try {
      text = await file.text();
    } catch {
      setFileError('That file could not be read.');
      return;
    }
    const counts = await importContacts(text);
    if (counts) setResult(importSummary(counts));
  }

  return (
    <section className="dialog-section" aria-labelledby={`${ids}-title`}>
      <h3 className="dialog-section__title" id={`${ids}-title`}>
        Import and export
      </h3>
      <p className="dialog-section__text">
        Move your contacts to another Parley: names, identity keys, devices and verified marks. Nothing is
        sent to anyone.
      </p>
      <div className="dialog-actions dialog-actions--start">
        <Button
          testId="contacts-export"
          variant="secondary"
          busy={busy === 'export'}
          busyLabel="Exporting…"
          onClick={() => void download()}
        >
          Export contacts
        </Button>
        {removed ? null : (
          <>
            <Button
              testId="contacts-import"
              variant="secondary"
              busy={busy === 'import'}
              busyLabel="Importing…"
              onClick={() => fileRef.current?.click()}
            >
              Import contacts…
            </Button>
            <input
              ref={fileRef}
              type="file"
              accept="application/json,.json"
              className="visually-hidden"
              tabIndex={-1}
              aria-label="Contacts file to import"
              data-testid="contacts-import-file"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) void upload(file);
              }}
            />
          </>
        )}
      </div>
      {result ? (
        <p className="contacts__notice" role="status" data-testid="contacts-import-result">
          {result}
        </p>
      ) : null}
      {fileError ? (
        <p className="dialog-error" role="alert" data-testid="contacts-import-error">
          {fileError}
        </p>
      ) : null}
    </section>
  );
}

/** An address-book glyph for the sidebar's Contacts button (decorative: the button carries the name). */
export function ContactsIcon() {
  const stroke = { fill: 'none', stroke: 'currentColor', strokeWidth: 1.6, strokeLinecap: 'round' } as const;
  return (
    <svg className="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      <rect x="3.5" y="2.5" width="13" height="15" rx="2" {...stroke} />
      <circle cx="10" cy="8" r="2.25" {...stroke} />
      <path d="M6.5 14c.5-1.8 1.8-2.75 3.5-2.75s3 .95 3.5 2.75" {...stroke} />
    </svg>
  );
}
