import { createHash, randomBytes } from 'node:crypto';
import { SEAL_PUBLIC_KEY_BYTES } from '../crypto/sealedBox';
import type { InboundSink, Via } from '../delivery/deliveryService';
import type { Outbox } from '../delivery/outbox';
import { ParleyError } from '../errors';
import {
  addMembers,
  createGroup,
  exportRatchetTree,
  isMlsRejection,
  joinGroup,
  keyPackageDevice,
  startDm,
  type KeyPackagePool,
  type MlsDeviceIdentity,
  type MlsGroupState,
  type MlsStore,
  type Role,
} from '../mls';
import type { InboundEnvelope } from '../net/deliverProtocol';
import type { ParleyNode } from '../net/parleyNode';
import { peerTag } from '../net/protocolService';
import { verifyDeviceCertificate } from '../identity/deviceCertificate';
import type { Db } from '../store/encryptedDatabase';
import { InviteRepository } from '../store/repositories/inviteRepository';
import type { Store } from '../store/store';
import type { Message } from '../store/repositories/types';
import { errorFields, type Logger } from '../util/logger';
import {
  CONTENT_VERSION,
  decodeContent,
  encodeContent,
  MAX_PROFILE_PEERS,
  MAX_TEXT_CHARS,
  type Content,
} from '../content/content';
import { assertDmWritable } from '../contacts/contactsService';
import { ContactRequests } from '../contacts/contactRequests';
import { parseAddresses, type Directory } from '../contacts/directory';
import { decodeInvite, encodeInvite, INVITE_USED, sealKeyHash } from '../contacts/invite';
import { GroupOps, type GroupAck, type GroupOptions } from '../groups/groupOps';
import { KeyedMutex } from '../util/keyedMutex';
import { cardFromJson, cardToJson, verifyProfileCard, type SignedProfileCard } from '../contacts/profileCard';
import { receiveTimer } from '../content/timers';
import { isRichContent } from '../content/richContent';
import { mentionsForText, RichMessaging } from '../content/richMessaging';
import { decodeFrame, encodeFrame } from '../groups/wireFrame';

/**
 * Conversations over MLS and delivery (DESIGN.md §2 messaging): DMs and
 * groups, text, profiles (seal key and relay list), contacts by invite and
 * contact requests. Every step that changes a group's state persists the new
 * state together with the rows it produced (message, members, outbox
 * envelopes, seen envelope id) in one SQLite transaction, and only then is
 * anything sent or acknowledged (DESIGN.md §1 rule 6). Operations on one
 * conversation are serialized (KeyedMutex): a group has one current state.
 */

export type MessagingNet = Pick<
  ParleyNode,
  | 'peerId'
  | 'keyPackages'
  | 'contactRequests'
  | 'addresses'
  | 'keepConnected'
  | 'forget'
  // Typing indicators go straight to connected devices (richMessaging.ts).
  | 'deliver'
  | 'isConnected'
>;

export interface MessagingDeps {
  db: Db;
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
  /** One-time KeyPackages kept available for peers (default 20). */
  keyPackagePoolSize?: number;
  /** Group changes: accept window, tick, self-update policy (groupOps.ts; tests shorten them). */
  groups?: GroupOptions;
  /** The user's current signed profile card (ownProfile.ts); without it no card is sent. */
  profileCard?: () => SignedProfileCard;
  /** Files (core/files): the rows of an incoming `file` message; returns work for after the commit. */
  files?: {
    applyIncoming(
      conversationId: number,
      sender: { peerId: string; identityKey: Uint8Array },
      content: Extract<Content, { type: 'file' }>,
      now: number,
    ): (() => void) | null;
  };
}

const INVITE_TTL_MS = 7 * 24 * 3600_000;

/** A failure worth retrying later: thrown out of receive() so the envelope is not acked. */
class Transient extends Error {
  override name = 'Transient';
}

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

export class MessagingService implements InboundSink {
  private readonly lock = new KeyedMutex();
  private readonly background = new Set<Promise<void>>();
  private replenishing: Promise<void> | null = null;
  private stopped = false;

