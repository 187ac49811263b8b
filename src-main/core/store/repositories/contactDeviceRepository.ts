import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/**
 * Contacts' devices as messaging asks about them: whom to add for a
 * contact, whether a Welcome's members include one, which DMs may receive
 * the profile card; and what a device's profile tells about its user (the
 * name it announced, the signed card). Blocked and removed contacts count as
 * no contact.
 */
export class ContactDeviceRepository {
  constructor(
    private readonly db: Db,
    /** This device, never one of a contact's. */
    private readonly selfPeerId: string,
  ) {}

  /** Known devices of an unblocked contact, oldest first. */
  devicesOf(contactId: number): string[] {
    return (
      prepared(
        this.db,
        `SELECT d.peer_id FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
           WHERE c.id = ? AND c.blocked = 0 AND d.peer_id != ? ORDER BY d.created_at, d.peer_id`,
      ).all(contactId, this.selfPeerId) as { peer_id: string }[]
    ).map((r) => r.peer_id);
  }

  /** An unblocked contact's identity key (whose device list says which devices to add, §13.6), or null. */
  identityKeyOf(contactId: number): Uint8Array | null {
    const r = prepared(this.db, 'SELECT identity_key FROM contacts WHERE id = ? AND blocked = 0').get(
      contactId,
    ) as { identity_key: Buffer } | undefined;
    return r ? new Uint8Array(r.identity_key) : null;
  }

  /** The contact (not blocked, not removed) with this identity key, or null. */
  contactIdOf(identityKey: Uint8Array): number | null {
    const r = prepared(
      this.db,
      'SELECT id FROM contacts WHERE identity_key = ? AND blocked = 0 AND removed_at IS NULL',
    ).get(Buffer.from(identityKey)) as { id: number } | undefined;
    return r?.id ?? null;
  }

  /**
   * A DM with a contact (not blocked, not removed): the only conversations a
   * profile card goes to. Someone the user removed keeps the history but is
   * no contact any more, so no longer sees status or picture updates.
   */
  isContactDm(conversationId: number): boolean {
    return (
      prepared(
        this.db,
        `SELECT 1 FROM conversations c JOIN contacts k ON k.id = c.contact_id
           WHERE c.id = ? AND c.kind = 'dm' AND k.blocked = 0 AND k.removed_at IS NULL`,
      ).get(conversationId) !== undefined
    );
  }

  /** The name a device's user announced (how a group member who is not a contact is named, migration 0002). */
  setAnnouncedName(peerId: string, name: string): void {
    prepared(this.db, 'UPDATE devices SET name = ? WHERE peer_id = ? AND name IS NOT ?').run(
      name,
      peerId,
      name,
    );
  }

  /** A contact's signed profile card; only a newer version replaces the cached one (a replay changes nothing). */
  applyCard(
    identityKey: Uint8Array,
    card: { displayName: string; statusText: string | null; avatar: Uint8Array | null; version: number },
    now: number,
  ): void {
    prepared(
      this.db,
      `UPDATE contacts SET display_name = ?, status_text = ?, avatar = ?, profile_version = ?, updated_at = ?
       WHERE identity_key = ? AND profile_version < ?`,
    ).run(
      card.displayName,
      card.statusText,
      card.avatar ? Buffer.from(card.avatar) : null,
      card.version,
      now,
      Buffer.from(identityKey),
      card.version,
    );
  }

  /** A contact's name from a profile without a card: used only until a card arrived. */
  applyAnnouncedName(identityKey: Uint8Array, name: string, now: number): void {
    prepared(
      this.db,
      `UPDATE contacts SET display_name = ?, updated_at = ?
       WHERE identity_key = ? AND display_name != ? AND profile_version = 0`,
    ).run(name, now, Buffer.from(identityKey), name);
  }
}
