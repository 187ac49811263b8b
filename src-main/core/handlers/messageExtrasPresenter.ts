import type { MessageExtras, MessageHistory } from '../../../src-shared/contract/areas/messages';
import { ParleyError } from '../errors';
import { parseMentions } from '../store/repositories/messageRepository';
import type { Store } from '../store/store';

/**
 * The presenter of what a chat row shows besides its MessageView (issue #7
 * item 3): reactions grouped by emoji with counts and whether one is ours,
 * the quoted original of a reply, the mentioned members; and a message's
 * versions and readers for its info panel. The rows come from
 * MessageExtrasRepository; the views (contract/areas/messages.ts) are made here,
 * at the api level.
 */

/** Characters of the original shown in a reply's quote. */
export const REPLY_EXCERPT_CHARS = 140;

export class MessageExtrasPresenter {
  constructor(
    private readonly store: Pick<Store, 'messageExtras' | 'identity'>,
    private readonly selfKey: () => Buffer,
  ) {}

  extras(conversationId: number, messageIds: number[]): MessageExtras[] {
    const ids = [...new Set(messageIds)];
    if (ids.length === 0) return [];
    const repo = this.store.messageExtras;
    const rows = repo.links(conversationId, ids);
    const reactions = repo.reactions(ids);
    const self = this.selfKey();
    const selfHex = self.toString('hex');
    const names = repo.contactNames();
    const nameOf = (hex: string): string =>
      hex === selfHex ? 'You' : (names.get(hex) ?? `Unknown (${hex.slice(0, 8)})`);
    const originalOf = repo.replyOriginals();
    return rows.map((row) => {
      const mine = reactions.filter((r) => r.messageId === row.id);
      const mentions = parseMentions(row.mentions);
      let reply: MessageExtras['reply'] = null;
      if (row.replyToUid) {
        const original = originalOf(row.replyToUid);
        const here = original && original.conversationId === conversationId ? original : undefined;
        reply = {
          uid: row.replyToUid,
          messageId: here?.id ?? null,
          senderName: here ? nameOf(here.senderKey.toString('hex')) : null,
          excerpt: here && here.body !== null && here.deletedAt === null ? excerpt(here.body) : null,
          deleted: here ? here.deletedAt !== null : false,
        };
      }
      return {
        messageId: row.id,
        reactions: groupReactions(
          mine.map((r) => ({ emoji: r.emoji, reactor: r.reactorKey.toString('hex') })),
          selfHex,
          nameOf,
        ),
        reply,
        mentions: mentions.map((key) => ({
          key,
          name: key === selfHex ? (this.store.identity.displayName() ?? 'You') : nameOf(key),
          self: key === selfHex,
        })),
        mentionsMe: mentions.includes(selfHex),
      };
    });
  }

  /** An edited message's versions, oldest first, and who read it. */
  history(conversationId: number, messageId: number): MessageHistory {
    const repo = this.store.messageExtras;
    const m = repo.text(messageId);
    if (!m || m.conversationId !== conversationId)
      throw new ParleyError('INVALID_PARAMS', 'That message is not in this conversation.');
    // Each history row is the text that was replaced at `replacedAt`; it was written at the previous time.
    const versions: MessageHistory['versions'] = [];
    let writtenAt = m.sentAt;
    for (const e of repo.edits(messageId)) {
      versions.push({ body: e.body, at: writtenAt });
      writtenAt = e.replacedAt;
    }
    if (m.body !== null) versions.push({ body: m.body, at: m.editedAt ?? writtenAt });
    const names = repo.contactNames();
    const readBy = repo.readers(messageId).map((r) => {
      const hex = r.memberKey.toString('hex');
      return { name: names.get(hex) ?? `Unknown (${hex.slice(0, 8)})`, at: r.at };
    });
    return { versions, readBy };
  }
}

/** Reactions grouped by emoji, in the order each emoji first appeared, with counts and ours flagged. */
export function groupReactions(
  reactions: { emoji: string; reactor: string }[],
  selfHex: string,
  nameOf: (hex: string) => string,
): MessageExtras['reactions'] {
  const groups = new Map<string, { count: number; mine: boolean; names: string[] }>();
  for (const r of reactions) {
    const g = groups.get(r.emoji) ?? { count: 0, mine: false, names: [] };
    g.count += 1;
    g.mine ||= r.reactor === selfHex;
    g.names.push(nameOf(r.reactor));
    groups.set(r.emoji, g);
  }
  return [...groups].map(([emoji, g]) => ({ emoji, ...g }));
}

function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > REPLY_EXCERPT_CHARS ? `${flat.slice(0, REPLY_EXCERPT_CHARS - 1)}…` : flat;
}
