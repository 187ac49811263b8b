import type { Db } from '../encryptedDatabase';

/** A conversation's kind and a user's role in it, for who may change its timer. */
export interface TimerRole {
  kind: 'dm' | 'group';
  role: string;
}

/** The timer change in effect: its Lamport stamp, sender identity key and sending device. */
export interface TimerStamp {
  at: number;
  by: Buffer | null;
  peer: string | null;
}

/**
 * Disappearing-message timers (content/timers.ts): who may change a
 * conversation's timer, the Lamport stamp of the change in effect
 * (migration 0012), and the expiry column of `messages` the sweeper
 * (store/disappearingSweeper.ts) acts on. The timer itself is set through
 * ConversationRepository.setDisappearing.
 */
export class TimerRepository {
  constructor(private readonly db: Db) {}

  /** The user's role in a conversation this device has not left; null when not a member (or left). */
  roleOf(conversationId: number, identityKey: Uint8Array): TimerRole | null {
    const row = this.db
      .prepare(
        `SELECT c.kind, m.role FROM conversations c
         JOIN members m ON m.conversation_id = c.id AND m.identity_key = ?
         WHERE c.id = ? AND c.left_at IS NULL`,
      )
      .get(Buffer.from(identityKey), conversationId) as TimerRole | undefined;
    return row ?? null;
  }

  /**
   * The change in effect: its stamp, sender identity key (migration 0012) and
   * sending device (migration 0021); stamp 0 when none was made, device null
   * for a change applied before 0021.
   */
  lastChange(conversationId: number): TimerStamp {
    const row = this.db
      .prepare(
        `SELECT disappear_changed_at AS at, disappear_changed_by AS by, disappear_changed_peer AS peer
         FROM conversations WHERE id = ?`,
      )
      .get(conversationId) as TimerStamp | undefined;
    return row ?? { at: 0, by: null, peer: null };
  }

  recordChange(conversationId: number, at: number, by: Buffer, peer: string): void {
    this.db
      .prepare(
        `UPDATE conversations SET disappear_changed_at = ?, disappear_changed_by = ?, disappear_changed_peer = ?
         WHERE id = ?`,
      )
      .run(at, by, peer, conversationId);
  }

  /** The message never expires (the notice of a timer change). */
  keepForever(messageId: number): void {
    this.db.prepare('UPDATE messages SET expires_at = NULL WHERE id = ?').run(messageId);
  }

  /** When the soonest message expires; null when none will. */
  soonestExpiry(): number | null {
    return (
      this.db.prepare('SELECT min(expires_at) AS t FROM messages WHERE expires_at IS NOT NULL').get() as {
        t: number | null;
      }
    ).t;
  }
}