  /** Reactions, edits, deletes, read receipts, typing (richMessaging.ts). */
  readonly rich: RichMessaging;
  /** Group changes and every group message in and out, through the GroupSequencer (groupOps.ts). */
  readonly groups: GroupOps;
  /** Contact requests in: proof, consent, expiry (contactRequests.ts). */
  readonly requests: ContactRequests;
  private readonly invites: InviteRepository;

  constructor(private readonly deps: MessagingDeps) {
    this.rich = new RichMessaging(deps, {
      send: (conversationId, content, row) => this.sendContent(conversationId, content, row),
      exclusive: (conversationId, fn) => this.lock.run(String(conversationId), fn),
      // Typing goes through the group's sequencer too, so its cached state stays the one in use.
      encryptEphemeral: (conversationId, plaintext, ready) =>
        this.groups.encryptEphemeral(conversationId, plaintext, ready),
    });
    this.groups = new GroupOps({
      ...deps,
      lock: this.lock,
      fetchKeyPackage: (peer) => this.fetchKeyPackage(peer),
      devicesOfContact: (contactId) => this.devicesOfContact(contactId),
      applyApplication: (id, sender, plaintext, now, after) =>
        this.applyApplication(id, sender, plaintext, now, after),
      syncMembers: (id, state) => this.syncMembers(id, state),
      track: (p) => this.track(p),
      announce: (id) => this.track(this.publishProfile({ only: id })),
      options: deps.groups,
    });
    this.requests = new ContactRequests({
      ...deps,
      track: (p) => this.track(p),
      announce: () => this.publishProfile(),
    });
    this.invites = new InviteRepository(deps.db);
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
    this.stopped = true;
    this.rich.stop();
    await this.groups.stop();
    await Promise.allSettled([...this.background]);
    await this.replenishing;
  }

  // --- contacts -------------------------------------------------------------

  /** A one-time invite link for someone to become our contact. */
  createInvite(options: { ttlMs?: number; addresses?: string[] } = {}): string {
    // 128 bits: unguessable for a one-time, 7-day token, and 16 bytes shorter in the QR code.
    const token = new Uint8Array(randomBytes(16));
    const now = this.deps.now();
    this.invites.create(sha256(token), now, now + (options.ttlMs ?? INVITE_TTL_MS));
    return encodeInvite({
      peerId: this.deps.net.peerId,
      addresses: options.addresses ?? this.deps.net.addresses(),
      identityKey: this.deps.identity.publicKey,
      sealKeyHash: sealKeyHash(this.deps.sealPublicKey),
      displayName: this.ownName(),
      token,
    });
  }

