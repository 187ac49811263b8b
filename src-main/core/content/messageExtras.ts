import type { MessageExtras, MessageHistory } from '../../../src-shared/contract/areas/chat';
import { ParleyError } from '../errors';
import type { Db } from '../store/encryptedDatabase';
import { parseMentions } from '../store/repositories/messageRepository';

/**
 * What a chat row shows besides its MessageView (issue #7 item 3): reactions
 * grouped by emoji with counts and whether one is ours, the quoted original
 * of a reply, the mentioned members. Read for a page of rows at once: a few
 * queries for the page, plus one lookup by unique uid per reply.
 */

/** Characters of the original shown in a reply's quote. */
export const REPLY_EXCERPT_CHARS = 140;

export class MessageExtrasReader {
  constructor(
    private readonly db: Db,
    private readonly selfKey: () => Buffer,
  ) {}

  extras(conversationId: number, messageIds: number[]): MessageExtras[] {
    const ids = [...new Set(messageIds)];
    if (ids.length === 0) return [];
    const marks = ids.map(() => '?').join(',');
    const rows = this.db
      .prepare(
        `SELECT id, reply_to_uid, mentions FROM messages WHERE conversation_id = ? AND id IN (${marks})`,
      )
      .all(conversationId, ...ids) as { id: number; reply_to_uid: string | null; mentions: string | null }[];
    const reactions = this.db
      .prepare(
        `SELECT message_id, emoji, reactor_key FROM reactions WHERE message_id IN (${marks})
         ORDER BY created_at, emoji`,
      )
      .all(...ids) as { message_id: number; emoji: string; reactor_key: Buffer }[];
    const self = this.selfKey();
    const selfHex = self.toString('hex');
    const names = this.names();
    const nameOf = (hex: string): string =>
      hex === selfHex ? 'You' : (names.get(hex) ?? `Unknown (${hex.slice(0, 8)})`);
    const replyStmt = this.db.prepare(
      'SELECT id, conversation_id, sender_key, body, deleted_at FROM messages WHERE uid = ?',
    );
    return rows.map((row) => {
      const mine = reactions.filter((r) => r.message_id === row.id);
      const mentions = parseMentions(row.mentions);
      let reply: MessageExtras['reply'] = null;
      if (row.reply_to_uid) {
        const original = replyStmt.get(row.reply_to_uid) as
          | {
              id: number;
              conversation_id: number;
              sender_key: Buffer;
              body: string | null;
              deleted_at: number | null;
            }
          | undefined;
        const here = original && original.conversation_id === conversationId ? original : undefined;
        reply = {
          uid: row.reply_to_uid,
          messageId: here?.id ?? null,
          senderName: here ? nameOf(here.sender_key.toString('hex')) : null,
          excerpt: here && here.body !== null && here.deleted_at === null ? excerpt(here.body) : null,
          deleted: here ? here.deleted_at !== null : false,
        };
      }
      return {
        messageId: row.id,
        reactions: groupReactions(
          mine.map((r) => ({ emoji: r.emoji, reactor: r.reactor_key.toString('hex') })),
          selfHex,
          nameOf,
        ),
        reply,
        mentions: mentions.map((key) => ({
          key,
          name: key === selfHex ? this.selfName() : nameOf(key),
          self: key === selfHex,
        })),
        mentionsMe: mentions.includes(selfHex),
      };
    });
  }

  /** An edited message's versions, oldest first, and who read it. */
  history(conversationId: number, messageId: number): MessageHistory {
    const m = this.db
      .prepare('SELECT body, sent_at, edited_at, conversation_id FROM messages WHERE id = ?')
      .get(messageId) as
      { body: string | null; sent_at: number; edited_at: number | null; conversation_id: number } | undefined;
    if (!m || m.conversation_id !== conversationId)
      throw new ParleyError('INVALID_PARAMS', 'That message is not in this conversation.');
    const edits = this.db
      .prepare('SELECT replaced_at, body FROM message_edits WHERE message_id = ? ORDER BY replaced_at')
      .all(messageId) as { replaced_at: number; body: string }[];
    // Each history row is the text that was replaced at `replaced_at`; it was written at the previous time.
    const versions: MessageHistory['versions'] = [];
    let writtenAt = m.sent_at;
    for (const e of edits) {
      versions.push({ body: e.body, at: writtenAt });
      writtenAt = e.replaced_at;
    }
    if (m.body !== null) versions.push({ body: m.body, at: m.edited_at ?? writtenAt });
    const names = this.names();
    const readBy = (
      this.db
        .prepare(`SELECT member_key, at FROM receipts WHERE message_id = ? AND state = 'read' ORDER BY at`)
        .all(messageId) as { member_key: Buffer; at: number }[]
    ).map((r) => {
      const hex = r.member_key.toString('hex');
      return { name: names.get(hex) ?? `Unknown (${hex.slice(0, 8)})`, at: r.at };
    });
    return { versions, readBy };
  }

  /** Contacts' names by identity key (hex); a previous key (accepted key change) names the contact too. */
  private names(): Map<string, string> {
    const rows = this.db
      .prepare(
        `SELECT lower(hex(previous_identity_key)) AS k, coalesce(local_name, display_name) AS name, 0 AS current
           FROM contacts WHERE previous_identity_key IS NOT NULL
         UNION ALL
         SELECT lower(hex(identity_key)), coalesce(local_name, display_name), 1 FROM contacts
         ORDER BY current`,
      )
      .all() as { k: string; name: string }[];
    // Current keys come last, so they win over another contact's previous key.
    return new Map(rows.map((r) => [r.k, r.name]));
  }

  private selfName(): string {
    const r = this.db.prepare('SELECT display_name FROM identity WHERE id = 1').get() as
      { display_name: string } | undefined;
    return r?.display_name ?? 'You';
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
