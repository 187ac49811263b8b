import { SEAL_PUBLIC_KEY_BYTES } from '../crypto/sealedBox';
import type { ParleyNode } from '../net/parleyNode';
import { peerTag } from '../net/protocolService';
import type { ContactDeviceRepository } from '../store/repositories/contactDeviceRepository';
import type { GroupMemberRepository } from '../store/repositories/groupMemberRepository';
import type { BackgroundTasks } from '../util/backgroundTasks';
import type { Logger } from '../util/logger';
import type { Directory } from './directory';
import { cardFromJson, verifyProfileCard, type ProfileCardJson, type SignedProfileCard } from './profileCard';

/** A device's profile as it arrives in a group (content/content.ts ProfileContent, the fields read here). */
export interface AnnouncedProfile {
  displayName: string;
  /** X-Wing public key, base64url. */
  sealPublicKey: string;
  relays: readonly string[];
  addresses?: readonly string[] | undefined;
  card?: ProfileCardJson | undefined;
}

/** A member's hint about how to reach another member's device (ProfileContent.peers). */
export interface MemberHint {
  peerId: string;
  addresses: readonly string[];
  sealPublicKey?: string | undefined;
}

export interface ProfileReceiverDeps {
  contacts: Pick<ContactDeviceRepository, 'setAnnouncedName' | 'applyCard' | 'applyAnnouncedName'>;
  members: Pick<GroupMemberRepository, 'memberDevice'>;
  directory: Pick<Directory, 'upsertDevice' | 'setRelays' | 'isHolder'>;
  net: Pick<ParleyNode, 'peerId' | 'keepConnected' | 'isConnected'>;
  logger: Logger;
  now: () => number;
  background: Pick<BackgroundTasks, 'track'>;
}

/**
 * What a received profile tells this device about its sender and, in a
 * group, about the other members: addresses, seal key, relay list, the
 * signed profile card, the name a member announced. Runs inside the
 * transaction that stores the group state the profile was decrypted with;
 * the dials it asks for are returned, to run after that transaction commits.
 */
export class ProfileReceiver {
  constructor(private readonly deps: ProfileReceiverDeps) {}

  /**
   * Records a device's profile. Returns, for a contact's device that told us
   * its addresses, the dial to make once the transaction committed.
   */
  applyProfile(peerId: string, identityKey: Uint8Array, profile: AnnouncedProfile): (() => void) | null {
    // A card must verify under the MLS sender's identity key; one that does
    // not (forged, or another user's card replayed) rejects the whole profile.
    let card: SignedProfileCard | null = null;
    if (profile.card) {
      card = cardFromJson(profile.card);
      if (!card || !verifyProfileCard(identityKey, card)) {
        this.deps.logger.log('warn', 'messaging.profile_card_rejected', { peer: peerTag(peerId) });
        return null;
      }
    }
    const seal = Buffer.from(profile.sealPublicKey, 'base64url');
    const addresses = profile.addresses?.filter((a) => a.startsWith('/'));
    const bound = this.deps.directory.upsertDevice({
      peerId,
      identityKey,
      ...(addresses && addresses.length > 0 ? { addresses } : {}),
      ...(seal.length === SEAL_PUBLIC_KEY_BYTES ? { sealPublicKey: new Uint8Array(seal) } : {}),
    });
    if (!bound) return null;
    // The name its user goes by, as announced from this device: how a group
    // member who is not a contact is named (devices.name, migration 0002).
    this.deps.contacts.setAnnouncedName(peerId, profile.displayName);
    this.deps.directory.setRelays(
      peerId,
      profile.relays.filter((r) => r !== peerId),
    );
    if (card) {
      // Only a newer card replaces the cached one (a replayed old card changes nothing).
      this.deps.contacts.applyCard(identityKey, card, this.deps.now());
    } else {
      // A profile without a card (a group, an older build) names the user only until a card arrived.
      this.deps.contacts.applyAnnouncedName(identityKey, profile.displayName, this.deps.now());
    }
    if (!addresses || addresses.length === 0 || !this.deps.directory.isHolder(peerId)) return null;
    return () => this.deps.background.track(this.deps.net.keepConnected(peerId, addresses));
  }

  /**
   * Takes a member's hints about the other members' devices: only for
   * PeerIds that are members of this group per its MLS state (their leaves,
   * synced to `members`/`devices`); a seal key only while none is known;
   * addresses only while none are known (a device's own profile is
   * first-hand and wins). Returns the dials to make after the commit, so the
   * delivery loop can reach those devices.
   */
  applyMemberHints(conversationId: number, from: string, peers: readonly MemberHint[]): (() => void)[] {
    const dials: (() => void)[] = [];
    for (const hint of peers) {
      if (hint.peerId === this.deps.net.peerId || hint.peerId === from) continue;
      const member = this.deps.members.memberDevice(conversationId, hint.peerId);
      if (!member) continue;
      const seal = hint.sealPublicKey ? Buffer.from(hint.sealPublicKey, 'base64url') : null;
      const addresses = hint.addresses.filter((a) => a.startsWith('/'));
      const knownAddresses = member.addresses !== '[]' && member.addresses !== '';
      this.deps.directory.upsertDevice({
        peerId: hint.peerId,
        identityKey: member.identityKey,
        ...(!knownAddresses && addresses.length > 0 ? { addresses } : {}),
        ...(!member.sealPublic && seal?.length === SEAL_PUBLIC_KEY_BYTES
          ? { sealPublicKey: new Uint8Array(seal) }
          : {}),
      });
      if (!knownAddresses && addresses.length > 0 && !this.deps.net.isConnected(hint.peerId)) {
        dials.push(() => this.deps.background.track(this.deps.net.keepConnected(hint.peerId, addresses)));
      }
    }
    return dials;
  }
}
