import { ParleyError } from '../../errors';
import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';
import { parseSystemEvent, type StoredSystemEvent } from '../systemEvent';
import type { Message, MessageKind, MessageState, TimelineCursor } from './types';

interface MessageRow {
  id: number;
  conversation_id: number;
  uid: string;
  sender_key: Buffer;
  outgoing: number;
  kind: MessageKind;
  body: string | null;
  reply_to_uid: string | null;
  sent_at: number;
  received_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  expires_at: number | null;
  state: MessageState;
  held_by: string | null;
  has_file: number;
  event: string | null;
}

export interface NewMessage {
  conversationId: number;
  uid: string;
  senderKey: Buffer;
  outgoing: boolean;
  kind?: MessageKind;
  body: string | null;
  replyToUid?: string | null;
  mentions?: string[] | null;
  /** The sender's clock. */
  sentAt: number;
  receivedAt: number;
  state: MessageState;
  hasFile?: boolean;
  /** What a system row says (kind 'system', body null): the renderer writes the words. */
  event?: StoredSystemEvent;
}

export interface Page {
  /** Oldest first. */
  messages: Message[];
  hasOlder: boolean;
  hasNewer: boolean;
}

export type PageRequest =
  { latest: true } | { before: TimelineCursor } | { after: TimelineCursor } | { around: number };

export const MAX_PAGE = 200;

/** Delivery states only move forward; 'failed' can be retried back to 'pending'. */
const STATE_RANK: Record<MessageState, number> = {
  failed: 0,
  pending: 1,
  sent: 2,
  held: 3,
  received: 4,
  delivered: 4,
  read: 5,
};

/**
 * Messages of every conversation: insert (idempotent by uid), keyset pages in
 * both directions, edits with history, deletions, delivery states. Pages are
 * cut by (sent_at, id) so a page costs one index range scan whatever the
 * depth, unlike OFFSET which reads and discards every row before it.
 */
