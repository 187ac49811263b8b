import type { Db } from '../encryptedDatabase';

/**
 * What a link's grant reads on the existing device and writes on the new one
 * (docs/protocol.md §13.5, GrantBody): contacts with everything the user set
 * on them, their devices, and the conversation list by group id. Rows are
 * copied as they are; the new device writes them into an empty profile in
 * the transaction that creates it.
 */
export interface GrantContactRow {
  identityKey: Buffer;
  displayName: string;
  localName: string | null;
  statusText: string | null;
  avatar: Buffer | null;
  verifiedAt: number | null;
  blocked: boolean;
  relayFor: boolean;
  previousIdentityKey: Buffer | null;
  keyChangedAt: number | null;
}

export interface GrantDeviceRow {
  peerId: string;
  certificate: Buffer | null;
  sealPublic: Buffer | null;
  /** JSON text of its multiaddrs, as `devices.addresses` holds it. */
  addresses: string;
}

export interface GrantConversationRow {
  groupId: Buffer;
  kind: 'dm' | 'group';
  name: string | null;
  notify: 'all' | 'mentions' | 'muted';
  archived: boolean;
  /** The other person of a DM. */
  dmWith: Buffer | null;
}

export class LinkGrantRepository {
  constructor(private readonly db: Db) {}

  /** Contacts the user has not removed. */
  contacts(): GrantContactRow[] {
    const rows = this.db
      .prepare(
        `SELECT identity_key, display_name, local_name, status_text, avatar, verified_at, blocked, relay_for,
                previous_identity_key, key_changed_at
         FROM contacts WHERE removed_at IS NULL ORDER BY id`,
      )
      .all() as {
      identity_key: Buffer;
      display_name: string;
      local_name: string | null;
      status_text: string | null;
      avatar: Buffer | null;
      verified_at: number | null;
      blocked: number;
      relay_for: number;
      previous_identity_key: Buffer | null;
      key_changed_at: number | null;
    }[];
    return rows.map((r) => ({
      identityKey: r.identity_key,
      displayName: r.display_name,
      localName: r.local_name,
      statusText: r.status_text,
      avatar: r.avatar,
      verifiedAt: r.verified_at,
      blocked: r.blocked === 1,
      relayFor: r.relay_for === 1,
      previousIdentityKey: r.previous_identity_key,
      keyChangedAt: r.key_changed_at,
    }));
  }

  /** A person's devices as this profile knows them. */
  devicesOf(identityKey: Uint8Array): GrantDeviceRow[] {
    const rows = this.db
      .prepare(
        'SELECT peer_id, certificate, seal_public, addresses FROM devices WHERE identity_key = ? ORDER BY created_at',
      )
      .all(Buffer.from(identityKey)) as {
      peer_id: string;
      certificate: Buffer | null;
      seal_public: Buffer | null;
      addresses: string;
    }[];
    return rows.map((r) => ({
      peerId: r.peer_id,
      certificate: r.certificate,
      sealPublic: r.seal_public,
      addresses: r.addresses,
    }));
  }

  /** Conversations with an MLS group that the user has not left (the self group is joined, not copied, §13.6). */
  conversations(): GrantConversationRow[] {
    const rows = this.db
      .prepare(
        `SELECT c.group_id, c.kind, c.name, c.notify, c.archived, ct.identity_key AS dm_with
         FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id
         WHERE c.group_id IS NOT NULL AND c.left_at IS NULL AND c.self_group = 0 ORDER BY c.id`,
      )
      .all() as {
      group_id: Buffer;
      kind: 'dm' | 'group';
      name: string | null;
      notify: 'all' | 'mentions' | 'muted';
      archived: number;
      dm_with: Buffer | null;
    }[];
    return rows.map((r) => ({
      groupId: r.group_id,
      kind: r.kind,
      name: r.name,
      notify: r.notify,
      archived: r.archived === 1,
      dmWith: r.kind === 'dm' ? r.dm_with : null,
    }));
  }

  /** A contact from a grant, into a profile that does not have it yet; returns its id. */
  insertContact(c: GrantContactRow, now: number): number {
    const info = this.db
      .prepare(
        `INSERT INTO contacts (identity_key, display_name, local_name, status_text, avatar, verified_at, blocked,
                               relay_for, previous_identity_key, key_changed_at, created_at, updated_at)
         VALUES (@identityKey, @displayName, @localName, @statusText, @avatar, @verifiedAt, @blocked, @relayFor,
                 @previousIdentityKey, @keyChangedAt, @now, @now)`,
      )
      .run({ ...c, blocked: c.blocked ? 1 : 0, relayFor: c.relayFor ? 1 : 0, now });
    return Number(info.lastInsertRowid);
  }

  /** A device from a grant (a contact's, or another of this person's own). */
  insertDevice(identityKey: Uint8Array, d: GrantDeviceRow, now: number): void {
    this.db
      .prepare(
        `INSERT INTO devices (peer_id, identity_key, certificate, seal_public, addresses, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (peer_id) DO NOTHING`,
      )
      .run(d.peerId, Buffer.from(identityKey), d.certificate, d.sealPublic, d.addresses, now);
  }

  /**
   * A conversation from a grant's list: no MLS group yet (the new device
   * joins by Welcome, §13.6), so it shows as joining until one arrives.
   */
  insertConversation(
    c: Omit<GrantConversationRow, 'dmWith'> & { contactId: number | null },
    now: number,
  ): void {
    this.db
      .prepare(
        `INSERT INTO conversations (kind, name, contact_id, group_id, notify, archived, created_at, last_activity_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (group_id) DO NOTHING`,
      )
      .run(c.kind, c.name, c.contactId, c.groupId, c.notify, c.archived ? 1 : 0, now, now);
  }
}
