import type { InboundSink, Via } from '../delivery/deliveryService';
import type { Outbox } from '../delivery/outbox';
import type { KeyPackagePool, MlsDeviceIdentity, MlsStore, Role } from '../mls';
import type { InboundEnvelope } from '../net/deliverProtocol';
import type { ParleyNode } from '../net/parleyNode';
import type { ParleyProtocols } from '../net/parleyProtocols';
import type { Store } from '../store/store';
import type { Message } from '../store/repositories/types';
import { BackgroundTasks } from '../util/backgroundTasks';
import type { Logger } from '../util/logger';
import type { Content } from '../content/content';
import { InboundContent, type IncomingFiles } from '../content/inboundContent';
import { RichMessaging } from '../content/richMessaging';
import { ContactRequests } from '../contacts/contactRequests';
import type { Directory } from '../contacts/directory';
import { InviteService } from '../contacts/inviteService';
import { KeyPackageExchange } from '../contacts/keyPackageExchange';
import type { OwnCards } from '../contacts/ownProfile';
import { deviceClaimLists } from '../devices/deviceClaims';
import type { DeviceProofs } from '../contacts/deviceProofs';
import type { WireDeviceListHead } from '../net/contactRequestProtocol';
import type { DeviceLists } from '../devices/deviceLists';
import type { ProfileCardV2 } from '../identity/profileCardV2';
import { ProfileReceiver } from '../contacts/profileReceiver';
import { GroupOps, type GroupAck, type GroupOptions } from '../groups/groupOps';
import { decodeFrame } from '../groups/wireFrame';
import { KeyedMutex } from '../util/keyedMutex';

/**
 * Conversations over MLS and delivery (DESIGN.md §2 messaging), composed
 * from the services that do the work, each given lower layers only: invites
 * and KeyPackages (contacts/), the inbound content router and rich messages
 * (content/), group operations (groups/). It is the delivery layer's inbound
 * sink and the one object handlers reach through the MessagingHost.
 * Operations on one conversation are serialized (KeyedMutex): a group has
 * one current state.
 */

export type MessagingNet = Pick<
  ParleyNode,
  'peerId' | 'addresses' | 'keepConnected' | 'forget' | 'isConnected'
> & {
  // Typing indicators go straight to connected devices (richMessaging.ts).
  services: Pick<ParleyProtocols, 'keyPackages' | 'contactRequests' | 'deliver'>;
};

export interface MessagingDeps {
  store: Store;
  mls: MlsStore;
  pool: KeyPackagePool;
  device: MlsDeviceIdentity;
  outbox: Outbox;
  directory: Directory;
  net: MessagingNet;
  /** Wakes the delivery loop after envelopes were queued. */
  kick: () => void;
  identity: { publicKey: Uint8Array; displayName: string };
  /** This device's certificate by the identity key (identity/deviceCertificate.ts). */
  deviceCertificate: Uint8Array;
  sealPublicKey: Uint8Array;
  logger: Logger;
  now: () => number;
  /** Fetches a person's device-list entries from a peer (§13.6: a version 2 credential names them). */
  fetchDeviceEntries?: (from: string, identityKey: Uint8Array) => Promise<void>;
  /** One-time KeyPackages kept available for peers (default 20). */
  keyPackagePoolSize?: number;
  /** Group changes: accept window, tick, self-update policy (groups/; tests shorten them). */
  groups?: GroupOptions;
  /** The user's current signed profile cards (ownProfile.ts); without them no card is sent. */
  profileCard?: () => OwnCards | undefined;
  /**
   * The device lists held here (§13.6): version 2 profile cards, fetched
   * KeyPackages and the devices a new conversation takes in are judged
   * against them.
   */
  deviceLists: DeviceLists;
  /** Judges a device outside groups against its person's device list (issue 18, §13.6). */
  proofs?: DeviceProofs;
  /** This person's device-list head, for contact requests and their answers. */
  deviceListHead?: () => WireDeviceListHead | null;
  /** Records a peer this device contacts, which may then fetch its list for 10 minutes (§13.4). */
  noteContacted?: (peer: string) => void;
  /** A version 2 card of one's own person from another own device (ownProfile.ts adoptOwnCard). */
  adoptOwnCard?: (card: ProfileCardV2) => 'adopted' | 'reissued' | 'kept';
  /** Files (core/files): the rows of an incoming `file` message; returns work for after the commit. */
  files?: IncomingFiles;
}

