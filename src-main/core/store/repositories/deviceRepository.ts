import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/** A device row as stored: `addresses` is the JSON text of its multiaddrs (parse it with care). */
export interface StoredDevice {
  peerId: string;
  identityKey: Buffer;
  addresses: string;
  sealPublic: Buffer | null;
}

interface DeviceRow {
  peer_id: string;
  identity_key: Buffer;
  addresses: string;
  seal_public: Buffer | null;
}

const toStored = (r: DeviceRow): StoredDevice => ({
  peerId: r.peer_id,
  identityKey: r.identity_key,
  addresses: r.addresses,
  sealPublic: r.seal_public,
});

/** One contact's device and what presence knows of it. */
export interface DevicePresenceRow {
  contactId: number;
  blocked: boolean;
  /** null: a contact with no known device. */
  peerId: string | null;
  lastSeenAt: number | null;
  offlineSince: number | null;
}

/**
 * Devices (`devices`: PeerId ↔ identity key, seal key, addresses, presence
 * times) and the relays each announced (`device_relays`). These are indexed
 * point lookups, cheap enough for the node's per-stream access checks to ask
 * each time.
 */
export class DeviceRepository {
  constructor(private readonly db: Db) {}

  /**
   * Forgets a device (its person's list removed it, docs/protocol.md §13.8):
   * from now on it is unknown here, so only the protocols open to strangers
   * answer it; its announced relays go with it.
   */
  delete(peer: string): boolean {
    prepared(this.db, 'DELETE FROM device_relays WHERE peer_id = ?').run(peer);
    return prepared(this.db, 'DELETE FROM devices WHERE peer_id = ?').run(peer).changes > 0;
  }

  exists(peer: string): boolean {
    return prepared(this.db, 'SELECT 1 FROM devices WHERE peer_id = ?').get(peer) !== undefined;
  }

