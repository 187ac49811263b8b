import type { PendingContentRepository } from '../store/repositories/pendingContentRepository';
import type { Store } from '../store/store';
import type { Message } from '../store/repositories/types';
import type { Logger } from '../util/logger';
import type { ChatPreferences } from './chatPreferences';
import { Content, type RichContent } from './content';

/**
 * What reactions, edits, deletes, read receipts and typing do when they
 * arrive (issue #6 item 1). Everything here runs inside the transaction that
 * stores the MLS state the content was decrypted with (DESIGN.md §1 rule 6),
 * so an effect and its group state commit or roll back together; what must
 * wait for the commit (UI events, typing timers) is returned as effects.
 *
 * Hostile content is refused without touching anything: an edit or delete of
 * someone else's message (MLS authenticates the sender, RFC 9420 §6.1, so
 * the sender's identity key is trustworthy and content never names its
 * author), content naming a message of another conversation, more than
 * MAX_REACTIONS_PER_USER emoji per user on one message. Malformed content
 * never gets here (decodeContent answers null and the message is dropped,
 * its MLS state still committed so the ratchet moves on).
 *
 * Content naming a message we do not have yet is kept (pending_content,
 * migration 0010) and applied when that message arrives: a member receives
 * each sender's messages in order, but not different senders' messages in
 * order (Bob's reaction can overtake Ada's message, held by a mailbox).
 * Dropping it would lose it for good; it is bounded per conversation and in
 * time instead.
 */

export type RichEffect =
  | { kind: 'changed'; conversationId: number }
  | { kind: 'typing'; conversationId: number; senderKey: Buffer; typing: boolean }
  /** Attachment files (relative to the attachments folder) to delete once the transaction committed. */
  | { kind: 'files'; paths: string[] };

/** Content that may wait for its message at most this long (the mailbox TTL ceiling). */
export const PENDING_TTL_MS = 14 * 24 * 3600_000;
/** Waiting content kept per conversation; the oldest goes first beyond this. */
export const MAX_PENDING_PER_CONVERSATION = 1_000;
/** Different emoji one user may put on one message. */
export const MAX_REACTIONS_PER_USER = 20;

const RICH_TYPES: ReadonlySet<string> = new Set(['reaction', 'edit', 'delete', 'receipt', 'typing']);

export function isRichContent(c: Content): c is RichContent {
  return RICH_TYPES.has(c.type);
}

export interface RichReceiveContext {
  pending: PendingContentRepository;
  store: Store;
  logger: Logger;
  /** This user's identity key. */
  selfKey: Buffer;
  preferences: () => ChatPreferences;
}

type Targeted = Exclude<RichContent, { type: 'typing' }>;

const targetOf = (c: Targeted): string => (c.type === 'receipt' ? c.upToUid : c.targetUid);

/**
 * Applies one piece of rich content from `senderKey` in `conversationId`
 * (inside the caller's transaction). `now` is our clock.
 */
export function applyRichContent(
  ctx: RichReceiveContext,
  conversationId: number,
  senderKey: Buffer,
  content: RichContent,
  now: number,
): RichEffect[] {
  if (content.type === 'typing') {
    return [{ kind: 'typing', conversationId, senderKey, typing: content.typing }];
  }
  if (content.type === 'receipt' && !ctx.preferences().readReceipts) return [];
  const target = ctx.store.messages.getByUid(targetOf(content));
  if (!target) {
    keepPending(ctx, conversationId, senderKey, content, now);
    return [];
  }
  if (target.conversationId !== conversationId) {
    reject(ctx, conversationId, content.type, 'other-conversation');
    return [];
  }
  return applyToTarget(ctx, conversationId, senderKey, content, target, now);
}

/**
 * A message just arrived: applies what was waiting for it, in arrival order
 * (inside the caller's transaction).
 */
