import { useEffect } from 'react';
import type { ContactPresenceView } from '../../../../src-preload/contract/areas/network';
import { api } from '../../api/client';
import { useAppStore } from '../../store/appStore';

/**
 * Keeps contacts' presence (and their status and picture) loaded while the
 * calling component is mounted: on mount, and whenever presence or contacts
 * change in the core.
 */
export function usePresenceFeed(): void {
  const loadPresence = useAppStore((s) => s.loadPresence);
  useEffect(() => {
    void loadPresence();
    const offPresence = api.onPresenceChanged(() => void loadPresence());
    // A contact's new profile card (status, picture) arrives as a contacts change.
    const offContacts = api.onContactsChanged(() => void loadPresence());
    return () => {
      offPresence();
      offContacts();
    };
  }, [loadPresence]);
}

/** The presence of the contact behind a DM, or null (groups, unknown). */
export function usePresenceOfConversation(conversationId: number): ContactPresenceView | null {
  return useAppStore(
    (s) => Object.values(s.presence).find((p) => p.dmConversationId === conversationId) ?? null,
  );
}

/** The presence of a contact (an entry of the presence feed), by contact id. */
export function usePresenceOfContact(contactId: number): ContactPresenceView | null {
  return useAppStore((s) => s.presence[contactId] ?? null);
}