/** A failure worth retrying later: thrown out of receive() so the envelope is not acked. */
class Transient extends Error {
  override name = 'Transient';
}

export class MessagingService implements InboundSink {
  private readonly lock = new KeyedMutex();
  private readonly background: BackgroundTasks;
  private readonly keyPackages: KeyPackageExchange;
  private readonly invites: InviteService;

  /** Reactions, edits, deletes, read receipts, typing (richMessaging.ts). */
  readonly rich: RichMessaging;
  /** Group changes and every group message in and out, through the GroupSequencer (groups/groupOps.ts). */
  readonly groups: GroupOps;
  /** Contact requests in: proof, consent, expiry (contactRequests.ts). */
  readonly requests: ContactRequests;
  /** Who hears that a sync message of one's own devices changed something (§13.6). */
  private readonly syncListeners = new Set<
    (what: 'conversations' | 'contacts' | 'devices' | 'settings') => void
  >();

  constructor(private readonly deps: MessagingDeps) {
    this.background = new BackgroundTasks(deps.logger);
    const background = this.background;
    this.keyPackages = new KeyPackageExchange({
      ...deps,
      lists: {
        ...deviceClaimLists(deps.deviceLists, deps.store.deviceLists),
        personOf: (peer) => deps.deviceLists.personOf(peer),
      },
      poolSize: deps.keyPackagePoolSize,
    });
    // The tables messaging reads and writes, each behind its repository.
    const repos = {
      groups: deps.store.groups,
      members: deps.store.groupMembers,
      sequencers: deps.store.sequencers,
      contacts: deps.store.contactDevices(deps.net.peerId),
    };
    this.rich = new RichMessaging(deps, {
      send: (conversationId, content, row) => this.groups.content.sendContent(conversationId, content, row),
      exclusive: (conversationId, fn) => this.lock.run(String(conversationId), fn),
      // Typing goes through the group's sequencer too, so its cached state stays the one in use.
      encryptEphemeral: (conversationId, plaintext, ready) =>
        this.groups.encryptEphemeral(conversationId, plaintext, ready),
    });
    const inbound = new InboundContent({
      store: deps.store,
      logger: deps.logger,
      rich: this.rich,
      profiles: new ProfileReceiver({
        ...deps,
        contacts: repos.contacts,
        members: repos.members,
        background,
        announceOwnProfile: () => background.track(this.publishProfile()),
      }),
      ...(deps.files ? { files: deps.files } : {}),
      selfKey: deps.identity.publicKey,
      onSyncApplied: (what) => {
        for (const l of this.syncListeners) l(what);
      },
    });
    this.groups = new GroupOps({
      ...deps,
      repos,
      keyPackages: this.keyPackages,
      devices: deps.deviceLists,
      inbound,
      // Read when sent: the card follows profile edits.
      profile: {
        card: () => this.deps.profileCard?.(),
        sealPublicKey: deps.sealPublicKey,
        peerId: deps.net.peerId,
        addresses: () => deps.net.addresses(),
      },
      lock: this.lock,
      background,
      options: deps.groups,
    });
    this.requests = new ContactRequests({
      ...deps,
      track: (p) => background.track(p),
      announce: () => this.publishProfile(),
    });
    this.invites = new InviteService(deps);
  }

  /** Hears what sync messages from one's other devices changed (the change feed covers tables, not events). */
  onSyncApplied(listener: (what: 'conversations' | 'contacts' | 'devices' | 'settings') => void): () => void {
    this.syncListeners.add(listener);
    return () => this.syncListeners.delete(listener);
  }

  /** Delivery's batch transaction rolled back: cached group states and sequencers reload from disk. */
  rolledBack(): void {
    this.groups.rolledBack();
  }

  /** Delivery's batch transaction begins: MLS writes only ratchets per message in it (MlsStore). */
  batchStarted(): void {
    this.deps.mls.batchStarted();
  }

  batchEnded(committed: boolean): void {
    this.deps.mls.batchEnded(committed);
  }

  /** Waits for background work (profile announcements, KeyPackage top-ups). */
  async stop(): Promise<void> {
    this.rich.stop();
    await this.groups.stop();
    await this.background.settle();
    await this.keyPackages.stop();
  }

  // --- contacts -------------------------------------------------------------

  /** A one-time invite link for someone to become our contact. */
  createInvite(options: { ttlMs?: number; addresses?: string[] } = {}): string {
    return this.invites.create(options);
  }

