import type { SearchHit } from './searchResult';
import type { SearchStatements } from './searchStatements';

/** A matching message row as a hit reads it. */
export interface HitRow {
  id: number;
  conversation_id: number;
  sender_key: Buffer;
  outgoing: number;
  sent_at: number;
  tainted: number;
}

/** Turns message rows into hits with the names the chat shows (conversation title, sender). */
export class HitNames {
  constructor(private readonly statements: SearchStatements) {}

  toHit(
    row: { id: number; conversation_id: number; sender_key: Buffer; outgoing: number; sent_at: number },
    snippet: { text: string; highlights: Array<[number, number]> },
  ): SearchHit {
    return {
      messageId: row.id,
      conversationId: row.conversation_id,
      conversationName: this.conversationName(row.conversation_id),
      senderName: this.senderName(row.sender_key, row.outgoing === 1),
      outgoing: row.outgoing === 1,
      sentAt: row.sent_at,
      snippet: snippet.text,
      highlights: snippet.highlights,
      position: { conversationId: row.conversation_id, messageId: row.id, sentAt: row.sent_at },
    };
  }

  private conversationName(id: number): string {
    // The same title the conversation list shows (ConversationRepository).
    const row = this.statements
      .get(
        'conversation-name',
        `SELECT coalesce(CASE WHEN c.kind = 'group' THEN c.name END, k.local_name, k.display_name, c.name, 'Unknown') AS title
       FROM conversations c LEFT JOIN contacts k ON k.id = c.contact_id WHERE c.id = @id`,
      )
      .get({ id }) as { title: string } | undefined;
    return row?.title ?? 'Unknown';
  }

  private senderName(key: Buffer, outgoing: boolean): string {
    const me = this.identity();
    if (me && (outgoing || me.key.equals(key))) return me.name;
    const row = this.statements
      .get(
        'sender-name',
        'SELECT coalesce(local_name, display_name) AS name FROM contacts WHERE identity_key = @key',
      )
      .get({ key }) as { name: string } | undefined;
    return row?.name ?? `Unknown (${key.toString('hex').slice(0, 8)})`;
  }

  identity(): { key: Buffer; name: string } | null {
    const row = this.statements
      .get('identity', 'SELECT public_key AS key, display_name AS name FROM identity WHERE id = 1')
      .get({}) as { key: Buffer; name: string } | undefined;
    return row ?? null;
  }
}
