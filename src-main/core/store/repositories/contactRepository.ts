import { ParleyError } from '../../errors';
import type { Db } from '../encryptedDatabase';

export interface Contact {
  id: number;
  identityKey: Buffer;
  /** What the contact calls themselves (from their signed profile). */
  displayName: string;
  /** What we renamed them to, if anything. */
  localName: string | null;
  blocked: boolean;
  verifiedAt: number | null;
  /** The key we knew before the last accepted key change. */
  previousIdentityKey: Buffer | null;
  keyChangedAt: number | null;
  /** A different identity key one of this contact's devices presented, not accepted yet. */
  pendingKeyChange: { identityKey: Buffer; peerId: string; at: number } | null;
  /** Removed by the user: hidden from the list, history kept. */
  removedAt: number | null;
  createdAt: number;
}

interface ContactRow {
  id: number;
  identity_key: Buffer;
  display_name: string;
  local_name: string | null;
  blocked: number;
  verified_at: number | null;
  previous_identity_key: Buffer | null;
  key_changed_at: number | null;
  pending_identity_key: Buffer | null;
  pending_peer_id: string | null;
  pending_key_at: number | null;
  removed_at: number | null;
  created_at: number;
}

/**
 * Contacts, keyed by identity key: names, verification, blocking, removal and
 * key changes (trust on first use, docs/threat-model.md "Key changes").
 */
export class ContactRepository {
  constructor(private readonly db: Db) {}

  /**
   * Adds a contact or refreshes its name. Adding someone again (a new invite
   * or accepted request) brings a removed contact back.
   */
  upsert(identityKey: Buffer, displayName: string, now: number): number {
    this.db
      .prepare(
        `INSERT INTO contacts (identity_key, display_name, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (identity_key) DO UPDATE SET display_name = excluded.display_name,
           updated_at = excluded.updated_at, removed_at = NULL`,
      )
      .run(identityKey, displayName, now, now);
    return (
      this.db.prepare('SELECT id FROM contacts WHERE identity_key = ?').get(identityKey) as { id: number }
    ).id;
  }

