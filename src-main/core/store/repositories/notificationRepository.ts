import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';
import type { ConversationKind, NotifyMode } from './types';

/** An incoming message that may deserve a notification, with what its conversation and sender are called. */
export interface IncomingMessage {
  id: number;
  conversationId: number;
  kind: string;
  body: string | null;
  /** The `mentions` column as stored (JSON of identity keys, hex), parsed by the caller. */
  mentions: string | null;
  notify: NotifyMode;
  conversationKind: ConversationKind;
  conversationName: string | null;
  /** The sender's local or published name; null when the sender is no contact. */
  senderName: string | null;
}

interface IncomingRow {
  id: number;
  conversation_id: number;
  kind: string;
  body: string | null;
  mentions: string | null;
  notify: NotifyMode;
  c_kind: ConversationKind;
  c_name: string | null;
  sender_name: string | null;
}

/**
 * What the notification watcher (content/notifications.ts) reads of
 * `messages`: the newest id, its watermark, and the incoming messages stored
 * after it. Run after every committed write, so the statements are compiled
 * once (store/prepared.ts).
 */
export class NotificationRepository {
  constructor(private readonly db: Db) {}

  /** The highest message id so far (0 for none): everything up to it counts as seen. */
  newestMessageId(): number {
    return (prepared(this.db, 'SELECT coalesce(max(id), 0) AS id FROM messages').get() as { id: number }).id;
  }

  /** Incoming, undeleted, non-system messages after `watermark`, oldest first, at most `limit`. */
  incomingAfter(watermark: number, limit: number): IncomingMessage[] {
    const rows = prepared(
      this.db,
      `SELECT m.id, m.conversation_id, m.kind, m.body, m.mentions,
         c.notify, c.kind AS c_kind, c.name AS c_name,
         coalesce(k.local_name, k.display_name) AS sender_name
       FROM messages m
       JOIN conversations c ON c.id = m.conversation_id
       LEFT JOIN contacts k ON k.identity_key = m.sender_key
       WHERE m.id > ? AND m.outgoing = 0 AND m.kind != 'system' AND m.deleted_at IS NULL
       ORDER BY m.id LIMIT ?`,
    ).all(watermark, limit) as IncomingRow[];
    return rows.map((r) => ({
      id: r.id,
      conversationId: r.conversation_id,
      kind: r.kind,
      body: r.body,
      mentions: r.mentions,
      notify: r.notify,
      conversationKind: r.c_kind,
      conversationName: r.c_name,
      senderName: r.sender_name,
    }));
  }
}
