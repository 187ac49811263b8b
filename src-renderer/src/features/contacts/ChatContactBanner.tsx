import { useEffect } from 'react';
import { Button } from '../../components/Button';
import { useAppStore } from '../../store/appStore';
import { DeviceForkBanner } from '../devices/ContactDevices';

/**
 * Above a DM's timeline: the key-change alert (trust on first use,
 * docs/threat-model.md "Key changes") with Verify / Accept new key, the
 * read-only note of a blocked or removed contact, and the alert of a forked
 * device list (issue 18). Nothing for groups.
 */
export function ChatContactBanner() {
  const conversationId = useAppStore((s) => s.chat?.conversationId ?? null);
  const contacts = useAppStore((s) => s.contacts);
  const contact = useAppStore((s) => s.chatContact);
  const loadChatContact = useAppStore((s) => s.loadChatContact);
  const openContacts = useAppStore((s) => s.openContacts);
  const decideKeyChange = useAppStore((s) => s.decideKeyChange);
  const blockContact = useAppStore((s) => s.blockContact);
  const busy = useAppStore((s) => s.contactBusy);

  // Re-read on open and whenever contacts change (a key change arrives, a block elsewhere).
  useEffect(() => {
    void loadChatContact(conversationId);
  }, [conversationId, contacts, loadChatContact]);

  if (!contact || contact.dm?.conversationId !== conversationId) return null;
  if (contact.keyChanged) {
    return (
      <div className="chat-banner chat-banner--warning" role="alert" data-testid="key-change-banner">
        <p className="chat-banner__text">
          <strong>Safety number with {contact.name} changed.</strong> Messages from the new key are not
          trusted until you verify or accept it.
        </p>
        <div className="chat-banner__actions">
          <Button
            testId="key-change-verify"
            size="sm"
            variant="secondary"
            onClick={() => void openContacts(contact.id)}
          >
            Verify
          </Button>
          <Button
            testId="key-change-accept"
            size="sm"
            busy={busy === 'key-accept'}
            busyLabel="Accepting…"
            onClick={() => void decideKeyChange(true, contact.id)}
          >
            Accept new key
          </Button>
        </div>
      </div>
    );
  }
  if (contact.blocked) {
    return (
      <div className="chat-banner" role="status" data-testid="blocked-banner">
        <p className="chat-banner__text">You blocked {contact.name}. This conversation is read-only.</p>
        <div className="chat-banner__actions">
          <Button
            testId="blocked-banner-unblock"
            size="sm"
            variant="secondary"
            busy={busy === 'block'}
            busyLabel="Unblocking…"
            onClick={() => void blockContact(false, contact.id)}
          >
            Unblock
          </Button>
        </div>
      </div>
    );
  }
  // Issue 18: their device list forked (the key-change alert's device reason).
  return <DeviceForkBanner contactId={contact.id} name={contact.name} />;
}

/** "Verified" next to a DM's title. */
export function ChatVerifiedBadge() {
  const conversationId = useAppStore((s) => s.chat?.conversationId ?? null);
  const contact = useAppStore((s) => s.chatContact);
  if (!contact?.verified || contact.keyChanged || contact.dm?.conversationId !== conversationId) return null;
  return (
    <span className="trust-badge trust-badge--verified" data-testid="chat-verified-badge">
      <span aria-hidden="true">✓ </span>Verified
    </span>
  );
}