  /** Some device is certified by this identity key. */
  existsForIdentity(identityKey: Uint8Array): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM devices WHERE identity_key = ? LIMIT 1')
        .get(Buffer.from(identityKey)) !== undefined
    );
  }

  /** The device belongs to a blocked contact. */
  isBlocked(peer: string): boolean {
    return (
      prepared(
        this.db,
        `SELECT 1 FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
           WHERE d.peer_id = ? AND c.blocked = 1`,
      ).get(peer) !== undefined
    );
  }

  /** The device belongs to a contact that is neither blocked nor removed (and, with `relaying`, that we relay for). */
  isContactDevice(peer: string, relaying: boolean): boolean {
    return (
      prepared(
        this.db,
        `SELECT 1 FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
           WHERE d.peer_id = ? AND c.blocked = 0 AND c.removed_at IS NULL AND (? = 0 OR c.relay_for = 1)`,
      ).get(peer, relaying ? 1 : 0) !== undefined
    );
  }

  /** The devices this profile knows of one person, by PeerId. */
  peersOfIdentity(identityKey: Uint8Array): string[] {
    return (
      this.db
        .prepare('SELECT peer_id FROM devices WHERE identity_key = ? ORDER BY peer_id')
        .all(Buffer.from(identityKey)) as { peer_id: string }[]
    ).map((r) => r.peer_id);
  }

  sealPublic(peer: string): Buffer | null {
    const r = this.db.prepare('SELECT seal_public FROM devices WHERE peer_id = ?').get(peer) as
      { seal_public: Buffer | null } | undefined;
    return r?.seal_public ?? null;
  }

  identityKeyOf(peer: string): Buffer | null {
    const r = this.db.prepare('SELECT identity_key FROM devices WHERE peer_id = ?').get(peer) as
      { identity_key: Buffer } | undefined;
    return r?.identity_key ?? null;
  }

  get(peer: string): StoredDevice | null {
    const r = this.db.prepare('SELECT * FROM devices WHERE peer_id = ?').get(peer) as DeviceRow | undefined;
    return r ? toStored(r) : null;
  }

  /** Devices of contacts neither blocked nor removed, but `self`. */
  ofContacts(self: string): StoredDevice[] {
    return (
      this.db
        .prepare(
          `SELECT d.* FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
           WHERE c.blocked = 0 AND c.removed_at IS NULL AND d.peer_id != ?`,
        )
        .all(self) as DeviceRow[]
    ).map(toStored);
  }

  /** Up to 16 devices of contacts (not blocked, not removed, not ours), by PeerId. */
  relayCandidates(self: string): string[] {
    return (
      this.db
        .prepare(
          `SELECT d.peer_id FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
           WHERE c.blocked = 0 AND c.removed_at IS NULL AND d.is_self = 0 AND d.peer_id != ? ORDER BY d.peer_id LIMIT 16`,
        )
        .all(self) as { peer_id: string }[]
    ).map((r) => r.peer_id);
  }

  /** Every device that is not one of ours, oldest first. */
  others(): StoredDevice[] {
    return (
      this.db
        .prepare(
          'SELECT peer_id, identity_key, addresses, seal_public FROM devices WHERE is_self = 0 ORDER BY created_at, peer_id',
        )
        .all() as DeviceRow[]
    ).map(toStored);
  }

  /**
   * Inserts a device or adds what it lacked. Does not check the identity key
   * of an existing row: callers refuse a rebinding first.
   */
  upsert(d: {
    peerId: string;
    identityKey: Uint8Array;
    addresses: string[] | null;
    sealPublic: Uint8Array | null;
    certificate: Uint8Array | null;
    now: number;
  }): void {
    this.db
      .prepare(
        `INSERT INTO devices (peer_id, identity_key, addresses, seal_public, certificate, created_at)
         VALUES (@peerId, @identityKey, coalesce(@addresses, '[]'), @seal, @certificate, @now)
         ON CONFLICT (peer_id) DO UPDATE SET
           addresses = coalesce(@addresses, devices.addresses),
           seal_public = coalesce(@seal, devices.seal_public),
           certificate = coalesce(@certificate, devices.certificate)`,
      )
      .run({
        peerId: d.peerId,
        identityKey: Buffer.from(d.identityKey),
        addresses: d.addresses ? JSON.stringify(d.addresses) : null,
        seal: d.sealPublic ? Buffer.from(d.sealPublic) : null,
        certificate: d.certificate ? Buffer.from(d.certificate) : null,
        now: d.now,
      });
  }

  /**
   * A device from a contacts export: inserted, or given the seal key and
   * addresses it lacked (never overwriting known ones). True when a row changed.
   */
  importDevice(d: {
    peerId: string;
    identityKey: Buffer;
    addresses: string[];
    sealPublic: Buffer | null;
    now: number;
  }): boolean {
    return (
      this.db
        .prepare(
          `INSERT INTO devices (peer_id, identity_key, addresses, seal_public, created_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (peer_id) DO UPDATE SET
             seal_public = coalesce(devices.seal_public, excluded.seal_public),
             addresses = CASE WHEN devices.addresses = '[]' THEN excluded.addresses ELSE devices.addresses END
           WHERE (devices.seal_public IS NULL AND excluded.seal_public IS NOT NULL)
              OR (devices.addresses = '[]' AND excluded.addresses != '[]')`,
        )
        .run(d.peerId, d.identityKey, JSON.stringify(d.addresses), d.sealPublic, d.now).changes > 0
    );
  }

  relaysOf(peer: string): string[] {
    return (
      this.db
        .prepare('SELECT relay_peer_id FROM device_relays WHERE peer_id = ? ORDER BY relay_peer_id')
        .all(peer) as { relay_peer_id: string }[]
    ).map((r) => r.relay_peer_id);
  }

  setRelays(peer: string, relays: readonly string[]): void {
    this.db.prepare('DELETE FROM device_relays WHERE peer_id = ?').run(peer);
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO device_relays (peer_id, relay_peer_id) VALUES (?, ?)',
    );
    for (const r of relays) insert.run(peer, r);
  }

  /** The name the device's contact goes by here (the user's rename first), or null. */
  contactNameOf(peer: string): string | null {
    const row = this.db
      .prepare(
        `SELECT coalesce(c.local_name, c.display_name) AS name FROM devices d
         JOIN contacts c ON c.identity_key = d.identity_key WHERE d.peer_id = ?`,
      )
      .get(peer) as { name: string } | undefined;
    return row?.name ?? null;
  }

  /** Every contact with each of its devices (or one row with no device), for presence. */
  presenceRows(): DevicePresenceRow[] {
    return (
      this.db
        .prepare(
          `SELECT c.id AS contact_id, c.blocked, d.peer_id, d.last_seen_at, d.offline_since
           FROM contacts c LEFT JOIN devices d ON d.identity_key = c.identity_key AND d.is_self = 0
           ORDER BY c.id`,
        )
        .all() as {
        contact_id: number;
        blocked: number;
        peer_id: string | null;
        last_seen_at: number | null;
        offline_since: number | null;
      }[]
    ).map((r) => ({
      contactId: r.contact_id,
      blocked: r.blocked !== 0,
      peerId: r.peer_id,
      lastSeenAt: r.last_seen_at,
      offlineSince: r.offline_since,
    }));
  }

  /** Seen online until `at`, offline since then. */
  markOffline(peer: string, at: number): void {
    this.db
      .prepare('UPDATE devices SET last_seen_at = ?, offline_since = ? WHERE peer_id = ?')
      .run(at, at, peer);
  }

  markSeen(peer: string, at: number): void {
    this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE peer_id = ?').run(at, peer);
  }
}
