import { SEAL_PUBLIC_KEY_BYTES } from '../crypto/sealedBox';
import type { ParleyNode } from '../net/parleyNode';
import { peerTag } from '../net/protocolService';
import type { ContactDeviceRepository } from '../store/repositories/contactDeviceRepository';
import type { GroupMemberRepository } from '../store/repositories/groupMemberRepository';
import type { BackgroundTasks } from '../util/backgroundTasks';
import type { Logger } from '../util/logger';
import type { DeviceLists } from '../devices/deviceLists';
import type { ProfileCardFields, ProfileCardV2 } from '../identity/profileCardV2';
import { judgeProfileCardV2 } from '../identity/profileCardV2Verify';
import type { Directory } from './directory';
import {
  card2FromJson,
  cardFromJson,
  verifyProfileCard,
  type ProfileCardJson,
  type ProfileCardV2Json,
} from './profileCard';

/** A device's profile as it arrives in a group (content/content.ts ProfileContent, the fields read here). */
export interface AnnouncedProfile {
  displayName: string;
  /** X-Wing public key, base64url. */
  sealPublicKey: string;
  relays: readonly string[];
  addresses?: readonly string[] | undefined;
  card?: ProfileCardJson | undefined;
  card2?: ProfileCardV2Json | undefined;
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
  /** This user's identity key: a card of one's own person is adopted, not cached as a contact's. */
  identity: { publicKey: Uint8Array };
  /** The device lists held here (§13.6: version 2 cards are judged against them). */
  deviceLists?: Pick<DeviceLists, 'state'>;
  /** Fetches a person's entries after the head held here from a device (devices/deviceListSync.ts). */
  fetchDeviceEntries?: (from: string, identityKey: Uint8Array) => Promise<void>;
  /**
   * A version 2 card of one's own person from another own device (contacts/ownProfile.ts
   * adoptOwnCard), inside the transaction; 'reissued' asks for a new announcement.
   */
  adoptOwnCard?: (card: ProfileCardV2) => 'adopted' | 'reissued' | 'kept';
  /** Announce the own profile again (after a reissue), in the background. */
  announceOwnProfile?: () => void;
}

/** What the cards of one profile come to (see judgeCards). */
type CardOutcome =
  | { kind: 'forged' }
  | {
      kind: 'ok';
      /** The card to cache now, if any. */
      card: (ProfileCardFields & { v2?: ProfileCardV2 }) | null;
      /** A version 2 card naming entries not held yet: judged again once they were fetched. */
      later: ProfileCardV2 | null;
    };

const FORGERY = new Set(['identity', 'unlisted', 'signature']);

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
    // A card must be the MLS sender's person's; a forged one (a bad signature,
    // another user's card replayed, a signer that person's list does not name)
    // rejects the whole profile.
    const cards = this.judgeCards(peerId, identityKey, profile);
    if (cards.kind === 'forged') return null;
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
    const after: (() => void)[] = [];
    if (cards.card) {
      after.push(...this.takeCard(identityKey, cards.card));
    } else if (!this.isOwn(identityKey)) {
      // A profile without a card (a group, an older build) names the user only until a card arrived.
      this.deps.contacts.applyAnnouncedName(identityKey, profile.displayName, this.deps.now());
    }
    if (cards.later) after.push(this.judgeLater(peerId, identityKey, cards.later));
    if (addresses && addresses.length > 0 && this.deps.directory.isHolder(peerId)) {
      after.push(() => this.deps.background.track(this.deps.net.keepConnected(peerId, addresses)));
    }
    if (after.length === 0) return null;
    return () => {
      for (const run of after) run();
    };
  }

  private isOwn(identityKey: Uint8Array): boolean {
    return Buffer.from(identityKey).equals(Buffer.from(this.deps.identity.publicKey));
  }

  /**
   * Which card of a profile to take (docs/protocol.md §13.6, "Profile cards,
   * version 2"): version 2 when it is judged genuine against the sender's
   * list; version 1 only from a person this device holds no list of (once a
   * person has a list, a version 1 card alone is refused: the card is
   * dropped, the rest of the profile is taken). A version 2 card naming
   * entries not held yet is judged again after they are fetched from the
   * sender; one whose signer was removed is dropped without an alarm.
   */
  private judgeCards(peerId: string, identityKey: Uint8Array, profile: AnnouncedProfile): CardOutcome {
    const { logger } = this.deps;
    const list = this.deps.deviceLists?.state(identityKey) ?? null;
    let card: (ProfileCardFields & { v2?: ProfileCardV2 }) | null = null;
    let later: ProfileCardV2 | null = null;
    if (profile.card2 !== undefined) {
      const v2 = card2FromJson(profile.card2);
      const verdict = v2 === null ? null : judgeProfileCardV2(v2, identityKey, list);
      if (v2 === null || verdict === null || (!verdict.ok && FORGERY.has(verdict.reason))) {
        logger.log('warn', 'messaging.profile_card_rejected', {
          peer: peerTag(peerId),
          version: 2,
          reason: verdict && !verdict.ok ? verdict.reason : 'malformed',
        });
        return { kind: 'forged' };
      }
      if (verdict.ok) card = { ...v2, v2 };
      else if (verdict.reason === 'missing') later = v2;
      else
        logger.log('info', 'messaging.profile_card_dropped', {
          peer: peerTag(peerId),
          reason: verdict.reason,
        });
    }
    if (profile.card !== undefined) {
      const v1 = cardFromJson(profile.card);
      if (!v1 || !verifyProfileCard(identityKey, v1)) {
        logger.log('warn', 'messaging.profile_card_rejected', { peer: peerTag(peerId), version: 1 });
        return { kind: 'forged' };
      }
      if (list !== null) {
        if (profile.card2 === undefined)
          logger.log('warn', 'messaging.profile_card_v1_refused', { peer: peerTag(peerId) });
      } else if (card === null) {
        card = v1;
      }
    }
    return { kind: 'ok', card, later };
  }

  /** Caches a verified card: a contact's (only a newer one replaces it), or one's own (adopted). */
  private takeCard(
    identityKey: Uint8Array,
    card: ProfileCardFields & { v2?: ProfileCardV2 },
  ): (() => void)[] {
    if (!this.isOwn(identityKey)) {
      // Only a newer card replaces the cached one (a replayed old card changes nothing).
      this.deps.contacts.applyCard(identityKey, card, this.deps.now());
      return [];
    }
    if (!card.v2 || !this.deps.adoptOwnCard) return [];
    const outcome = this.deps.adoptOwnCard(card.v2);
    const announce = this.deps.announceOwnProfile;
    return outcome === 'reissued' && announce ? [announce] : [];
  }

  /** After the commit: fetch the entries a version 2 card names, then judge and take it. */
  private judgeLater(peerId: string, identityKey: Uint8Array, card: ProfileCardV2): () => void {
    return () => {
      const fetch = this.deps.fetchDeviceEntries;
      if (!fetch) return;
      this.deps.background.track(
        fetch(peerId, identityKey).then(() => {
          const verdict = judgeProfileCardV2(
            card,
            identityKey,
            this.deps.deviceLists?.state(identityKey) ?? null,
          );
          if (!verdict.ok) {
            this.deps.logger.log('info', 'messaging.profile_card_dropped', {
              peer: peerTag(peerId),
              reason: verdict.reason,
            });
            return;
          }
          for (const run of this.takeCard(identityKey, { ...card, v2: card })) run();
        }),
      );
    };
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
