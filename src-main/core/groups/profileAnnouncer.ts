import { parseAddresses } from '../contacts/directory';
import { card2ToJson, cardToJson } from '../contacts/profileCard';
import { CONTENT_VERSION, MAX_PROFILE_PEERS, type Content } from '../content/content';
import { errorFields } from '../util/logger';
import type { ContentSender } from './contentSender';
import type { GroupContext } from './groupContext';

type MemberHints = NonNullable<Extract<Content, { type: 'profile' }>['peers']>;

/**
 * Tells conversations who this device is to them: display name, seal key,
 * relay list (our contacts' devices), addresses, and in a group how to
 * reach the other members. Sent when a conversation starts, when members
 * are added (they never saw the earlier ones), after a rejoin, and when our
 * contacts or profile change.
 */
export class ProfileAnnouncer {
  constructor(
    private readonly ctx: GroupContext,
    private readonly sender: Pick<ContentSender, 'sendContent'>,
    private readonly stopped: () => boolean,
  ) {}

  /** Announces to one conversation in the background (awaited on stop). */
  announce(conversationId: number): void {
    this.ctx.deps.background.track(this.publish({ only: conversationId }));
  }

  async publish(scope: { only?: number; except?: number } = {}): Promise<void> {
    const { profile, identity, directory, repos, logger } = this.ctx.deps;
    const card = profile.card();
    const content: Content = {
      v: CONTENT_VERSION,
      type: 'profile',
      displayName: card?.fields.displayName ?? identity.displayName,
      sealPublicKey: Buffer.from(profile.sealPublicKey).toString('base64url'),
      relays: directory.ownRelays(),
      addresses: profile.addresses().slice(0, 16),
    };
    // Status and avatar are for contacts only: the card goes into DMs with a
    // contact, never into groups, whose other members may be strangers.
    // Both versions when held (docs/protocol.md §13.6): receivers holding our device
    // list take version 2 only, the others version 1.
    const withCard: Content | null =
      card && (card.v1 || card.v2)
        ? {
            ...content,
            ...(card.v1 ? { card: cardToJson(card.v1) } : {}),
            ...(card.v2 ? { card2: card2ToJson(card.v2) } : {}),
          }
        : null;
    const ids =
      scope.only !== undefined ? [scope.only] : repos.groups.open().filter((id) => id !== scope.except);
    for (const id of ids) {
      if (this.stopped()) return;
      try {
        const peers = this.memberHints(id);
        const forThis = withCard && repos.contacts.isContactDm(id) ? withCard : content;
        await this.sender.sendContent(id, peers.length > 0 ? { ...forThis, peers } : forThis);
      } catch (err) {
        logger.log('warn', 'messaging.profile_failed', { conversation: id, ...errorFields(err) });
      }
    }
  }

  /**
   * What this device knows of how to reach the other members of a group
   * (ProfileContent.peers): empty for a DM, whose two members reach each
   * other already.
   */
  private memberHints(conversationId: number): MemberHints {
    const devices = this.ctx.deps.repos.members.groupDevices(
      conversationId,
      this.ctx.deps.profile.peerId,
      MAX_PROFILE_PEERS,
    );
    return devices.flatMap((r) => {
      const addresses = parseAddresses(r.addresses)
        .filter((a) => a.startsWith('/') && a.length <= 256)
        .slice(0, 16);
      if (addresses.length === 0 && !r.sealPublic) return [];
      return [
        {
          peerId: r.peerId,
          addresses,
          ...(r.sealPublic ? { sealPublicKey: r.sealPublic.toString('base64url') } : {}),
        },
      ];
    });
  }
}