  /**
   * Accepts an invite: connects, presents the token in a contact request (the
   * inviter adds us without asking and answers with its seal key and device
   * certificate), checks that key against the hash in the invite and that the
   * certificate binds the device we reached to the invite's identity key,
   * records the inviter as a contact, then starts the DM. Throws
   * ParleyError('INVALID_PARAMS') for a bad invite, a seal key that does not
   * match it, or a device that cannot prove the identity the invite names
   * (nothing is stored then).
   */
  async acceptInvite(text: string): Promise<{ contactId: number; conversationId: number }> {
    const invite = decodeInvite(text);
    if (!invite) throw new ParleyError('INVALID_PARAMS', 'That is not a valid Parley invite.');
    if (invite.peerId === this.deps.net.peerId) {
      throw new ParleyError('INVALID_PARAMS', 'That invite is your own.');
    }
    const { db, store, directory, net } = this.deps;
    const existing = directory.device(invite.peerId);
    // A device we know under another identity key: recorded as a key change for the user (TOFU).
    if (existing && directory.checkIdentity(invite.peerId, invite.identityKey) === 'changed') {
      throw new ParleyError('INVALID_PARAMS', 'That device belongs to another contact.');
    }
    await net.keepConnected(invite.peerId, invite.addresses);
    let reply: Awaited<ReturnType<MessagingNet['contactRequests']['sendForReply']>>;
    try {
      reply = await net.contactRequests.sendForReply(invite.peerId, {
        displayName: this.ownName(),
        identityKey: this.deps.identity.publicKey,
        inviteToken: invite.token,
        message: '',
        deviceCertificate: this.deps.deviceCertificate,
      });
    } catch (err) {
      if (!existing) net.forget(invite.peerId);
      throw err;
    }
    if (reply.status !== 'received') {
      if (!existing) net.forget(invite.peerId);
      if (reply.status === 'used') throw new ParleyError('INVALID_STATE', INVITE_USED);
      throw new ParleyError('INVALID_STATE', 'The invite was refused (used or expired).');
    }
    const seal = reply.sealPublicKey;
    if (
      !seal ||
      seal.length !== SEAL_PUBLIC_KEY_BYTES ||
      !Buffer.from(sealKeyHash(seal)).equals(Buffer.from(invite.sealKeyHash))
    ) {
      // A tampered invite, or a device answering in the inviter's name with another key.
      if (!existing) net.forget(invite.peerId);
      this.deps.logger.log('warn', 'messaging.invite_seal_mismatch', { peer: peerTag(invite.peerId) });
      throw new ParleyError('INVALID_PARAMS', 'That invite does not match the device that answered it.');
    }
    // An invite is only text: anyone can write one naming a contact's identity
    // key and their own device ("Carol, new phone"). The device must prove it.
    if (!verifyDeviceCertificate(reply.deviceCertificate, invite)) {
      if (!existing) net.forget(invite.peerId);
      this.deps.logger.log('warn', 'messaging.invite_unproven', { peer: peerTag(invite.peerId) });
      throw new ParleyError(
        'INVALID_PARAMS',
        'The device that answered this invite cannot prove it belongs to the person the invite names.',
      );
    }
    const contactId = db.transaction(() => {
      const id = store.contacts.upsert(Buffer.from(invite.identityKey), invite.displayName, this.deps.now());
      const bound = directory.upsertDevice({
        peerId: invite.peerId,
        identityKey: invite.identityKey,
        addresses: invite.addresses,
        sealPublicKey: seal,
        certificate: reply.deviceCertificate,
      });
      if (!bound) throw new ParleyError('INVALID_PARAMS', 'That device belongs to another contact.');
      return id;
    })();
    const conversationId = await this.createDm(contactId);
    // Our relay list grew: tell our other conversations.
    await this.publishProfile({ except: conversationId });
    return { contactId, conversationId };
  }

  /** The node's KeyPackage provider: one-time packages for known peers; the pool is topped up after. */
  keyPackageFor = async (requester: string): Promise<Uint8Array | null> => {
    if (!this.deps.directory.isKnown(requester)) return null;
    const kp = this.deps.pool.takeForPeer();
    this.replenish();
    return kp?.keyPackage ?? null;
  };

  /** Keeps the KeyPackage pool full (one top-up at a time). */
  replenish(): Promise<void> {
    if (!this.replenishing) {
      this.replenishing = this.deps.pool
        .replenish(this.deps.keyPackagePoolSize ?? 20)
        .then(() => undefined)
        .catch((err: unknown) =>
          this.deps.logger.log('error', 'messaging.replenish_failed', errorFields(err)),
        )
        .finally(() => {
          this.replenishing = null;
        });
    }
    return this.replenishing;
  }

  // --- conversations --------------------------------------------------------