  /** Accepts an invite (contacts/inviteService.ts), then starts the DM and tells our other conversations. */
  async acceptInvite(text: string): Promise<{ contactId: number; conversationId: number }> {
    const contactId = await this.invites.accept(text);
    const conversationId = await this.createDm(contactId);
    // Our relay list grew: tell our other conversations.
    await this.publishProfile({ except: conversationId });
    return { contactId, conversationId };
  }

  /** The node's KeyPackage provider: one-time packages for known peers; the pool is topped up after. */
  keyPackageFor = (requester: string): Promise<Uint8Array | null> =>
    this.keyPackages.keyPackageFor(requester);

  /** Keeps the KeyPackage pool full (one top-up at a time). */
  replenish(): Promise<void> {
    return this.keyPackages.replenish();
  }

  // --- conversations (groups/; serialized per conversation) -------------------

  /** A DM with a contact: fetches a KeyPackage from its device, creates the group, sends the Welcome. */
  createDm(contactId: number): Promise<number> {
    return this.groups.starter.createDm(contactId);
  }

  /** A group with these contacts (every known device of each), this user as owner. */
  createGroup(name: string, contactIds: number[]): Promise<number> {
    return this.groups.starter.createGroup(name, contactIds);
  }

  /** Adds contacts to a group: committed by owners/admins, an Add proposal from a member. */
  addMembers(conversationId: number, contactIds: number[]): Promise<GroupAck> {
    return this.groups.addMembers(conversationId, contactIds);
  }

  removeMember(conversationId: number, identityKey: Uint8Array): Promise<GroupAck> {
    return this.groups.removeMember(conversationId, identityKey);
  }

  rename(conversationId: number, name: string): Promise<GroupAck> {
    return this.groups.rename(conversationId, name);
  }

  setRole(conversationId: number, identityKey: Uint8Array, role: Role): Promise<GroupAck> {
    return this.groups.setRole(conversationId, identityKey, role);
  }

  /** Leaves a group (a self-removal proposal an admin commits); read-only history from now. */
  leave(conversationId: number): Promise<void> {
    return this.groups.leave(conversationId);
  }

  /** Refreshes this device's keys in a group (also done periodically, groups/groupMaintenance.ts). */
  selfUpdate(conversationId: number): Promise<GroupAck> {
    return this.groups.selfUpdate(conversationId);
  }

  // --- sending --------------------------------------------------------------

  /** Sends a text: MLS-encrypted once, one envelope per other device, stored 'pending' with it. */
  sendText(
    conversationId: number,
    text: string,
    options: { replyToUid?: string; mentions?: string[] } = {},
  ): Promise<Message> {
    return this.groups.content.sendText(conversationId, text, options);
  }

  /**
   * Encrypts content for a conversation and queues one envelope per other
   * device, with the new state and the caller's row in one transaction
   * (groups/contentSender.ts). Public for content types kept in their own
   * files (timers.ts).
   */
  sendContent(
    conversationId: number,
    content: Content,
    row?: (recipients: number) => number | null,
  ): Promise<number | null> {
    return this.groups.content.sendContent(conversationId, content, row);
  }

  /** Sends a `file` message; core/files builds it and writes its rows in `row` (same transaction). */
  sendFileContent(
    conversationId: number,
    content: Extract<Content, { type: 'file' }>,
    row: (recipients: number) => number,
  ): Promise<number | null> {
    return this.groups.content.sendContent(conversationId, content, row);
  }

  /**
   * Tells conversations who we are to them: display name, seal key and relay
   * list (our contacts' devices). Sent when a conversation starts and when our
   * contacts change (groups/profileAnnouncer.ts).
   */
  publishProfile(scope: { only?: number; except?: number } = {}): Promise<void> {
    return this.groups.announcer.publish(scope);
  }

  // --- receiving ------------------------------------------------------------

  async receive(
    envelope: InboundEnvelope & { via: Via },
    markSeen: () => void,
  ): Promise<'accepted' | 'duplicate' | 'rejected'> {
    const frame = decodeFrame(envelope.payload);
    if (!frame) return 'rejected';
    if (frame.kind === 'welcome') {
      return this.groups.welcomes.receive(frame.welcome, frame.ratchetTree, markSeen);
    }
    const conversationId = this.deps.mls.conversationOf(frame.groupId);
    // Perhaps its Welcome has not arrived yet (another sender, another holder).
    if (conversationId === null) throw new Transient('message for a group we have not joined (yet)');
    return this.lock.run(String(conversationId), () =>
      this.groups.receive(conversationId, frame.message, markSeen, envelope.from),
    );
  }
}
