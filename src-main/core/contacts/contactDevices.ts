import type { Db } from '../store/encryptedDatabase';

/**
 * Which devices and conversations belong to contacts, as group code asks:
 * whom to add for a contact, whether a Welcome's members include one, and
 * which DMs may receive the profile card. Blocked and removed contacts count
 * as no contact.
 */
export class ContactDevices {
  constructor(
    private readonly db: Db,
    /** This device, never one of a contact's. */
    private readonly selfPeerId: string,
  ) {}

  /** Known devices of an unblocked contact, oldest first. */
  devicesOf(contactId: number): string[] {
    return (
      this.db
        .prepare(
          `SELECT d.peer_id FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
           WHERE c.id = ? AND c.blocked = 0 AND d.peer_id != ? ORDER BY d.created_at, d.peer_id`,
        )
        .all(contactId, this.selfPeerId) as { peer_id: string }[]
    ).map((r) => r.peer_id);
  }

  /** The contact (not blocked, not removed) with this identity key, or null. */
  contactIdOf(identityKey: Uint8Array): number | null {
    const r = this.db
      .prepare('SELECT id FROM contacts WHERE identity_key = ? AND blocked = 0 AND removed_at IS NULL')
      .get(Buffer.from(identityKey)) as { id: number } | undefined;
    return r?.id ?? null;
  }

  /**
   * A DM with a contact (not blocked, not removed): the only conversations a
   * profile card goes to. Someone the user removed keeps the history but is
   * no contact any more, so no longer sees status or picture updates.
   */
  isContactDm(conversationId: number): boolean {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM conversations c JOIN contacts k ON k.id = c.contact_id
           WHERE c.id = ? AND c.kind = 'dm' AND k.blocked = 0 AND k.removed_at IS NULL`,
        )
        .get(conversationId) !== undefined
    );
  }
}
