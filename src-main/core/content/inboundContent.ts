import type { ProfileReceiver } from '../contacts/profileReceiver';
import type { Store } from '../store/store';
import type { Logger } from '../util/logger';
import { decodeContent, type Content } from './content';
import { isRichContent } from './richContent';
import type { RichMessaging } from './richMessaging';
import { receiveTimer } from './timers';
import { applySync, type SyncApplied } from './selfSync';

/** Who sent an application message: its device and the identity key its MLS credential names. */
export interface ContentOrigin {
  peerId: string;
  identityKey: Uint8Array;
}

/**
 * Where an incoming `file` message goes (core/files' FileService): its rows,
 * inside the receive transaction; returns work for after the commit.
 */
export interface IncomingFiles {
  applyIncoming(
    conversationId: number,
    sender: ContentOrigin,
    content: Extract<Content, { type: 'file' }>,
    now: number,
  ): (() => void) | null;
}

export interface InboundContentDeps {
  store: Store;
  logger: Logger;
  rich: Pick<RichMessaging, 'apply' | 'afterMessage'>;
  profiles: Pick<ProfileReceiver, 'applyProfile' | 'applyMemberHints'>;
  files?: IncomingFiles;
  /** This person's identity key (read from the store when not given). */
  selfKey?: Uint8Array;
  /** After a sync message of the self group changed something (§13.6): the shells' events. */
  onSyncApplied?: (what: Exclude<SyncApplied, null>) => void;
}

/**
 * The inbound router: what one decrypted application message does. Group
 * code (groups/groupSteps.ts) calls down into it, inside the transaction
 * that stores the group state the message was decrypted with (DESIGN.md §1
 * rule 6); work that must wait for that commit goes to `afterCommit`.
 * Content this build does not know is dropped here, the MLS state still
 * advances (docs/protocol.md §8).
 */
export class InboundContent {
  private self: Buffer | null;

  constructor(private readonly deps: InboundContentDeps) {
    this.self = deps.selfKey ? Buffer.from(deps.selfKey) : null;
  }

  /**
   * Sent by another device of this person (docs/protocol.md §13.6): own
   * devices are members of every group, so what one sends reaches the others
   * as an application message whose MLS sender names our own identity key.
   */
  private fromOwnDevice(sender: ContentOrigin): boolean {
    this.self ??= this.deps.store.self().publicKey;
    return this.self.equals(Buffer.from(sender.identityKey));
  }

  apply(
    conversationId: number,
    sender: ContentOrigin,
    plaintext: Uint8Array,
    now: number,
    afterCommit: (() => void)[],
  ): void {
    const { store, rich } = this.deps;
    // §13.8 step 3: a device its person's list removed says nothing more, in any
    // group whose Remove commit has not arrived yet (application messages change
    // no group state, so refusing them here is a local rule every member may keep).
    if (store.deviceLists.isRemoved(sender.peerId)) {
      this.deps.logger.log('warn', 'content.from_removed_device', { conversationId });
      return;
    }
    // §13.6: the self group carries sync messages of one's own devices (and their profiles), nothing else.
    if (store.conversations.isSelfGroup(conversationId)) {
      this.applySelf(conversationId, sender, plaintext, now, afterCommit);
      return;
    }
    // A `sync.*` type anywhere else is not one this router knows: 'unknown', dropped.
    const content = decodeContent(plaintext);
    if (content === null || content === 'unknown') return;
    if (isRichContent(content)) {
      rich.apply(conversationId, sender, content, now, afterCommit);
    } else if (content.type === 'text') {
      // Ours, from another of our devices: shown as sent by us (receipts of others move it on).
      const own = this.fromOwnDevice(sender);
      const stored = store.messages.insert({
        conversationId,
        uid: content.uid,
        senderKey: Buffer.from(sender.identityKey),
        outgoing: own,
        body: content.body,
        replyToUid: content.replyToUid ?? null,
        mentions: content.mentions ?? null,
        sentAt: content.sentAt,
        receivedAt: now,
        state: own ? 'sent' : 'received',
      });
      if (stored.inserted)
        rich.afterMessage({ ...stored, uid: content.uid, conversationId }, sender, now, afterCommit);
    } else if (content.type === 'timer') {
      receiveTimer(store, this.deps.logger, conversationId, sender, content, now, this.fromOwnDevice(sender));
    } else if (content.type === 'file') {
      const after = this.deps.files?.applyIncoming(conversationId, sender, content, now);
      if (after) afterCommit.push(after);
    } else {
      this.applyProfile(conversationId, sender, content, afterCommit);
    }
  }

  private applySelf(
    conversationId: number,
    sender: ContentOrigin,
    plaintext: Uint8Array,
    now: number,
    afterCommit: (() => void)[],
  ): void {
    const content = decodeContent(plaintext);
    if (content !== null && content !== 'unknown' && content.type === 'profile') {
      // Own devices learn each other's seal key, relays and addresses like any member's.
      if (this.fromOwnDevice(sender)) this.applyProfile(conversationId, sender, content, afterCommit);
      return;
    }
    this.self ??= this.deps.store.self().publicKey;
    const verdict = applySync(this.deps.store, this.deps.logger, this.self, sender, plaintext, now);
    const notify = this.deps.onSyncApplied;
    if ('applied' in verdict && verdict.applied !== null && notify) {
      const what = verdict.applied;
      afterCommit.push(() => notify(what));
    }
  }

  private applyProfile(
    conversationId: number,
    sender: ContentOrigin,
    content: Extract<Content, { type: 'profile' }>,
    afterCommit: (() => void)[],
  ): void {
    const dial = this.deps.profiles.applyProfile(sender.peerId, sender.identityKey, content);
    if (dial) afterCommit.push(dial);
    if (content.peers) {
      afterCommit.push(...this.deps.profiles.applyMemberHints(conversationId, sender.peerId, content.peers));
    }
  }
}
