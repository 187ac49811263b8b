import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/** A member's device as another member's hints may name it (ProfileContent.peers). */
export interface MemberDevice {
  peerId: string;
  identityKey: Buffer;
  /** JSON array of multiaddrs, as `devices.addresses` holds it. */
  addresses: string;
  sealPublic: Buffer | null;
}

/**
 * `members`: the users of each conversation with their roles, mirrored from
 * the MLS group state after every commit (groups/memberSync.ts), and what
 * this device knows of members' devices and names.
 */
export class GroupMemberRepository {
  constructor(private readonly db: Db) {}

  /** Replaces the conversation's members (inside the caller's transaction). */
  replace(
    conversationId: number,
    members: readonly { identityKey: Uint8Array; role: string }[],
    now: number,
  ): void {
    prepared(this.db, 'DELETE FROM members WHERE conversation_id = ?').run(conversationId);
    const insert = prepared(
      this.db,
      'INSERT OR IGNORE INTO members (conversation_id, identity_key, role, joined_at) VALUES (?, ?, ?, ?)',
    );
    for (const m of members) insert.run(conversationId, Buffer.from(m.identityKey), m.role, now);
  }

  /** The members' identity keys, lower-case hex. */
  keys(conversationId: number): string[] {
    return (
      prepared(this.db, 'SELECT lower(hex(identity_key)) AS k FROM members WHERE conversation_id = ?').all(
        conversationId,
      ) as { k: string }[]
    ).map((r) => r.k);
  }

  /** A member's role, in a conversation this user has not left; undefined when not a member. */
  roleIn(
    conversationId: number,
    identityKey: Uint8Array,
  ): { kind: 'dm' | 'group'; role: string } | undefined {
    return prepared(
      this.db,
      `SELECT c.kind, m.role FROM conversations c
       JOIN members m ON m.conversation_id = c.id AND m.identity_key = ?
       WHERE c.id = ? AND c.left_at IS NULL`,
    ).get(Buffer.from(identityKey), conversationId) as { kind: 'dm' | 'group'; role: string } | undefined;
  }

  /** Devices of a group's members other than `exceptPeer`, by PeerId, at most `limit`; none for a DM. */
  groupDevices(conversationId: number, exceptPeer: string, limit: number): MemberDevice[] {
    return (
      prepared(
        this.db,
        `SELECT d.peer_id, d.identity_key, d.addresses, d.seal_public FROM conversations c
         JOIN members m ON m.conversation_id = c.id
         JOIN devices d ON d.identity_key = m.identity_key
         WHERE c.id = ? AND c.kind = 'group' AND d.peer_id != ?
         ORDER BY d.peer_id LIMIT ?`,
      ).all(conversationId, exceptPeer, limit) as DeviceRow[]
    ).map(toDevice);
  }

  /** The device `peerId` if it belongs to a member of the conversation. */
  memberDevice(conversationId: number, peerId: string): MemberDevice | undefined {
    const r = prepared(
      this.db,
      `SELECT d.peer_id, d.identity_key, d.addresses, d.seal_public FROM devices d
       JOIN members m ON m.identity_key = d.identity_key AND m.conversation_id = ?
       WHERE d.peer_id = ?`,
    ).get(conversationId, peerId) as DeviceRow | undefined;
    return r ? toDevice(r) : undefined;
  }

  /** A user's name as this device knows it: a contact's (local or published), else one a device announced. */
  nameOf(identityKey: Uint8Array): string | null {
    const key = Buffer.from(identityKey);
    const contact = prepared(
      this.db,
      'SELECT coalesce(local_name, display_name) AS name FROM contacts WHERE identity_key = ?',
    ).get(key) as { name: string } | undefined;
    if (contact) return contact.name;
    const device = prepared(
      this.db,
      'SELECT name FROM devices WHERE identity_key = ? AND name IS NOT NULL LIMIT 1',
    ).get(key) as { name: string } | undefined;
    return device?.name ?? null;
  }
}

interface DeviceRow {
  peer_id: string;
  identity_key: Buffer;
  addresses: string;
  seal_public: Buffer | null;
}

function toDevice(r: DeviceRow): MemberDevice {
  return {
    peerId: r.peer_id,
    identityKey: r.identity_key,
    addresses: r.addresses,
    sealPublic: r.seal_public,
  };
}
