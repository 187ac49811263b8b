import { initialOf } from '../home/initialOf';
import type { ContactPresenceView } from '../../../../src-shared/contract/areas/presence';
import { presenceText } from './presenceText';
import { usePresenceOfContact, usePresenceOfConversation } from './usePresence';

/** The online dot on a DM's avatar, with the state spelled out for screen readers. */
export function PresenceDot({ conversationId }: { conversationId: number }) {
  const presence = usePresenceOfConversation(conversationId);
  if (!presence) return null;
  return (
    <span
      className={`presence-dot${dotClass(presence)}`}
      data-testid="presence-dot"
      data-online={presence.online ? 'true' : 'false'}
      data-connection={presence.connection.state}
      data-path={pathOf(presence)}
      title={presenceText(presence)}
    >
      <span className="visually-hidden">{presenceText(presence)}</span>
    </span>
  );
}

/** For tests and styling: lan, internet or relay while connected. */
function pathOf(p: ContactPresenceView): string | undefined {
  return p.connection.state === 'direct' ? p.connection.path.kind : undefined;
}

/** Online: filled; reachable through a contact: a ring; offline: grey. */
function dotClass(p: ContactPresenceView): string {
  if (p.online) return ' is-online';
  return p.connection.state === 'relayed' ? ' is-relayed' : '';
}

/** How a contact is reached, as one muted line (the contacts list). */
export function ContactConnectionLine({
  contactId,
  testId = 'contact-connection',
}: {
  contactId: number;
  testId?: string;
}) {
  const presence = usePresenceOfContact(contactId);
  if (!presence) return null;
  return (
    <span
      className="contacts__connection"
      data-testid={testId}
      data-connection={presence.connection.state}
      data-path={pathOf(presence)}
    >
      {presenceText(presence)}
    </span>
  );
}

/** How the contact is reached ("Online · on this network", …) and their status text, for a DM, or nothing. */
export function PresenceLine({ conversationId }: { conversationId: number }) {
  const presence = usePresenceOfConversation(conversationId);
  if (!presence) return null;
  return (
    <span
      className="presence-line"
      data-testid="presence-line"
      data-connection={presence.connection.state}
      data-path={pathOf(presence)}
      title={
        presence.statusText ? `${presenceText(presence)} · ${presence.statusText}` : presenceText(presence)
      }
    >
      {presenceText(presence)}
      {presence.statusText ? (
        <span className="presence-line__status" data-testid="presence-status">
          {' · '}
          {presence.statusText}
        </span>
      ) : null}
    </span>
  );
}

/** The contact's picture for a DM when they shared one, else nothing (the caller shows initials). */
export function usePresenceAvatar(conversationId: number): string | null {
  return usePresenceOfConversation(conversationId)?.avatar ?? null;
}

/** A conversation's avatar: the contact's picture (or initials) with the online dot for a DM. */
export function ConversationAvatar({ id, kind, title }: { id: number; kind: 'dm' | 'group'; title: string }) {
  const avatar = usePresenceAvatar(id);
  return (
    <span className="avatar-wrap">
      {kind === 'dm' && avatar ? (
        <img className="avatar avatar--sm avatar--img" src={avatar} alt="" aria-hidden="true" />
      ) : (
        <span className={`avatar avatar--sm avatar--${kind}`} aria-hidden="true">
          {initialOf(title)}
        </span>
      )}
      {kind === 'dm' ? <PresenceDot conversationId={id} /> : null}
    </span>
  );
}
