import type { ContactConnectionView, ContactPresenceView } from '../../../src-shared/contract/areas/presence';
import type { OwnProfileView } from '../../../src-shared/contract/areas/profile';
import type { EventBus } from '../rpc/eventBus';
import type { Store } from '../store/store';
import type { NetworkFeatures } from '../presence/networkFeatures';
import { imageMime } from '../contacts/profileCard';
import type { ProfileCardFields } from '../identity/profileCardV2';
import type { ContactConnection, ContactPresence } from '../presence/presenceService';

/**
 * The presenter of the network features: how presence, the own profile card
 * and their events cross the bridge (contract/areas/presence.ts, profile.ts). Domain
 * folders keep domain objects; the views are made here, at the api level.
 */

/** A data: URL for a picture whose format was checked by magic bytes; null for anything else. */
export function avatarDataUrl(bytes: Uint8Array | null): string | null {
  if (!bytes || bytes.length === 0) return null;
  const mime = imageMime(bytes);
  return mime ? `data:${mime};base64,${Buffer.from(bytes).toString('base64')}` : null;
}

export function ownProfileView(card: ProfileCardFields): OwnProfileView {
  return {
    displayName: card.displayName,
    statusText: card.statusText,
    avatar: avatarDataUrl(card.avatar),
    version: card.version,
  };
}

/** Presence joined with each contact's cached card (status text, picture) and how they are reached. */
export function contactPresenceViews(
  repos: Pick<Store, 'contacts' | 'devices' | 'conversations'>,
  presence: ContactPresence[],
): ContactPresenceView[] {
  const cards = repos.contacts.cards();
  const dms = repos.conversations.openDmsByContact();
  return presence.map((p) => {
    const card = cards.get(p.contactId);
    return {
      contactId: p.contactId,
      dmConversationId: dms.get(p.contactId) ?? null,
      online: p.online,
      lastSeen: p.lastSeen,
      connection: connectionView(p.connection, (peer) => repos.devices.contactNameOf(peer)),
      statusText: card?.statusText ?? '',
      avatar: avatarDataUrl(card?.avatar ? new Uint8Array(card.avatar) : null),
    };
  });
}

/**
 * How a contact is reached, as the view says it: relays and contacts in
 * between by the name they go by here. A relay that is not our contact (our
 * contact's contact) has no name here: null, "a relay".
 */
export function connectionView(
  connection: ContactConnection,
  nameOf: (peer: string) => string | null,
): ContactConnectionView {
  switch (connection.state) {
    case 'relayed':
      return { state: 'relayed', via: nameOf(connection.viaPeer) ?? 'a contact' };
    case 'offline':
      return connection;
    case 'direct': {
      const { path } = connection;
      return {
        state: 'direct',
        path: path.kind === 'relay' ? { kind: 'relay', via: nameOf(path.relay) } : { kind: path.kind },
      };
    }
  }
}

/** Forwards the network features' events to every shell; returns the unsubscribe function. */
export function bridgeNetworkEvents(network: NetworkFeatures, bus: EventBus): () => void {
  return network.onEvent((event) => {
    switch (event.name) {
      case 'presence.changed':
        bus.emit('presence.changed', {});
        break;
      case 'reach.changed':
        bus.emit('network.changed', {});
        break;
      case 'nearby.changed':
        bus.emit('nearby.changed', {});
        break;
      case 'settings.changed':
        bus.emit('settings.changed', { privacy: event.privacy });
        break;
      case 'profile.updated':
        bus.emit('profile.updated', ownProfileView(event.card));
        break;
    }
  });
}
