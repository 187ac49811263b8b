import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/**
 * How devices are reached (issue 13): this device's remembered listen port
 * and LAN beacon key, every known device's latest signed address record and
 * the contacts' beacon keys (migration 0016). The records themselves are
 * opaque here: net/addressRecord.ts signs and checks them.
 */

const LISTEN_PORT_KEY = 'net.listenPort';
const BEACON_KEY = 'net.beaconKey';
/** Issue 19: the addresses other networks reach this device on, as the user gave them (JSON list). */
const PUBLIC_ADDRESSES_KEY = 'net.publicAddresses';
/** Issue 19: ask the home router for a port mapping (UPnP IGD / NAT-PMP); off unless the user switches it on. */
const UPNP_KEY = 'net.upnp';

/** Contact devices: not ours, of a contact who is neither blocked nor removed. */
const CONTACT_DEVICE = `SELECT d.peer_id FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
  WHERE d.is_self = 0 AND c.blocked = 0 AND c.removed_at IS NULL`;

export interface StoredRecord {
  seq: number;
  envelope: Uint8Array;
  receivedAt: number;
}

export class AddressRepository {
  constructor(private readonly db: Db) {}

  private setting(key: string): string | null {
    const row = prepared(this.db, 'SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value ?? null;
  }

  private setSetting(key: string, value: string): void {
    prepared(
      this.db,
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }

  /** The TCP port this device listened on last time, or null before the first start. */
  listenPort(): number | null {
    const port = Number(this.setting(LISTEN_PORT_KEY));
    return Number.isInteger(port) && port > 0 && port <= 65535 ? port : null;
  }

  setListenPort(port: number): void {
    if (this.listenPort() !== port) this.setSetting(LISTEN_PORT_KEY, String(port));
  }

  /** Addresses the user said other networks reach this device on (a reachable node relays). */
  publicAddresses(): string[] {
    try {
      const parsed: unknown = JSON.parse(this.setting(PUBLIC_ADDRESSES_KEY) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : [];
    } catch {
      return [];
    }
  }

  setPublicAddresses(addresses: string[]): void {
    this.setSetting(PUBLIC_ADDRESSES_KEY, JSON.stringify(addresses));
  }

  /** Whether the user switched UPnP / NAT-PMP port mapping on (default off). */
  upnp(): boolean {
    return this.setting(UPNP_KEY) === 'true';
  }

  setUpnp(on: boolean): void {
    this.setSetting(UPNP_KEY, on ? 'true' : 'false');
  }

  record(peer: string): StoredRecord | null {
    const row = prepared(
      this.db,
      'SELECT seq, envelope, received_at FROM address_records WHERE peer_id = ?',
    ).get(peer) as { seq: number; envelope: Buffer; received_at: number } | undefined;
    return row ? { seq: row.seq, envelope: new Uint8Array(row.envelope), receivedAt: row.received_at } : null;
  }

  /** Stores `peer`'s record if it is newer than the one kept; true when it was. */
  putRecord(peer: string, seq: number, envelope: Uint8Array, now: number): boolean {
    return (
      prepared(
        this.db,
        `INSERT INTO address_records (peer_id, seq, envelope, received_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (peer_id) DO UPDATE SET seq = excluded.seq, envelope = excluded.envelope,
           received_at = excluded.received_at
         WHERE excluded.seq > address_records.seq`,
      ).run(peer, seq, Buffer.from(envelope), now).changes > 0
    );
  }

  /** A device's last known addresses (devices.addresses), written when a newer record arrives. */
  setDeviceAddresses(peer: string, addresses: readonly string[]): void {
    prepared(this.db, 'UPDATE devices SET addresses = ? WHERE peer_id = ?').run(
      JSON.stringify(addresses),
      peer,
    );
  }

  isDevice(peer: string): boolean {
    return prepared(this.db, 'SELECT 1 FROM devices WHERE peer_id = ?').get(peer) !== undefined;
  }

  /** The devices of our contacts (neither blocked nor removed), by PeerId. */
  contactDevices(): string[] {
    return (prepared(this.db, `${CONTACT_DEVICE} ORDER BY d.peer_id`).all() as { peer_id: string }[]).map(
      (r) => r.peer_id,
    );
  }

  isContactDevice(peer: string): boolean {
    return prepared(this.db, `${CONTACT_DEVICE} AND d.peer_id = ?`).get(peer) !== undefined;
  }

  /**
   * Whether we may hand `owner`'s address record to `asker` (both our
   * contacts' devices): only when `asker` could learn those addresses from us
   * anyway, because `owner` named it among its relays (its own contacts,
   * announced in its signed profile) or the two are members of a group we
   * are in (group profiles carry members' addresses).
   */
  mayShare(owner: string, asker: string): boolean {
    if (owner === asker || this.areContacts(owner, asker)) return true;
    return (
      prepared(
        this.db,
        `SELECT 1 FROM devices o JOIN members mo ON mo.identity_key = o.identity_key
         JOIN conversations c ON c.id = mo.conversation_id AND c.kind = 'group' AND c.left_at IS NULL
         JOIN members ma ON ma.conversation_id = c.id
         JOIN devices a ON a.identity_key = ma.identity_key
         WHERE o.peer_id = ? AND a.peer_id = ? LIMIT 1`,
      ).get(owner, asker) !== undefined
    );
  }

  /**
   * `owner` named `asker` among its relays: the devices of its own contacts
   * (announced in its signed profile, at most 16).
   */
  areContacts(owner: string, asker: string): boolean {
    return (
      prepared(this.db, 'SELECT 1 FROM device_relays WHERE peer_id = ? AND relay_peer_id = ?').get(
        owner,
        asker,
      ) !== undefined
    );
  }

  /** This device's LAN beacon key, or null before the first one was made. */
  ownBeaconKey(): Uint8Array | null {
    const hex = this.setting(BEACON_KEY);
    return hex && /^[0-9a-f]{64}$/.test(hex) ? new Uint8Array(Buffer.from(hex, 'hex')) : null;
  }

  /** Replaces this device's beacon key; nobody holds the new one yet. */
  setOwnBeaconKey(key: Uint8Array): void {
    this.db.transaction(() => {
      this.setSetting(BEACON_KEY, Buffer.from(key).toString('hex'));
      prepared(this.db, 'DELETE FROM lan_beacon_given').run();
    })();
  }

  /** `peer` now holds our current beacon key. */
  beaconGiven(peer: string): void {
    prepared(this.db, 'INSERT OR IGNORE INTO lan_beacon_given (peer_id) VALUES (?)').run(peer);
  }

  /** Some device that holds our beacon key is no longer a contact's (removed, blocked, forgotten). */
  beaconHeldByStranger(): boolean {
    return (
      prepared(
        this.db,
        `SELECT 1 FROM lan_beacon_given g WHERE g.peer_id NOT IN (${CONTACT_DEVICE}) LIMIT 1`,
      ).get() !== undefined
    );
  }

  putBeaconKey(peer: string, key: Uint8Array, now: number): void {
    prepared(
      this.db,
      `INSERT INTO lan_beacon_keys (peer_id, key, received_at) VALUES (?, ?, ?)
       ON CONFLICT (peer_id) DO UPDATE SET key = excluded.key, received_at = excluded.received_at
       WHERE lan_beacon_keys.key != excluded.key`,
    ).run(peer, Buffer.from(key), now);
  }

  /** The beacon keys of our contacts' devices (neither blocked nor removed). */
  contactBeaconKeys(): Map<string, Uint8Array> {
    const rows = prepared(
      this.db,
      `SELECT k.peer_id, k.key FROM lan_beacon_keys k WHERE k.peer_id IN (${CONTACT_DEVICE})`,
    ).all() as { peer_id: string; key: Buffer }[];
    return new Map(rows.map((r) => [r.peer_id, new Uint8Array(r.key)]));
  }
}