  /** The contacts the user sees (removed ones are left out). */
  list(): Contact[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM contacts WHERE removed_at IS NULL
           ORDER BY lower(coalesce(local_name, display_name)), id`,
        )
        .all() as ContactRow[]
    ).map(toContact);
  }

  /** Every contact, removed ones too (export, import). */
  listAll(): Contact[] {
    return (this.db.prepare('SELECT * FROM contacts ORDER BY id').all() as ContactRow[]).map(toContact);
  }

  /** A contact the user can see; removed or unknown ids are INVALID_PARAMS. */
  get(id: number): Contact {
    const r = this.db.prepare('SELECT * FROM contacts WHERE id = ? AND removed_at IS NULL').get(id) as
      ContactRow | undefined;
    if (!r) throw new ParleyError('INVALID_PARAMS', 'No such contact.');
    return toContact(r);
  }

  /** Any contact by id, removed ones too. */
  byId(id: number): Contact | null {
    const r = this.db.prepare('SELECT * FROM contacts WHERE id = ?').get(id) as ContactRow | undefined;
    return r ? toContact(r) : null;
  }

  byIdentityKey(identityKey: Uint8Array): Contact | null {
    const r = this.db
      .prepare('SELECT * FROM contacts WHERE identity_key = ?')
      .get(Buffer.from(identityKey)) as ContactRow | undefined;
    return r ? toContact(r) : null;
  }

  /** The name a contact goes by here (local name, else published); null when the key is no contact. */
  nameOf(identityKey: Uint8Array): string | null {
    const r = this.db
      .prepare('SELECT coalesce(local_name, display_name) AS name FROM contacts WHERE identity_key = ?')
      .get(Buffer.from(identityKey)) as { name: string } | undefined;
    return r?.name ?? null;
  }

  rename(id: number, localName: string | null): void {
    this.db.prepare('UPDATE contacts SET local_name = ? WHERE id = ?').run(localName, id);
  }

  setBlocked(id: number, blocked: boolean): void {
    this.db.prepare('UPDATE contacts SET blocked = ? WHERE id = ?').run(blocked ? 1 : 0, id);
  }

  setVerified(id: number, verifiedAt: number | null): void {
    this.db.prepare('UPDATE contacts SET verified_at = ? WHERE id = ?').run(verifiedAt, id);
  }

  setRemoved(id: number, removedAt: number | null): void {
    this.db.prepare('UPDATE contacts SET removed_at = ? WHERE id = ?').run(removedAt, id);
  }

  /**
   * A device bound to `knownKey` presented `newKey`: if `knownKey` is a
   * contact, the change waits for the user (the latest claim wins; an earlier
   * one is replaced). Returns the contact's id, or null when `knownKey` is
   * nobody's contact.
   */
  recordKeyChange(knownKey: Uint8Array, peerId: string, newKey: Uint8Array, now: number): number | null {
    const contact = this.byIdentityKey(knownKey);
    if (!contact) return null;
    this.db
      .prepare(
        `UPDATE contacts SET pending_identity_key = ?, pending_peer_id = ?, pending_key_at = ?
         WHERE id = ?`,
      )
      .run(Buffer.from(newKey), peerId, now, contact.id);
    return contact.id;
  }

  /**
   * The user accepted the new key: the contact (its id, name, conversations
   * and history) moves to it, the old key is kept as previous_identity_key,
   * verification is cleared (it was for the old key), and the device that
   * presented the new key is rebound to it. One transaction.
   */
  acceptKeyChange(id: number, now: number): Contact {
    return this.db.transaction(() => {
      const c = this.get(id);
      const pending = c.pendingKeyChange;
      if (!pending) throw new ParleyError('INVALID_STATE', 'This contact has no key change to accept.');
      const other = this.byIdentityKey(pending.identityKey);
      if (other && other.id !== id) {
        throw new ParleyError(
          'INVALID_STATE',
          'The new key already belongs to another contact. Remove that contact first.',
        );
      }
      this.db
        .prepare(
          `UPDATE contacts SET previous_identity_key = identity_key, identity_key = ?,
             key_changed_at = ?, verified_at = NULL, pending_identity_key = NULL,
             pending_peer_id = NULL, pending_key_at = NULL, updated_at = ?
           WHERE id = ?`,
        )
        .run(pending.identityKey, now, now, id);
      this.db
        .prepare('UPDATE devices SET identity_key = ? WHERE peer_id = ? AND identity_key = ?')
        .run(pending.identityKey, pending.peerId, c.identityKey);
      return this.get(id);
    })();
  }

  /** Every contact's cached card extras (status text, picture bytes), by contact id. */
  cards(): Map<number, { statusText: string | null; avatar: Buffer | null }> {
    const rows = this.db.prepare('SELECT id, status_text, avatar FROM contacts').all() as {
      id: number;
      status_text: string | null;
      avatar: Buffer | null;
    }[];
    return new Map(rows.map((r) => [r.id, { statusText: r.status_text, avatar: r.avatar }]));
  }

  /** The user kept the old key: the claim is forgotten, nothing changes. */
  dismissKeyChange(id: number): void {
    this.db
      .prepare(
        `UPDATE contacts SET pending_identity_key = NULL, pending_peer_id = NULL, pending_key_at = NULL
         WHERE id = ?`,
      )
      .run(id);
  }
}

function toContact(r: ContactRow): Contact {
  return {
    id: r.id,
    identityKey: r.identity_key,
    displayName: r.display_name,
    localName: r.local_name,
    blocked: r.blocked === 1,
    verifiedAt: r.verified_at,
    previousIdentityKey: r.previous_identity_key,
    keyChangedAt: r.key_changed_at,
    pendingKeyChange:
      r.pending_identity_key && r.pending_peer_id !== null && r.pending_key_at !== null
        ? { identityKey: r.pending_identity_key, peerId: r.pending_peer_id, at: r.pending_key_at }
        : null,
    removedAt: r.removed_at,
    createdAt: r.created_at,
  };
}