  /** A DM with a contact: fetches a KeyPackage from its device, creates the group, sends the Welcome. */
  async createDm(contactId: number): Promise<number> {
    const { db, store, mls, outbox } = this.deps;
    const existing = db
      .prepare(`SELECT id FROM conversations WHERE kind = 'dm' AND contact_id = ? AND left_at IS NULL`)
      .get(contactId) as { id: number } | undefined;
    if (existing) return existing.id;
    const [peer] = this.devicesOfContact(contactId);
    if (!peer) throw new ParleyError('INVALID_PARAMS', 'That contact has no known device.');
    const keyPackage = await this.fetchKeyPackage(peer);
    const out = await startDm(this.deps.device, keyPackage, { now: this.deps.now() });
    const tree = exportRatchetTree(out.state);
    const welcome = out.welcome;
    if (!welcome) throw new ParleyError('INTERNAL', 'No Welcome for the new DM.');
    const conversationId = db.transaction(() => {
      const id = store.conversations.create({
        kind: 'dm',
        contactId,
        groupId: Buffer.from(out.state.groupId),
        ciphersuite: out.state.suite.id,
        createdAt: this.deps.now(),
      });
      mls.commit(id, out, () => {
        this.syncMembers(id, out.state);
        outbox.enqueue({
          conversationId: id,
          messageId: null,
          recipient: peer,
          payload: encodeFrame({ kind: 'welcome', welcome, ratchetTree: tree }),
        });
      });
      return id;
    })();
    this.deps.kick();
    await this.publishProfile({ only: conversationId });
    this.deps.logger.log('info', 'messaging.dm_created', { conversation: conversationId });
    return conversationId;
  }

  /** A group with these contacts (every known device of each), this user as owner. */
  async createGroup(name: string, contactIds: number[]): Promise<number> {
    const { db, store, mls, outbox } = this.deps;
    const peers = [...new Set(contactIds.flatMap((id) => this.devicesOfContact(id)))];
    if (peers.length === 0)
      throw new ParleyError('INVALID_PARAMS', 'A group needs at least one contact device.');
    const keyPackages = await Promise.all(peers.map((p) => this.fetchKeyPackage(p)));
    const group = await createGroup(this.deps.device, { name, now: this.deps.now() });
    const out = await addMembers(group, keyPackages);
    const welcome = out.welcome;
    if (!welcome) throw new ParleyError('INTERNAL', 'No Welcome for the new group.');
    const payload = encodeFrame({ kind: 'welcome', welcome, ratchetTree: exportRatchetTree(out.state) });
    const conversationId = db.transaction(() => {
      const id = store.conversations.create({
        kind: 'group',
        name,
        groupId: Buffer.from(out.state.groupId),
        ciphersuite: out.state.suite.id,
        createdAt: this.deps.now(),
      });
      mls.commit(id, out, () => {
        this.syncMembers(id, out.state);
        for (const peer of peers)
          outbox.enqueue({ conversationId: id, messageId: null, recipient: peer, payload });
      });
      return id;
    })();
    this.deps.kick();
    await this.publishProfile({ only: conversationId });
    this.deps.logger.log('info', 'messaging.group_created', {
      conversation: conversationId,
      devices: peers.length,
    });
    return conversationId;
  }

  // --- group changes (groupOps.ts; serialized per conversation) ---------------

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

  /** Refreshes this device's keys in a group (also done periodically, groupOps.ts). */
  selfUpdate(conversationId: number): Promise<GroupAck> {
    return this.groups.selfUpdate(conversationId);
  }

  /** Sends a text: MLS-encrypted once, one envelope per other device, stored 'pending' with it. */
  async sendText(
    conversationId: number,
    text: string,
    options: { replyToUid?: string; mentions?: string[] } = {},
  ): Promise<Message> {
    if (text.length === 0 || text.length > MAX_TEXT_CHARS) {
      throw new ParleyError('INVALID_PARAMS', `A message is 1 to ${MAX_TEXT_CHARS} characters.`);
    }
    const uid = randomBytes(16).toString('hex');
    const sentAt = this.deps.now();
    const content: Content = {
      v: CONTENT_VERSION,
      type: 'text',
      uid,
      sentAt,
      body: text,
      ...(options.replyToUid ? { replyToUid: options.replyToUid } : {}),
      ...(options.mentions?.length
        ? { mentions: mentionsForText(this.deps, conversationId, options.mentions) }
        : {}),
    };
    const messageId = await this.sendContent(conversationId, content, (recipients) => {
      return this.deps.store.messages.insert({
        conversationId,
        uid,
        senderKey: Buffer.from(this.deps.identity.publicKey),
        outgoing: true,
        body: text,
        replyToUid: options.replyToUid ?? null,
        mentions: content.mentions ?? null,
        sentAt,
        receivedAt: sentAt,
        state: recipients > 0 ? 'pending' : 'delivered',
      }).id;
    });
    const message = messageId === null ? null : this.deps.store.messages.get(messageId);
    if (!message) throw new ParleyError('INTERNAL', 'The message was not stored.');
    return message;
  }

