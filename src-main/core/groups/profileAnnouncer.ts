import type { ContactDevices } from '../contacts/contactDevices';
import { parseAddresses } from '../contacts/directory';
import { cardToJson } from '../contacts/profileCard';
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
    private readonly contacts: Pick<ContactDevices, 'isContactDm'>,
    private readonly stopped: () => boolean,
  ) {}

  /** Announces to one conversation in the background (awaited on stop). */
  announce(conversationId: number): void {
    this.ctx.deps.background.track(this.publish({ only: conversationId }));
  }

  async publish(scope: { only?: number; except?: number } = {}): Promise<void> {
    const { profile, identity, directory, db, logger } = this.ctx.deps;
    const card = profile.card();
    const content: Content = {
      v: CONTENT_VERSION,
      type: 'profile',
      displayName: card?.displayName ?? identity.displayName,
      sealPublicKey: Buffer.from(profile.sealPublicKey).toString('base64url'),
      relays: directory.ownRelays(),
      addresses: profile.addresses().slice(0, 16),
    };
    // Status and avatar are for contacts only: the card goes into DMs with a
    // contact, never into groups, whose other members may be strangers.
    const withCard: Content | null = card ? { ...content, card: cardToJson(card) } : null;
    const ids =
      scope.only !== undefined
        ? [scope.only]
        : (
            db
              .prepare(
                `SELECT c.id FROM conversations c JOIN mls_groups g ON g.conversation_id = c.id
                 WHERE c.left_at IS NULL ORDER BY c.id`,
              )
              .all() as { id: number }[]
          )
            .map((r) => r.id)
            .filter((id) => id !== scope.except);
    for (const id of ids) {
      if (this.stopped()) return;
      try {
        const peers = this.memberHints(id);
        const forThis = withCard && this.contacts.isContactDm(id) ? withCard : content;
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
    const rows = this.ctx.deps.db
      .prepare(
        `SELECT d.peer_id, d.addresses, d.seal_public FROM conversations c
         JOIN members m ON m.conversation_id = c.id
         JOIN devices d ON d.identity_key = m.identity_key
         WHERE c.id = ? AND c.kind = 'group' AND d.peer_id != ?
         ORDER BY d.peer_id LIMIT ?`,
      )
      .all(conversationId, this.ctx.deps.profile.peerId, MAX_PROFILE_PEERS) as {
      peer_id: string;
      addresses: string;
      seal_public: Buffer | null;
    }[];
    return rows.flatMap((r) => {
      const addresses = parseAddresses(r.addresses)
        .filter((a) => a.startsWith('/') && a.length <= 256)
        .slice(0, 16);
      if (addresses.length === 0 && !r.seal_public) return [];
      return [
        {
          peerId: r.peer_id,
          addresses,
          ...(r.seal_public ? { sealPublicKey: r.seal_public.toString('base64url') } : {}),
        },
      ];
    });
  }
}