export class MessageRepository {
  private readonly insertStmt;
  private readonly byUidStmt;
  private readonly byIdStmt;
  private readonly latestStmt;
  private readonly beforeStmt;
  private readonly afterStmt;
  private readonly fromStmt;
  private readonly timerStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO messages (conversation_id, uid, sender_key, outgoing, kind, body, reply_to_uid, mentions,
         sent_at, received_at, expires_at, state, has_file, event)
       VALUES (@conversationId, @uid, @senderKey, @outgoing, @kind, @body, @replyToUid, @mentions,
         @sentAt, @receivedAt, @expiresAt, @state, @hasFile, @event)
       ON CONFLICT (uid) DO NOTHING`,
    );
    this.byUidStmt = db.prepare('SELECT * FROM messages WHERE uid = ?');
    this.byIdStmt = db.prepare('SELECT * FROM messages WHERE id = ?');
    this.latestStmt = db.prepare(
      'SELECT * FROM messages WHERE conversation_id = ? ORDER BY sent_at DESC, id DESC LIMIT ?',
    );
    this.beforeStmt = db.prepare(
      `SELECT * FROM messages WHERE conversation_id = ? AND (sent_at, id) < (?, ?)
       ORDER BY sent_at DESC, id DESC LIMIT ?`,
    );
    this.afterStmt = db.prepare(
      `SELECT * FROM messages WHERE conversation_id = ? AND (sent_at, id) > (?, ?)
       ORDER BY sent_at ASC, id ASC LIMIT ?`,
    );
    this.fromStmt = db.prepare(
      `SELECT * FROM messages WHERE conversation_id = ? AND (sent_at, id) >= (?, ?)
       ORDER BY sent_at ASC, id ASC LIMIT ?`,
    );
    this.timerStmt = db.prepare('SELECT disappear_after_ms AS ms FROM conversations WHERE id = ?');
  }

  /**
   * Stores a message once: a second insert of the same uid (a redelivered
   * envelope) changes nothing and reports `inserted: false`. The timeline
   * position is the sender's clock clamped to our receive time, so a peer with
   * a clock in the future cannot pin its messages below everyone else's.
   */
  insert(m: NewMessage): { id: number; inserted: boolean } {
    const timer = this.timerStmt.get(m.conversationId) as { ms: number | null } | undefined;
    if (!timer) throw new ParleyError('INVALID_PARAMS', 'That conversation does not exist.');
    const sentAt = Math.min(m.sentAt, m.receivedAt);
    const info = this.insertStmt.run({
      conversationId: m.conversationId,
      uid: m.uid,
      senderKey: m.senderKey,
      outgoing: m.outgoing ? 1 : 0,
      kind: m.kind ?? 'text',
      body: m.body === null ? null : stripControl(m.body),
      replyToUid: m.replyToUid ?? null,
      mentions: m.mentions && m.mentions.length > 0 ? JSON.stringify(m.mentions) : null,
      sentAt,
      receivedAt: m.receivedAt,
      expiresAt: timer.ms === null ? null : m.receivedAt + timer.ms,
      state: m.state,
      hasFile: m.hasFile ? 1 : 0,
      event: m.event ? JSON.stringify(m.event) : null,
    });
    if (info.changes === 1) return { id: Number(info.lastInsertRowid), inserted: true };
    const existing = this.byUidStmt.get(m.uid) as MessageRow;
    return { id: existing.id, inserted: false };
  }

  get(id: number): Message | null {
    const row = this.byIdStmt.get(id) as MessageRow | undefined;
    return row ? toMessage(row) : null;
  }

  getByUid(uid: string): Message | null {
    const row = this.byUidStmt.get(uid) as MessageRow | undefined;
    return row ? toMessage(row) : null;
  }

  /** A page of a conversation, oldest first, with whether more exists either side. */
  page(conversationId: number, request: PageRequest, limit = 50): Page {
    const n = Math.min(Math.max(Math.trunc(limit), 1), MAX_PAGE);
    if ('latest' in request) {
      const rows = this.latestStmt.all(conversationId, n + 1) as MessageRow[];
      return {
        messages: rows.slice(0, n).reverse().map(toMessage),
        hasOlder: rows.length > n,
        hasNewer: false,
      };
    }
    if ('before' in request) {
      const { sentAt, id } = request.before;
      const rows = this.beforeStmt.all(conversationId, sentAt, id, n + 1) as MessageRow[];
      return {
        messages: rows.slice(0, n).reverse().map(toMessage),
        hasOlder: rows.length > n,
        hasNewer: true,
      };
    }
    if ('after' in request) {
      const { sentAt, id } = request.after;
      const rows = this.afterStmt.all(conversationId, sentAt, id, n + 1) as MessageRow[];
      return { messages: rows.slice(0, n).map(toMessage), hasOlder: true, hasNewer: rows.length > n };
    }
    // Around a message (a search hit, a reply's original): half before it, it and the rest after.
    const target = this.byIdStmt.get(request.around) as MessageRow | undefined;
    if (!target || target.conversation_id !== conversationId) {
      throw new ParleyError('INVALID_PARAMS', 'That message is not in this conversation.');
    }
    const olderCount = Math.floor((n - 1) / 2);
    const older = this.beforeStmt.all(
      conversationId,
      target.sent_at,
      target.id,
      olderCount + 1,
    ) as MessageRow[];
    const newer = this.fromStmt.all(
      conversationId,
      target.sent_at,
      target.id,
      n - olderCount + 1,
    ) as MessageRow[];
    return {
      messages: [...older.slice(0, olderCount).reverse(), ...newer.slice(0, n - olderCount)].map(toMessage),
      hasOlder: older.length > olderCount,
      hasNewer: newer.length > n - olderCount,
    };
  }

  /** Replaces the text, keeping the previous text in the edit history. Only the author may edit. */
  edit(uid: string, editorKey: Buffer, body: string, editedAt: number): Message {
    return this.db.transaction(() => {
      const row = this.byUidStmt.get(uid) as MessageRow | undefined;
      if (!row) throw new ParleyError('INVALID_PARAMS', 'That message does not exist.');
      if (!row.sender_key.equals(editorKey))
        throw new ParleyError('INVALID_PARAMS', 'Only the author can edit a message.');
      if (row.deleted_at !== null || row.body === null)
        throw new ParleyError('INVALID_STATE', 'A deleted message cannot be edited.');
      this.db
        .prepare('INSERT OR REPLACE INTO message_edits (message_id, replaced_at, body) VALUES (?, ?, ?)')
        .run(row.id, editedAt, row.body);
      this.db
        .prepare('UPDATE messages SET body = ?, edited_at = ? WHERE id = ?')
        .run(stripControl(body), editedAt, row.id);
      return toMessage(this.byIdStmt.get(row.id) as MessageRow);
    })();
  }

  /** Earlier versions of an edited message, oldest first. */
  editHistory(messageId: number): Array<{ replacedAt: number; body: string }> {
    return (
      this.db
        .prepare('SELECT replaced_at, body FROM message_edits WHERE message_id = ? ORDER BY replaced_at')
        .all(messageId) as Array<{ replaced_at: number; body: string }>
    ).map((r) => ({ replacedAt: r.replaced_at, body: r.body }));
  }

  /**
   * Delete for everyone: the text, its history, reactions and files go; a
   * marker row stays so the timeline shows "message deleted". Only the author.
   * Returns the attachment files the caller deletes after the commit.
   */
  deleteForEveryone(uid: string, requesterKey: Buffer, at: number): { messageId: number; files: string[] } {
    return this.db.transaction(() => {
      const row = this.byUidStmt.get(uid) as MessageRow | undefined;
      if (!row) throw new ParleyError('INVALID_PARAMS', 'That message does not exist.');
      if (!row.sender_key.equals(requesterKey)) {
        throw new ParleyError('INVALID_PARAMS', 'Only the author can delete a message for everyone.');
      }
      const files = this.attachmentPaths([row.id]);
      this.db.prepare('DELETE FROM message_edits WHERE message_id = ?').run(row.id);
      this.db.prepare('DELETE FROM reactions WHERE message_id = ?').run(row.id);
      this.db.prepare('DELETE FROM attachments WHERE message_id = ?').run(row.id);
      this.db
        .prepare(
          'UPDATE messages SET body = NULL, deleted_at = ?, has_file = 0, mentions = NULL WHERE id = ?',
        )
        .run(at, row.id);
      return { messageId: row.id, files };
    })();
  }

  /** Delete for me: the row and everything hanging off it. Returns attachment files to delete after commit. */
  deleteForMe(messageIds: number[]): string[] {
    return this.db.transaction(() => {
      const files = this.attachmentPaths(messageIds);
      const del = this.db.prepare('DELETE FROM messages WHERE id = ?');
      for (const id of messageIds) del.run(id);
      return files;
    })();
  }

  /** Moves a message's delivery state forward (never back, except failed → pending for a retry). */
  setState(id: number, state: MessageState, heldBy: string | null = null): boolean {
    const row = this.byIdStmt.get(id) as MessageRow | undefined;
    if (!row) return false;
    const retry = row.state === 'failed' && state === 'pending';
    if (!retry && state !== 'failed' && STATE_RANK[state] <= STATE_RANK[row.state]) return false;
    prepared(this.db, 'UPDATE messages SET state = ?, held_by = ? WHERE id = ?').run(state, heldBy, id);
    return true;
  }

  addReaction(messageId: number, reactorKey: Buffer, emoji: string, at: number): void {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO reactions (message_id, reactor_key, emoji, created_at) VALUES (?, ?, ?, ?)',
      )
      .run(messageId, reactorKey, emoji, at);
  }

  removeReaction(messageId: number, reactorKey: Buffer, emoji: string): void {
    this.db
      .prepare('DELETE FROM reactions WHERE message_id = ? AND reactor_key = ? AND emoji = ?')
      .run(messageId, reactorKey, emoji);
  }

  reactions(messageId: number): Array<{ emoji: string; reactorKey: Buffer }> {
    return (
      this.db
        .prepare('SELECT emoji, reactor_key FROM reactions WHERE message_id = ? ORDER BY created_at')
        .all(messageId) as Array<{ emoji: string; reactor_key: Buffer }>
    ).map((r) => ({ emoji: r.emoji, reactorKey: r.reactor_key }));
  }

  /** How many different emoji this user has on this message (reactions are bounded per user). */
  reactionCount(messageId: number, reactorKey: Buffer): number {
    return (
      this.db
        .prepare('SELECT count(*) AS n FROM reactions WHERE message_id = ? AND reactor_key = ?')
        .get(messageId, reactorKey) as { n: number }
    ).n;
  }

  /** Replaces a message's @mentions (after an edit); null or empty clears them. */
  setMentions(messageId: number, mentions: string[] | null): void {
    this.db
      .prepare('UPDATE messages SET mentions = ? WHERE id = ?')
      .run(mentions && mentions.length > 0 ? JSON.stringify(mentions) : null, messageId);
  }

  /** The identity keys (hex) a message mentions. */
  mentions(messageId: number): string[] {
    const r = this.db.prepare('SELECT mentions FROM messages WHERE id = ?').get(messageId) as
      { mentions: string | null } | undefined;
    return parseMentions(r?.mentions ?? null);
  }

  /**
   * A read receipt from `readerKey`: our outgoing messages of the
   * conversation up to `upTo` (timeline position) are read by them. A
   * message becomes 'read' once every other member has read it (in a DM, the
   * one other person). Returns how many messages became 'read'.
   */
  recordRead(
    conversationId: number,
    readerKey: Buffer,
    upTo: TimelineCursor,
    at: number,
    selfKey: Buffer,
  ): number {
    return this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO receipts (message_id, member_key, state, at)
           SELECT id, ?, 'read', ? FROM messages
           WHERE conversation_id = ? AND outgoing = 1 AND deleted_at IS NULL AND (sent_at, id) <= (?, ?)
             AND state IN ('pending', 'sent', 'held', 'delivered')
           ON CONFLICT (message_id, member_key) DO UPDATE SET state = 'read', at = excluded.at
           WHERE receipts.state != 'read'`,
        )
        .run(readerKey, at, conversationId, upTo.sentAt, upTo.id);
      return this.db
        .prepare(
          `UPDATE messages SET state = 'read', held_by = NULL
           WHERE conversation_id = ? AND outgoing = 1 AND (sent_at, id) <= (?, ?)
             AND state IN ('pending', 'sent', 'held', 'delivered')
             AND (SELECT count(*) FROM receipts r WHERE r.message_id = messages.id AND r.state = 'read')
               >= (SELECT count(*) FROM members m WHERE m.conversation_id = ? AND m.identity_key != ?)`,
        )
        .run(conversationId, upTo.sentAt, upTo.id, conversationId, selfKey).changes;
    })();
  }

  /**
   * The newest incoming message of the conversation up to its read mark
   * (timeline order): what a read receipt names. Null when none was read.
   */
  newestReadIncoming(conversationId: number): { id: number; uid: string; sentAt: number } | null {
    const row = prepared(
      this.db,
      `SELECT m.id, m.uid, m.sent_at FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.conversation_id = ? AND m.outgoing = 0 AND m.kind != 'system'
         AND m.id <= c.last_read_message_id
       ORDER BY m.sent_at DESC, m.id DESC LIMIT 1`,
    ).get(conversationId) as { id: number; uid: string; sent_at: number } | undefined;
    return row ? { id: row.id, uid: row.uid, sentAt: row.sent_at } : null;
  }

  private attachmentPaths(messageIds: number[]): string[] {
    const stmt = this.db.prepare('SELECT path FROM attachments WHERE message_id = ? AND path IS NOT NULL');
    return messageIds.flatMap((id) => (stmt.all(id) as Array<{ path: string }>).map((r) => r.path));
  }
}

/** The `mentions` column (JSON array of hex identity keys); anything else reads as none. */
export function parseMentions(json: string | null): string[] {
  if (!json) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed)
      ? parsed.filter((x): x is string => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x))
      : [];
  } catch {
    return [];
  }
}

/**
 * U+E000/U+E001 mark search highlights inside snippets; no stored text may
 * contain them, nor NUL (C strings in the tokenizer stop there).
 */
export function stripControl(text: string): string {
  return text.replace(/[\u0000\uE000\uE001]/g, '');
}

export function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    uid: r.uid,
    senderKey: r.sender_key,
    outgoing: r.outgoing === 1,
    kind: r.kind,
    body: r.body,
    replyToUid: r.reply_to_uid,
    sentAt: r.sent_at,
    receivedAt: r.received_at,
    editedAt: r.edited_at,
    deletedAt: r.deleted_at,
    expiresAt: r.expires_at,
    state: r.state,
    heldBy: r.held_by,
    hasFile: r.has_file === 1,
    event: r.kind === 'system' ? parseSystemEvent(r.event) : null,
  };
}