  /** Sends a `file` message; core/files builds it and writes its rows in `row` (same transaction). */
  sendFileContent(
    conversationId: number,
    content: Extract<Content, { type: 'file' }>,
    row: (recipients: number) => number,
  ): Promise<number | null> {
    return this.sendContent(conversationId, content, row);
  }

  /**
   * Tells conversations who we are to them: display name, seal key and relay
   * list (our contacts' devices). Sent when a conversation starts and when our
   * contacts change.
   */
  async publishProfile(scope: { only?: number; except?: number } = {}): Promise<void> {
    const card = this.deps.profileCard?.();
    const content: Content = {
      v: CONTENT_VERSION,
      type: 'profile',
      displayName: card?.displayName ?? this.deps.identity.displayName,
      sealPublicKey: Buffer.from(this.deps.sealPublicKey).toString('base64url'),
      relays: this.deps.directory.ownRelays(),
      addresses: this.deps.net.addresses().slice(0, 16),
    };
    // Status and avatar are for contacts only: the card goes into DMs with a
    // contact, never into groups, whose other members may be strangers.
    const withCard: Content | null = card ? { ...content, card: cardToJson(card) } : null;
    const ids =
      scope.only !== undefined
        ? [scope.only]
        : (
            this.deps.db
              .prepare(
                `SELECT c.id FROM conversations c JOIN mls_groups g ON g.conversation_id = c.id
                 WHERE c.left_at IS NULL ORDER BY c.id`,
              )
              .all() as { id: number }[]
          )
            .map((r) => r.id)
            .filter((id) => id !== scope.except);
    for (const id of ids) {
      if (this.stopped) return;
      try {
        const peers = this.memberHints(id);
        const forThis = withCard && this.isContactDm(id) ? withCard : content;
        await this.sendContent(id, peers.length > 0 ? { ...forThis, peers } : forThis);
      } catch (err) {
        this.deps.logger.log('warn', 'messaging.profile_failed', { conversation: id, ...errorFields(err) });
      }
    }
  }

  // --- receiving ------------------------------------------------------------

  async receive(
    envelope: InboundEnvelope & { via: Via },
    markSeen: () => void,
  ): Promise<'accepted' | 'duplicate' | 'rejected'> {
    const frame = decodeFrame(envelope.payload);
    if (!frame) return 'rejected';
    if (frame.kind === 'welcome') return this.receiveWelcome(frame.welcome, frame.ratchetTree, markSeen);
    const conversationId = this.deps.mls.conversationOf(frame.groupId);
    // Perhaps its Welcome has not arrived yet (another sender, another holder).
    if (conversationId === null) throw new Transient('message for a group we have not joined (yet)');
    return this.lock.run(String(conversationId), () =>
      this.groups.receive(conversationId, frame.message, markSeen, envelope.from),
    );
  }

