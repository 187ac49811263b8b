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

const LAST_SEEN_TEXT = {
  'just-now': 'last seen just now',
  today: 'last seen today',
  'this-week': 'last seen this week',
  'long-ago': 'last seen a long time ago',
} as const;

/** "Online", "last seen today", …: coarse on purpose (the core only shares buckets). */
export function presenceText(p: ContactPresenceView): string {
  if (p.online) return 'Online';
  return p.lastSeen ? LAST_SEEN_TEXT[p.lastSeen] : 'Offline';
}