export function applyPendingFor(
  ctx: RichReceiveContext,
  message: Pick<Message, 'id' | 'uid' | 'conversationId'>,
  now: number,
): RichEffect[] {
  const rows = ctx.pending.forTarget(message.uid);
  if (rows.length === 0) return [];
  ctx.pending.dropForTarget(message.uid);
  const effects: RichEffect[] = [];
  for (const row of rows) {
    if (row.conversationId !== message.conversationId) {
      reject(ctx, row.conversationId, 'pending', 'other-conversation');
      continue;
    }
    const parsed = Content.safeParse(safeJson(row.content));
    if (!parsed.success || !isRichContent(parsed.data) || parsed.data.type === 'typing') continue;
    if (parsed.data.type === 'receipt' && !ctx.preferences().readReceipts) continue;
    // Re-read each time: an earlier pending edit or delete may have changed it.
    const target = ctx.store.messages.get(message.id);
    if (!target) break;
    effects.push(...applyToTarget(ctx, message.conversationId, row.senderKey, parsed.data, target, now));
  }
  return effects;
}

function applyToTarget(
  ctx: RichReceiveContext,
  conversationId: number,
  senderKey: Buffer,
  content: Targeted,
  target: Message,
  now: number,
): RichEffect[] {
  const { messages } = ctx.store;
  const changed: RichEffect[] = [{ kind: 'changed', conversationId }];
  switch (content.type) {
    case 'reaction': {
      if (target.deletedAt !== null || target.kind === 'system') return [];
      if (content.on) {
        const mine = messages.reactions(target.id).filter((r) => r.reactorKey.equals(senderKey));
        if (mine.some((r) => r.emoji === content.emoji)) return [];
        if (mine.length >= MAX_REACTIONS_PER_USER) {
          reject(ctx, conversationId, 'reaction', 'too-many-reactions');
          return [];
        }
        messages.addReaction(target.id, senderKey, content.emoji, Math.min(content.sentAt, now));
      } else {
        messages.removeReaction(target.id, senderKey, content.emoji);
      }
      return changed;
    }
    case 'edit': {
      if (!target.senderKey.equals(senderKey)) {
        reject(ctx, conversationId, 'edit', 'not-author');
        return [];
      }
      if (target.deletedAt !== null || target.body === null) return [];
      const at = Math.min(content.sentAt, now);
      // A stale or repeated edit (history keeps one entry per replacement time).
      if (target.editedAt !== null && at <= target.editedAt) return [];
      messages.edit(target.uid, senderKey, content.body, Math.max(at, target.sentAt + 1));
      messages.setMentions(target.id, content.mentions ?? null);
      return changed;
    }
    case 'delete': {
      if (!target.senderKey.equals(senderKey)) {
        reject(ctx, conversationId, 'delete', 'not-author');
        return [];
      }
      if (target.deletedAt !== null) return [];
      // The text leaves the search index with it (FTS triggers of migration 0003).
      const { files } = messages.deleteForEveryone(target.uid, senderKey, Math.min(content.sentAt, now));
      ctx.pending.dropForTarget(target.uid);
      return files.length > 0 ? [...changed, { kind: 'files', paths: files }] : changed;
    }
    case 'receipt': {
      // Another of our own devices read it: that is not "read by the other members" (§13.6).
      if (senderKey.equals(ctx.selfKey)) return [];
      // Our messages up to where the reader has read (in their timeline, the target's position in ours).
      messages.recordRead(
        conversationId,
        senderKey,
        { sentAt: target.sentAt, id: target.id },
        Math.min(content.readAt, now),
        ctx.selfKey,
      );
      return changed;
    }
  }
}

function keepPending(
  ctx: RichReceiveContext,
  conversationId: number,
  senderKey: Buffer,
  content: Targeted,
  now: number,
): void {
  const { pending } = ctx;
  pending.dropOlder(conversationId, now - PENDING_TTL_MS);
  const n = pending.count(conversationId);
  if (n >= MAX_PENDING_PER_CONVERSATION) {
    pending.dropOldest(conversationId, n - MAX_PENDING_PER_CONVERSATION + 1);
    ctx.logger.log('warn', 'messaging.pending_content_dropped', { conversation: conversationId });
  }
  pending.add(conversationId, targetOf(content), senderKey, JSON.stringify(content), now);
}

function reject(ctx: RichReceiveContext, conversationId: number, type: string, reason: string): void {
  // Event name, conversation and reason only: never content (DESIGN.md §3).
  ctx.logger.log('warn', 'messaging.rich_rejected', { conversation: conversationId, type, reason });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