  /**
   * The effects of one application message from `sender`, inside the
   * transaction that stores the group state it was decrypted with. Work to do
   * only after that transaction committed goes to `afterCommit`.
   */
  private applyApplication(
    conversationId: number,
    sender: { peerId: string; identityKey: Uint8Array },
    plaintext: Uint8Array,
    now: number,
    afterCommit: (() => void)[],
  ): void {
    const content = decodeContent(plaintext);
    if (content === null || content === 'unknown') return;
    if (isRichContent(content)) {
      this.rich.apply(conversationId, sender, content, now, afterCommit);
    } else if (content.type === 'text') {
      const stored = this.deps.store.messages.insert({
        conversationId,
        uid: content.uid,
        senderKey: Buffer.from(sender.identityKey),
        outgoing: false,
        body: content.body,
        replyToUid: content.replyToUid ?? null,
        mentions: content.mentions ?? null,
        sentAt: content.sentAt,
        receivedAt: now,
        state: 'received',
      });
      if (stored.inserted)
        this.rich.afterMessage({ ...stored, uid: content.uid, conversationId }, sender, now, afterCommit);
    } else if (content.type === 'timer') {
      receiveTimer(this.deps.store, this.deps.logger, conversationId, sender, content, now);
    } else if (content.type === 'file') {
      const after = this.deps.files?.applyIncoming(conversationId, sender, content, now);
      if (after) afterCommit.push(after);
    } else {
      const dial = this.applyProfile(sender.peerId, sender.identityKey, content);
      if (dial) afterCommit.push(dial);
      if (content.peers)
        afterCommit.push(...this.applyMemberHints(conversationId, sender.peerId, content.peers));
    }
  }

