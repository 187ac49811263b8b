import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { ParleyError } from '../errors';
import type { ParleyNode } from '../net/parleyNode';
import type { ParleyProtocols } from '../net/parleyProtocols';
import { resolveInside } from '../store/disappearingSweeper';
import type { PendingContentRepository } from '../store/repositories/pendingContentRepository';
import type { Message } from '../store/repositories/types';
import type { Store } from '../store/store';
import { errorFields, type Logger } from '../util/logger';
import { readChatPreferences, type ChatPreferences } from './chatPreferences';
import {
  CONTENT_VERSION,
  EditContent,
  encodeContent,
  MAX_MENTIONS,
  MAX_TEXT_CHARS,
  ReactionContent,
  type Content,
  type RichContent,
} from './content';
import { applyPendingFor, applyRichContent, type RichEffect, type RichReceiveContext } from './richContent';

/**
 * Sending rich content (reactions, edits, deletes, read receipts, typing) and
 * turning received rich content into UI events (issue #6 item 1). The
 * receive-side effects on the store are in richContent.ts; MessagingService
 * owns one RichMessaging and hands it its send path.
 *
 * Every local effect of something we send (our reaction, our edit) is
 * written in the same transaction as the MLS state that encrypted it and its
 * outbox rows (through MessagingService.sendContent), so a crash keeps both
 * or neither.
 *
 * Typing is ephemeral: it is encrypted like any application message (its
 * MLS state is committed, the ratchet must not reuse a key) but sent straight
 * to the devices that are connected now, never through the outbox or a
 * mailbox: an indicator that arrives late is wrong, not useful. It is sent
 * only when EVERY other device is connected: each typing message spends one
 * generation of our sender ratchet (RFC 9420 §9.1), and a member that missed
 * a long run of them could fall past the receiver's forward-ratchet bound
 * (core/mls groupState.ts) and fail to read our next real message.
 */

/**
 * What rich messaging reads of the running messaging: its store,
 * identity, clock and log (MessagingService passes its own deps, a superset).
 * Declared here, not imported from runtime/, so content never reaches up.
 */
export interface RichDeps {
  store: Store;
  /** Typing indicators go straight to connected devices, never through the outbox. */
  net: Pick<ParleyNode, 'isConnected'> & { services: Pick<ParleyProtocols, 'deliver'> };
  identity: { publicKey: Uint8Array; displayName: string };
  logger: Logger;
  now: () => number;
}

/** What MessagingService lends: its send path and its per-conversation lock. */
export interface RichSendPort {
  /** MessagingService.sendContent: encrypt, queue an envelope per device, `row` in the same transaction. */
  send(
    conversationId: number,
    content: Content,
    row?: (recipients: number) => number | null,
  ): Promise<number | null>;
  /** Runs `fn` holding the conversation's lock (one group state at a time). */
  exclusive<T>(conversationId: number, fn: () => Promise<T>): Promise<T>;
  /** GroupOps.encryptEphemeral: encrypt through the group's sequencer without queueing. */
  encryptEphemeral(
    conversationId: number,
    plaintext: Uint8Array,
    ready: (recipients: string[]) => boolean,
  ): Promise<{ recipients: string[]; payload: Uint8Array } | null>;
}

export type RichEvent =
  { type: 'changed'; conversationId: number } | { type: 'typing'; conversationId: number; names: string[] };
export type RichListener = (event: RichEvent) => void;

/** A typing start is sent at most this often while the user keeps typing. */
export const TYPING_THROTTLE_MS = 3_000;
/** After this long without a keystroke, a stop is sent. */
export const TYPING_IDLE_MS = 5_000;
/** A receiver drops an indicator it has not seen refreshed for this long (a lost stop). */
export const TYPING_EXPIRY_MS = 6_000;
/** A typing message that has not reached a device by then is not worth waiting for. */
const TYPING_SEND_TIMEOUT_MS = 2_000;

interface Typer {
  lastStartAt: number;
  idle: ReturnType<typeof setTimeout> | null;
}

export class RichMessaging {
  private readonly listeners = new Set<RichListener>();
  /** Conversations we are typing in (sending side). */
  private readonly typing = new Map<number, Typer>();
  /** Who is typing, per conversation (receiving side): sender key hex → expiry timer. */
  private readonly typists = new Map<number, Map<string, ReturnType<typeof setTimeout>>>();
  /** The newest message each conversation's last receipt named, so one read sends one receipt. */
  private readonly receiptSent = new Map<number, { sentAt: number; id: number }>();
  private stopped = false;
  /** Rich content waiting for its target message (store/repositories/pendingContentRepository.ts). */
  private readonly pending: PendingContentRepository;

