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
}

interface ContactRow {
  id: number;
  identity_key: Buffer;
  display_name: string;
  local_name: string | null;
  blocked: number;
  verified_at: number | null;
}

/** Contacts, keyed by identity key. Profiles, verification and blocking build on this in later issues. */
export class ContactRepository {
  constructor(private readonly db: Db) {}

  upsert(identityKey: Buffer, displayName: string, now: number): number {
    this.db
      .prepare(
        `INSERT INTO contacts (identity_key, display_name, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (identity_key) DO UPDATE SET display_name = excluded.display_name, updated_at = excluded.updated_at`,
      )
      .run(identityKey, displayName, now, now);
    return (
      this.db.prepare('SELECT id FROM contacts WHERE identity_key = ?').get(identityKey) as { id: number }
    ).id;
  }

  list(): Contact[] {
    return (
      this.db
        .prepare('SELECT * FROM contacts ORDER BY lower(coalesce(local_name, display_name)), id')
        .all() as ContactRow[]
    ).map(toContact);
  }

  rename(id: number, localName: string | null): void {
    this.db.prepare('UPDATE contacts SET local_name = ? WHERE id = ?').run(localName, id);
  }

  setBlocked(id: number, blocked: boolean): void {
    this.db.prepare('UPDATE contacts SET blocked = ? WHERE id = ?').run(blocked ? 1 : 0, id);
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
  };
}