  /**
   * What this device knows of how to reach the other members of a group
   * (ProfileContent.peers): empty for a DM, whose two members reach each
   * other already.
   */
  private memberHints(conversationId: number): NonNullable<Extract<Content, { type: 'profile' }>['peers']> {
    const rows = this.deps.db
      .prepare(
        `SELECT d.peer_id, d.addresses, d.seal_public FROM conversations c
         JOIN members m ON m.conversation_id = c.id
         JOIN devices d ON d.identity_key = m.identity_key
         WHERE c.id = ? AND c.kind = 'group' AND d.peer_id != ?
         ORDER BY d.peer_id LIMIT ?`,
      )
      .all(conversationId, this.deps.net.peerId, MAX_PROFILE_PEERS) as {
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

  /**
   * Takes a member's hints about the other members' devices (inside the
   * caller's transaction): only for PeerIds that are members of this group
   * per its MLS state (their leaves, synced to `members`/`devices`); a seal
   * key only while none is known; addresses only while none are known (a
   * device's own profile is first-hand and wins). Returns the dials to make
   * after the commit, so the delivery loop can reach those devices.
   */
  private applyMemberHints(
    conversationId: number,
    from: string,
    peers: NonNullable<Extract<Content, { type: 'profile' }>['peers']>,
  ): (() => void)[] {
    const dials: (() => void)[] = [];
    for (const hint of peers) {
      if (hint.peerId === this.deps.net.peerId || hint.peerId === from) continue;
      const member = this.deps.db
        .prepare(
          `SELECT d.identity_key, d.addresses, d.seal_public FROM devices d
           JOIN members m ON m.identity_key = d.identity_key AND m.conversation_id = ?
           WHERE d.peer_id = ?`,
        )
        .get(conversationId, hint.peerId) as
        { identity_key: Buffer; addresses: string; seal_public: Buffer | null } | undefined;
      if (!member) continue;
      const seal = hint.sealPublicKey ? Buffer.from(hint.sealPublicKey, 'base64url') : null;
      const addresses = hint.addresses.filter((a) => a.startsWith('/'));
      const knownAddresses = member.addresses !== '[]' && member.addresses !== '';
      this.deps.directory.upsertDevice({
        peerId: hint.peerId,
        identityKey: member.identity_key,
        ...(!knownAddresses && addresses.length > 0 ? { addresses } : {}),
        ...(!member.seal_public && seal?.length === SEAL_PUBLIC_KEY_BYTES
          ? { sealPublicKey: new Uint8Array(seal) }
          : {}),
      });
      if (!knownAddresses && addresses.length > 0 && !this.deps.net.isConnected(hint.peerId)) {
        dials.push(() => this.track(this.deps.net.keepConnected(hint.peerId, addresses)));
      }
    }
    return dials;
  }

  /**
   * Records a device's profile (inside the caller's transaction). Returns, for
   * a contact's device that told us its addresses, the dial to make once the
   * transaction committed.
   */
  private applyProfile(
    peerId: string,
    identityKey: Uint8Array,
    profile: Extract<Content, { type: 'profile' }>,
  ): (() => void) | null {
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
    this.deps.db
      .prepare('UPDATE devices SET name = ? WHERE peer_id = ? AND name IS NOT ?')
      .run(profile.displayName, peerId, profile.displayName);
    this.deps.directory.setRelays(
      peerId,
      profile.relays.filter((r) => r !== peerId),
    );
    if (card) {
      // Only a newer card replaces the cached one (a replayed old card changes nothing).
      this.deps.db
        .prepare(
          `UPDATE contacts SET display_name = ?, status_text = ?, avatar = ?, profile_version = ?, updated_at = ?
           WHERE identity_key = ? AND profile_version < ?`,
        )
        .run(
          card.displayName,
          card.statusText,
          card.avatar ? Buffer.from(card.avatar) : null,
          card.version,
          this.deps.now(),
          Buffer.from(identityKey),
          card.version,
        );
    } else {
      // A profile without a card (a group, an older build) names the user only until a card arrived.
      this.deps.db
        .prepare(
          `UPDATE contacts SET display_name = ?, updated_at = ?
           WHERE identity_key = ? AND display_name != ? AND profile_version = 0`,
        )
        .run(profile.displayName, this.deps.now(), Buffer.from(identityKey), profile.displayName);
    }
    if (!addresses || addresses.length === 0 || !this.deps.directory.isHolder(peerId)) return null;
    return () => this.track(this.deps.net.keepConnected(peerId, addresses));
  }

  private async receiveWelcome(
    welcome: Uint8Array,
    ratchetTree: Uint8Array,
    markSeen: () => void,
  ): Promise<'accepted' | 'duplicate' | 'rejected'> {
    const { pool, mls, db, store } = this.deps;
    let found: ReturnType<KeyPackagePool['findForWelcome']>;
    let joined: Awaited<ReturnType<typeof joinGroup>>;
    try {
      found = pool.findForWelcome(welcome);
      joined = await joinGroup(this.deps.device, welcome, found.material, ratchetTree);
    } catch (err) {
      if (isMlsRejection(err, 'replay')) return 'duplicate';
      if (isMlsRejection(err)) {
        this.deps.logger.log('warn', 'messaging.welcome_rejected', { reason: err.reason });
        return 'rejected';
      }
      throw err;
    }
    const state = joined.state;
    if (mls.conversationOf(state.groupId) !== null) return 'duplicate';
    const others = state.members.filter((m) => !m.isSelf);
    // A credential naming a known device under another identity key: recorded as a key change (TOFU).
    for (const m of others) this.deps.directory.checkIdentity(m.peerId, m.identityKey);
    // Consent: we join only groups that one of our contacts is in.
    const contactIds = others
      .map((m) => this.contactIdOf(m.identityKey))
      .filter((id): id is number => id !== null);
    const otherUsers = new Set(others.map((m) => Buffer.from(m.identityKey).toString('hex')));
    if (contactIds.length === 0 || (state.kind === 'dm' && otherUsers.size !== 1)) {
      this.deps.logger.log('warn', 'messaging.welcome_refused', { kind: state.kind });
      return 'rejected';
    }
    const conversationId = db.transaction(() => {
      const id = store.conversations.create({
        kind: state.kind,
        name: state.kind === 'group' ? state.name : null,
        contactId: state.kind === 'dm' ? (contactIds[0] ?? null) : null,
        groupId: Buffer.from(state.groupId),
        ciphersuite: state.suite.id,
        createdAt: this.deps.now(),
      });
      mls.commitJoin(id, joined, pool, found.ref, () => {
        this.syncMembers(id, state);
        markSeen();
      });
      return id;
    })();
    this.deps.logger.log('info', 'messaging.joined', { conversation: conversationId, kind: state.kind });
    this.replenish();
    // After the ack, not before: announcing ourselves needs no part of the join's transaction.
    this.track(this.publishProfile({ only: conversationId }));
    return 'accepted';
  }

  // --- helpers --------------------------------------------------------------

  /**
   * Encrypts content for a conversation and queues one envelope per other
   * device, with the new state and the caller's row in one transaction.
   * `row` gets the number of recipient devices and returns the message id.
   * Public for content types kept in their own files (timers.ts).
   */
  async sendContent(
    conversationId: number,
    content: Content,
    row?: (recipients: number) => number | null,
  ): Promise<number | null> {
    // A blocked or removed contact's DM is read-only for everything the user sends (profiles still go out).
    if (content.type !== 'profile') assertDmWritable(this.deps.db, conversationId);
    // Through the sequencer: a send in an epoch not yet accepted is kept to resend after a switch.
    return this.groups.send(conversationId, encodeContent(content), row);
  }

  /** Members (users, with roles) and their devices as known peers, from a group state. */
  private syncMembers(conversationId: number, state: MlsGroupState): void {
    const { db, directory } = this.deps;
    const now = this.deps.now();
    db.prepare('DELETE FROM members WHERE conversation_id = ?').run(conversationId);
    const insert = db.prepare(
      'INSERT OR IGNORE INTO members (conversation_id, identity_key, role, joined_at) VALUES (?, ?, ?, ?)',
    );
    for (const m of state.members) {
      insert.run(conversationId, Buffer.from(m.identityKey), m.role, now);
      if (!m.isSelf) directory.upsertDevice({ peerId: m.peerId, identityKey: m.identityKey });
    }
  }

  /** The user's display name now (the profile card's, which follows renames). */
  private ownName(): string {
    return this.deps.profileCard?.().displayName ?? this.deps.identity.displayName;
  }

  /**
   * A DM with a contact (not blocked, not removed): the only conversations a
   * profile card goes to. Someone the user removed keeps the history but is
   * no contact any more, so no longer sees status or picture updates.
   */
  private isContactDm(conversationId: number): boolean {
    return (
      this.deps.db
        .prepare(
          `SELECT 1 FROM conversations c JOIN contacts k ON k.id = c.contact_id
           WHERE c.id = ? AND c.kind = 'dm' AND k.blocked = 0 AND k.removed_at IS NULL`,
        )
        .get(conversationId) !== undefined
    );
  }

  private devicesOfContact(contactId: number): string[] {
    return (
      this.deps.db
        .prepare(
          `SELECT d.peer_id FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
           WHERE c.id = ? AND c.blocked = 0 AND d.peer_id != ? ORDER BY d.created_at, d.peer_id`,
        )
        .all(contactId, this.deps.net.peerId) as { peer_id: string }[]
    ).map((r) => r.peer_id);
  }

  private contactIdOf(identityKey: Uint8Array): number | null {
    const r = this.deps.db
      .prepare('SELECT id FROM contacts WHERE identity_key = ? AND blocked = 0 AND removed_at IS NULL')
      .get(Buffer.from(identityKey)) as { id: number } | undefined;
    return r?.id ?? null;
  }

  private async fetchKeyPackage(peer: string): Promise<Uint8Array> {
    const kp = await this.deps.net.keyPackages.fetch(peer);
    if (!kp) throw new ParleyError('INVALID_STATE', 'That device has no KeyPackage to hand out right now.');
    // The package must be certified for the device we asked, by the identity we know it as:
    // a device must not slip another user into a group under a contact's name.
    const certified = keyPackageDevice(kp);
    const known = this.deps.directory.device(peer);
    if (
      !certified ||
      certified.peerId !== peer ||
      !known ||
      !Buffer.from(known.identityKey).equals(Buffer.from(certified.identityKey))
    ) {
      this.deps.logger.log('warn', 'messaging.key_package_mismatch', { peer: peerTag(peer) });
      throw new ParleyError('INVALID_STATE', 'That device handed out a KeyPackage that is not its own.');
    }
    return kp;
  }

  private track(p: Promise<void>): void {
    const guarded = p.catch((err: unknown) =>
      this.deps.logger.log('warn', 'messaging.background_failed', errorFields(err)),
    );
    this.background.add(guarded);
    void guarded.finally(() => this.background.delete(guarded));
  }
}
