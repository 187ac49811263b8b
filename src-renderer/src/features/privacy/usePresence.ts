import { useEffect } from 'react';
import type { ContactPresenceView } from '../../../../src-shared/contract/areas/presence';
import { useAppStore } from '../../store/appStore';

/**
 * Keeps contacts' presence (and their status and picture) loaded while the
 * calling component is mounted: on mount, and whenever presence or contacts
 * change in the core.
 */
export function usePresenceFeed(): void {
  const watchPresence = useAppStore((s) => s.watchPresence);
  useEffect(() => watchPresence(), [watchPresence]);
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