  constructor(
    private readonly deps: RichDeps,
    private readonly port: RichSendPort,
  ) {
    this.pending = deps.store.pendingContent;
  }

  on(listener: RichListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  preferences(): ChatPreferences {
    return readChatPreferences(this.deps.store.settings);
  }

  /** Clears every timer (called when messaging stops). */
  stop(): void {
    this.stopped = true;
    for (const t of this.typing.values()) if (t.idle) clearTimeout(t.idle);
    this.typing.clear();
    for (const m of this.typists.values()) for (const timer of m.values()) clearTimeout(timer);
    this.typists.clear();
  }

  // --- receiving (called from MessagingService.applyApplication) -------------

  /** Applies received rich content inside the receive transaction; events wait for the commit. */
  apply(
    conversationId: number,
    sender: { identityKey: Uint8Array },
    content: RichContent,
    now: number,
    afterCommit: (() => void)[],
  ): void {
    const effects = applyRichContent(
      this.context(),
      conversationId,
      Buffer.from(sender.identityKey),
      content,
      now,
    );
    if (effects.length > 0) afterCommit.push(() => this.emitEffects(effects));
  }

  /**
   * A text message was stored: applies what waited for it and ends its
   * sender's typing indicator (they sent what they typed).
   */
  afterMessage(
    message: Pick<Message, 'id' | 'uid' | 'conversationId'>,
    sender: { identityKey: Uint8Array },
    now: number,
    afterCommit: (() => void)[],
  ): void {
    const effects = applyPendingFor(this.context(), message, now);
    effects.push({
      kind: 'typing',
      conversationId: message.conversationId,
      senderKey: Buffer.from(sender.identityKey),
      typing: false,
    });
    afterCommit.push(() => this.emitEffects(effects));
  }

  /** Names of the people typing in a conversation now. */
  typingNames(conversationId: number): string[] {
    const m = this.typists.get(conversationId);
    if (!m || m.size === 0) return [];
    return [...m.keys()].map((hex) => this.nameOf(Buffer.from(hex, 'hex'))).sort();
  }

  // --- sending ---------------------------------------------------------------

  /** Adds (`on`) or takes back our reaction with `emoji` to a message. */
  async react(conversationId: number, messageId: number, emoji: string, on: boolean): Promise<void> {
    const target = this.ownConversationMessage(conversationId, messageId);
    if (target.deletedAt !== null) throw new ParleyError('INVALID_STATE', 'That message was deleted.');
    const parsed = ReactionContent.safeParse({
      v: CONTENT_VERSION,
      type: 'reaction',
      targetUid: target.uid,
      emoji,
      on,
      sentAt: this.deps.now(),
    });
    if (!parsed.success) throw new ParleyError('INVALID_PARAMS', 'A reaction is one emoji.');
    const self = this.selfKey();
    const mine = this.deps.store.messages.reactions(target.id).filter((r) => r.reactorKey.equals(self));
    const has = mine.some((r) => r.emoji === emoji);
    if (has === on) return;
    if (on && mine.length >= 20) {
      throw new ParleyError('INVALID_STATE', 'You have reacted to this message with enough emoji already.');
    }
    await this.port.send(conversationId, parsed.data, () => {
      if (on) this.deps.store.messages.addReaction(target.id, self, emoji, parsed.data.sentAt);
      else this.deps.store.messages.removeReaction(target.id, self, emoji);
      return null;
    });
    this.emit({ type: 'changed', conversationId });
  }

  /** Replaces the text of one of our messages; the previous text stays in its history. */
  async edit(
    conversationId: number,
    messageId: number,
    body: string,
    mentions: string[] = [],
  ): Promise<Message> {
    const target = this.ownConversationMessage(conversationId, messageId);
    if (!target.senderKey.equals(this.selfKey()))
      throw new ParleyError('INVALID_PARAMS', 'You can only edit your own messages.');
    if (target.deletedAt !== null || target.body === null)
      throw new ParleyError('INVALID_STATE', 'A deleted message cannot be edited.');
    if (body.trim().length === 0 || body.length > MAX_TEXT_CHARS)
      throw new ParleyError('INVALID_PARAMS', `A message is 1 to ${MAX_TEXT_CHARS} characters.`);
    if (body === target.body) return target;
    const editedAt = Math.max(this.deps.now(), (target.editedAt ?? target.sentAt) + 1);
    const parsed = EditContent.safeParse({
      v: CONTENT_VERSION,
      type: 'edit',
      targetUid: target.uid,
      body,
      ...(mentions.length > 0 ? { mentions: mentionsForText(this.deps, conversationId, mentions) } : {}),
      sentAt: editedAt,
    });
    if (!parsed.success) throw new ParleyError('INVALID_PARAMS', 'That edit is not valid.');
    const edit = parsed.data;
    await this.port.send(conversationId, edit, () => {
      this.deps.store.messages.edit(target.uid, this.selfKey(), body, editedAt);
      this.deps.store.messages.setMentions(target.id, edit.mentions ?? null);
      return null;
    });
    const updated = this.deps.store.messages.get(target.id);
    if (!updated) throw new ParleyError('INTERNAL', 'The message was not stored.');
    return updated;
  }

  /** Deletes one of our messages for everyone: its text, history, reactions and files go on every device. */
  async deleteForEveryone(conversationId: number, messageId: number): Promise<void> {
    const target = this.ownConversationMessage(conversationId, messageId);
    if (!target.senderKey.equals(this.selfKey()))
      throw new ParleyError('INVALID_PARAMS', 'You can only delete your own messages for everyone.');
    if (target.deletedAt !== null) return;
    const at = this.deps.now();
    let files: string[] = [];
    await this.port.send(
      conversationId,
      { v: CONTENT_VERSION, type: 'delete', targetUid: target.uid, sentAt: at },
      () => {
        files = this.deps.store.messages.deleteForEveryone(target.uid, this.selfKey(), at).files;
        return null;
      },
    );
    this.removeFiles(files);
  }

  /** Deletes messages on this device only (nothing is sent). */
  deleteForMe(conversationId: number, messageIds: number[]): void {
    for (const id of messageIds) this.ownConversationMessage(conversationId, id);
    this.removeFiles(this.deps.store.messages.deleteForMe(messageIds));
  }

  /**
   * The user has read the conversation (conversations.markRead): one receipt
   * naming the newest incoming message read, unless receipts are off or the
   * last receipt already covered it. Returns whether one was sent.
   */
  async markRead(conversationId: number): Promise<boolean> {
    if (this.stopped || !this.preferences().readReceipts) return false;
    const newest = this.deps.store.messages.newestReadIncoming(conversationId);
    if (!newest) return false;
    const last = this.receiptSent.get(conversationId);
    if (last && (last.sentAt > newest.sentAt || (last.sentAt === newest.sentAt && last.id >= newest.id)))
      return false;
    this.receiptSent.set(conversationId, { sentAt: newest.sentAt, id: newest.id });
    try {
      await this.port.send(conversationId, {
        v: CONTENT_VERSION,
        type: 'receipt',
        upToUid: newest.uid,
        readAt: this.deps.now(),
      });
    } catch (err) {
      this.receiptSent.delete(conversationId);
      throw err;
    }
    return true;
  }

  /**
   * The user is typing (true, on every keystroke) or stopped (false: sent,
   * cleared). A start goes out at most every TYPING_THROTTLE_MS; a stop after
   * TYPING_IDLE_MS without a keystroke. Nothing is sent when indicators are off.
   */
  async setTyping(conversationId: number, typing: boolean): Promise<void> {
    if (this.stopped) return;
    const now = this.deps.now();
    const typer = this.typing.get(conversationId) ?? { lastStartAt: 0, idle: null };
    if (typer.idle) clearTimeout(typer.idle);
    typer.idle = null;
    if (!typing) {
      this.typing.delete(conversationId);
      if (typer.lastStartAt > 0) await this.sendTyping(conversationId, false);
      return;
    }
    if (!this.preferences().typingIndicators) return;
    this.typing.set(conversationId, typer);
    typer.idle = setTimeout(() => {
      void this.setTyping(conversationId, false).catch((err: unknown) =>
        this.deps.logger.log('warn', 'messaging.typing_failed', errorFields(err)),
      );
    }, TYPING_IDLE_MS);
    typer.idle.unref?.();
    if (now - typer.lastStartAt < TYPING_THROTTLE_MS) return;
    typer.lastStartAt = now;
    await this.sendTyping(conversationId, true);
  }

  // --- helpers ---------------------------------------------------------------

  private async sendTyping(conversationId: number, typing: boolean): Promise<void> {
    const { net } = this.deps;
    const content: Content = { v: CONTENT_VERSION, type: 'typing', typing };
    // Everyone reachable now, or nobody (see the class comment).
    const ready = await this.port.encryptEphemeral(conversationId, encodeContent(content), (recipients) =>
      recipients.every((p) => net.isConnected(p)),
    );
    if (!ready) return;
    await Promise.allSettled(
      ready.recipients.map((peer) =>
        net.services.deliver.send(peer, new Uint8Array(randomBytes(16)), ready.payload, {
          signal: AbortSignal.timeout(TYPING_SEND_TIMEOUT_MS),
        }),
      ),
    );
  }

  private context(): RichReceiveContext {
    return {
      pending: this.pending,
      store: this.deps.store,
      logger: this.deps.logger,
      selfKey: this.selfKey(),
      preferences: () => this.preferences(),
    };
  }

  private emitEffects(effects: RichEffect[]): void {
    const changed = new Set<number>();
    for (const e of effects) {
      if (e.kind === 'changed') changed.add(e.conversationId);
      else if (e.kind === 'files') this.removeFiles(e.paths);
      else this.setTypist(e.conversationId, e.senderKey, e.typing);
    }
    for (const conversationId of changed) this.emit({ type: 'changed', conversationId });
  }

  /** Receiving side: someone started or stopped typing. */
  private setTypist(conversationId: number, senderKey: Buffer, typing: boolean): void {
    if (this.stopped) return;
    const hex = senderKey.toString('hex');
    const typists = this.typists.get(conversationId) ?? new Map<string, ReturnType<typeof setTimeout>>();
    const existing = typists.get(hex);
    if (existing) clearTimeout(existing);
    if (typing && this.preferences().typingIndicators) {
      const timer = setTimeout(() => this.setTypist(conversationId, senderKey, false), TYPING_EXPIRY_MS);
      timer.unref?.();
      typists.set(hex, timer);
    } else {
      if (!existing) return;
      typists.delete(hex);
    }
    if (typists.size > 0) this.typists.set(conversationId, typists);
    else this.typists.delete(conversationId);
    this.emit({ type: 'typing', conversationId, names: this.typingNames(conversationId) });
  }

  private removeFiles(paths: string[]): void {
    removeAttachmentFiles(this.deps.store, paths, this.deps.logger);
  }

  private emit(event: RichEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.deps.logger.log('warn', 'messaging.listener_failed', errorFields(err));
      }
    }
  }

  /** A message of this conversation, or INVALID_PARAMS. */
  private ownConversationMessage(conversationId: number, messageId: number): Message {
    const m = this.deps.store.messages.get(messageId);
    if (!m || m.conversationId !== conversationId)
      throw new ParleyError('INVALID_PARAMS', 'That message is not in this conversation.');
    if (m.kind === 'system') throw new ParleyError('INVALID_PARAMS', 'That is not a message you can change.');
    return m;
  }

  private selfKey(): Buffer {
    return Buffer.from(this.deps.identity.publicKey);
  }

  private nameOf(key: Buffer): string {
    return this.deps.store.contacts.nameOf(key) ?? 'Someone';
  }
}

/**
 * Deletes attachment files of deleted messages, after the commit that
 * removed their rows; paths outside the attachments folder are never touched.
 */
export function removeAttachmentFiles(
  store: Pick<Store, 'attachmentsDir'>,
  paths: string[],
  logger: Logger,
): void {
  for (const p of paths) {
    const full = resolveInside(store.attachmentsDir, p);
    if (!full) continue;
    rm(full, { force: true }).catch((err: unknown) =>
      logger.log('warn', 'messaging.attachment_delete_failed', errorFields(err)),
    );
  }
}

/** Mentions for a text or an edit: members of the conversation only, no duplicates, at most MAX_MENTIONS. */
export function mentionsForText(
  deps: Pick<RichDeps, 'store'>,
  conversationId: number,
  keys: string[],
): string[] {
  const members = new Set(deps.store.members.names(conversationId).map((m) => m.key));
  return [...new Set(keys.map((k) => k.toLowerCase()))].filter((k) => members.has(k)).slice(0, MAX_MENTIONS);
}
