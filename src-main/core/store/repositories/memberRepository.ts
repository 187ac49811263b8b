import type { Db } from '../encryptedDatabase';

export type MemberRole = 'owner' | 'admin' | 'member';

/** A group member with what we know of them as a contact. */
export interface MemberWithContact {
  identityKey: Buffer;
  role: MemberRole;
  contactId: number | null;
  /** The contact's local name or display name; null for a member who is no contact. */
  contactName: string | null;
  verifiedAt: number | null;
}

/** The members of a conversation (`members`) as the info panel and the mention list read them. */
export class MemberRepository {
  constructor(private readonly db: Db) {}

  /** Members joined with their contact rows, in no particular order. */
  withContacts(conversationId: number): MemberWithContact[] {
    return (
      this.db
        .prepare(
          `SELECT m.identity_key, m.role, k.id AS contact_id,
                  coalesce(k.local_name, k.display_name) AS contact_name, k.verified_at
           FROM members m LEFT JOIN contacts k ON k.identity_key = m.identity_key
           WHERE m.conversation_id = ?`,
        )
        .all(conversationId) as {
        identity_key: Buffer;
        role: MemberRole;
        contact_id: number | null;
        contact_name: string | null;
        verified_at: number | null;
      }[]
    ).map((r) => ({
      identityKey: r.identity_key,
      role: r.role,
      contactId: r.contact_id,
      contactName: r.contact_name,
      verifiedAt: r.verified_at,
    }));
  }

  /** Members' identity keys (lower-case hex) and contact names, by name (case-insensitive). */
  names(conversationId: number): { key: string; name: string | null }[] {
    return this.db
      .prepare(
        `SELECT lower(hex(m.identity_key)) AS key, coalesce(c.local_name, c.display_name) AS name
         FROM members m LEFT JOIN contacts c ON c.identity_key = m.identity_key
         WHERE m.conversation_id = ? ORDER BY name COLLATE NOCASE`,
      )
      .all(conversationId) as { key: string; name: string | null }[];
  }
}
