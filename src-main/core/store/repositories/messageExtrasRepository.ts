import type { Db } from '../encryptedDatabase';

/** What a chat row shows besides its text, as stored: its reply target and the mentions column. */
export interface MessageLinks {
  id: number;
  replyToUid: string | null;
  /** JSON of identity keys (hex), parsed by parseMentions (messageRepository.ts). */
  mentions: string | null;
}

/** The message a reply quotes, looked up by its uid. */
export interface ReplyOriginal {
  id: number;
  conversationId: number;
  senderKey: Buffer;
  body: string | null;
  deletedAt: number | null;
}

/** A message's text now and when it was sent and last edited, for its version history. */
export interface MessageText {
  conversationId: number;
  body: string | null;
  sentAt: number;
  editedAt: number | null;
}

/**
 * The reads behind a chat row's extras and a message's info panel
 * (handlers/messageExtrasPresenter.ts): reactions, reply originals, edits,
 * read receipts and contacts' names. Read for a page of rows at once: a few
 * queries for the page, plus one lookup by unique uid per reply.
 */
export class MessageExtrasRepository {
  constructor(private readonly db: Db) {}

  /** The rows of `messageIds` that belong to the conversation (others are left out). */
  links(conversationId: number, messageIds: number[]): MessageLinks[] {
    if (messageIds.length === 0) return [];
    const marks = messageIds.map(() => '?').join(',');
    // `+conversation_id` keeps SQLite off the timeline index: with it, the planner walked every
    // message of the conversation (~100 ms at 100k, on each open) instead of looking the page's ids
    // up by primary key; the conversation is then only a filter on those few rows.
    return (
      this.db
        .prepare(
          `SELECT id, reply_to_uid, mentions FROM messages WHERE +conversation_id = ? AND id IN (${marks})`,
        )
        .all(conversationId, ...messageIds) as {
        id: number;
        reply_to_uid: string | null;
        mentions: string | null;
      }[]
    ).map((r) => ({ id: r.id, replyToUid: r.reply_to_uid, mentions: r.mentions }));
  }

  /** Reactions on these messages, oldest first (then by emoji). */
  reactions(messageIds: number[]): { messageId: number; emoji: string; reactorKey: Buffer }[] {
    if (messageIds.length === 0) return [];
    const marks = messageIds.map(() => '?').join(',');
    return (
      this.db
        .prepare(
          `SELECT message_id, emoji, reactor_key FROM reactions WHERE message_id IN (${marks})
           ORDER BY created_at, emoji`,
        )
        .all(...messageIds) as { message_id: number; emoji: string; reactor_key: Buffer }[]
    ).map((r) => ({ messageId: r.message_id, emoji: r.emoji, reactorKey: r.reactor_key }));
  }

  /** A reader of reply originals by uid (one statement for a page of replies). */
  replyOriginals(): (uid: string) => ReplyOriginal | null {
    const stmt = this.db.prepare(
      'SELECT id, conversation_id, sender_key, body, deleted_at FROM messages WHERE uid = ?',
    );
    return (uid) => {
      const r = stmt.get(uid) as
        | {
            id: number;
            conversation_id: number;
            sender_key: Buffer;
            body: string | null;
            deleted_at: number | null;
          }
        | undefined;
      return r
        ? {
            id: r.id,
            conversationId: r.conversation_id,
            senderKey: r.sender_key,
            body: r.body,
            deletedAt: r.deleted_at,
          }
        : null;
    };
  }

  text(messageId: number): MessageText | null {
    const m = this.db
      .prepare('SELECT body, sent_at, edited_at, conversation_id FROM messages WHERE id = ?')
      .get(messageId) as
      { body: string | null; sent_at: number; edited_at: number | null; conversation_id: number } | undefined;
    return m
      ? { conversationId: m.conversation_id, body: m.body, sentAt: m.sent_at, editedAt: m.edited_at }
      : null;
  }

  /** The texts an edit replaced, oldest first: each was replaced at `replacedAt`. */
  edits(messageId: number): { replacedAt: number; body: string }[] {
    return (
      this.db
        .prepare('SELECT replaced_at, body FROM message_edits WHERE message_id = ? ORDER BY replaced_at')
        .all(messageId) as { replaced_at: number; body: string }[]
    ).map((e) => ({ replacedAt: e.replaced_at, body: e.body }));
  }

  /** Who read the message (their read receipts), earliest first. */
  readers(messageId: number): { memberKey: Buffer; at: number }[] {
    return (
      this.db
        .prepare(`SELECT member_key, at FROM receipts WHERE message_id = ? AND state = 'read' ORDER BY at`)
        .all(messageId) as { member_key: Buffer; at: number }[]
    ).map((r) => ({ memberKey: r.member_key, at: r.at }));
  }

  /** Contacts' names by identity key (hex); a previous key (accepted key change) names the contact too. */
  contactNames(): Map<string, string> {
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
}
