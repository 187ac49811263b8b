import type { DeliveryDirectory } from '../delivery/deliveryService';
import type { PeerAccess } from '../net/protocolService';
import type { Db } from '../store/encryptedDatabase';
import { ContactRepository } from '../store/repositories/contactRepository';
import { ContactRequestRepository } from '../store/repositories/contactRequestRepository';

/**
 * Who is who, from the database: devices (PeerId ↔ identity key, seal key,
 * addresses, announced relays) and contacts (trust, blocking, relaying).
 * better-sqlite3 is synchronous and these are indexed point lookups, so the
 * node's per-stream access checks can ask the database directly and never
 * see a stale cache.
 */
export interface DeviceRecord {
  peerId: string;
  identityKey: Uint8Array;
  addresses: string[];
  sealPublicKey: Uint8Array | null;
}

interface DeviceRow {
  peer_id: string;
  identity_key: Buffer;
  addresses: string;
  seal_public: Buffer | null;
}

/**
 * A device's stored multiaddrs (devices.addresses, JSON). A damaged value
 * reads as none: an address is only a hint for dialing, and one bad row must
 * not stop delivery to every other device.
 */
export function parseAddresses(json: string): string[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

export class Directory implements DeliveryDirectory, PeerAccess {
  private readonly requests: ContactRequestRepository;

  constructor(
    private readonly db: Db,
    private readonly self: string,
    private readonly now: () => number = Date.now,
  ) {
    this.requests = new ContactRequestRepository(db);
  }

  /** Any device we share a contact or a conversation with may talk to us beyond contact-request. */
  isKnown(peer: string): boolean {
    return this.db.prepare('SELECT 1 FROM devices WHERE peer_id = ?').get(peer) !== undefined;
  }

  /** Some device we know (a contact's, a group member's, our own) is certified by this identity key. */
  knowsIdentity(identityKey: Uint8Array): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM devices WHERE identity_key = ? LIMIT 1')
        .get(Buffer.from(identityKey)) !== undefined
    );
  }

  /** Its contact request waits for the user: not a stranger to the connection budget. */
  hasPendingRequest(peer: string): boolean {
    return this.requests.hasPending(peer);
  }

  isBlocked(peer: string): boolean {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
           WHERE d.peer_id = ? AND c.blocked = 1`,
        )
        .get(peer) !== undefined
    );
  }

  sealPublicKey(peer: string): Uint8Array | null {
    const r = this.db.prepare('SELECT seal_public FROM devices WHERE peer_id = ?').get(peer) as
      { seal_public: Buffer | null } | undefined;
    return r?.seal_public ? new Uint8Array(r.seal_public) : null;
  }

  relaysOf(peer: string): string[] {
    return (
      this.db
        .prepare('SELECT relay_peer_id FROM device_relays WHERE peer_id = ? ORDER BY relay_peer_id')
        .all(peer) as { relay_peer_id: string }[]
    ).map((r) => r.relay_peer_id);
  }

  /** A contact's device (not blocked): it may hold envelopes for us, so we fetch from it. */
  isHolder(peer: string): boolean {
    return this.contactDevice(peer, false);
  }

  /** We hold envelopes for a contact's device that we relay for. */
  holdsFor(recipient: string): boolean {
    return this.contactDevice(recipient, true);
  }

  /** Our relays: the devices of our contacts (not blocked). Announced in our profile. */
  ownRelays(): string[] {
    return (
      this.db
        .prepare(
          `SELECT d.peer_id FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
           WHERE c.blocked = 0 AND c.removed_at IS NULL AND d.is_self = 0 AND d.peer_id != ? ORDER BY d.peer_id LIMIT 16`,
        )
        .all(this.self) as { peer_id: string }[]
    ).map((r) => r.peer_id);
  }

  contactDevices(): DeviceRecord[] {
    return (
      this.db
        .prepare(
          `SELECT d.* FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
           WHERE c.blocked = 0 AND c.removed_at IS NULL AND d.peer_id != ?`,
        )
        .all(this.self) as DeviceRow[]
    ).map(toRecord);
  }

  device(peer: string): DeviceRecord | null {
    const r = this.db.prepare('SELECT * FROM devices WHERE peer_id = ?').get(peer) as DeviceRow | undefined;
    return r ? toRecord(r) : null;
  }

  /**
   * Records a device. A PeerId already bound to another identity key is not
   * rebound (that would let one user's claim redirect another's envelopes).
   */
  upsertDevice(d: {
    peerId: string;
    identityKey: Uint8Array;
    addresses?: string[];
    sealPublicKey?: Uint8Array;
    /** The device certificate it proved itself with (identity/deviceCertificate.ts), kept for later. */
    certificate?: Uint8Array;
  }): boolean {
    const existing = this.db.prepare('SELECT identity_key FROM devices WHERE peer_id = ?').get(d.peerId) as
      { identity_key: Buffer } | undefined;
    if (existing && !existing.identity_key.equals(Buffer.from(d.identityKey))) {
      this.recordKeyChange(d.peerId, existing.identity_key, d.identityKey);
      return false;
    }
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
        seal: d.sealPublicKey ? Buffer.from(d.sealPublicKey) : null,
        certificate: d.certificate ? Buffer.from(d.certificate) : null,
        now: this.now(),
      });
    return true;
  }

  /**
   * Checks a claim that `peer` belongs to `identityKey` without binding
   * anything: 'changed' when the device is bound to another key (a
   * pending key change is then recorded for that contact, see
   * recordKeyChange), 'same' when it matches, 'unknown' for a new device.
   */
  checkIdentity(peer: string, identityKey: Uint8Array): 'unknown' | 'same' | 'changed' {
    const existing = this.db.prepare('SELECT identity_key FROM devices WHERE peer_id = ?').get(peer) as
      { identity_key: Buffer } | undefined;
    if (!existing) return 'unknown';
    if (existing.identity_key.equals(Buffer.from(identityKey))) return 'same';
    this.recordKeyChange(peer, existing.identity_key, identityKey);
    return 'changed';
  }

  /**
   * Trust on first use (docs/threat-model.md "Key changes"): a device that
   * presents a different identity key is not rebound; if it belongs to a
   * contact, the change waits for the user to verify and accept it. The
   * callers often run inside a transaction that they roll back when the
   * device is refused, so the record is written again once that transaction
   * is over (the UPDATE is idempotent): the user is told even then.
   */
  private recordKeyChange(peer: string, knownKey: Buffer, newKey: Uint8Array): void {
    const contacts = new ContactRepository(this.db);
    const record = () => contacts.recordKeyChange(knownKey, peer, newKey, this.now());
    record();
    if (this.db.inTransaction) {
      setImmediate(() => {
        try {
          if (this.db.open) record();
        } catch {
          // The profile was locked meanwhile: the next claim records it again.
        }
      });
    }
  }

  setRelays(peer: string, relays: readonly string[]): void {
    this.db.prepare('DELETE FROM device_relays WHERE peer_id = ?').run(peer);
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO device_relays (peer_id, relay_peer_id) VALUES (?, ?)',
    );
    for (const r of relays) insert.run(peer, r);
  }

  private contactDevice(peer: string, relaying: boolean): boolean {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM devices d JOIN contacts c ON c.identity_key = d.identity_key
           WHERE d.peer_id = ? AND c.blocked = 0 AND c.removed_at IS NULL AND (? = 0 OR c.relay_for = 1)`,
        )
        .get(peer, relaying ? 1 : 0) !== undefined
    );
  }
}

function toRecord(r: DeviceRow): DeviceRecord {
  return {
    peerId: r.peer_id,
    identityKey: new Uint8Array(r.identity_key),
    addresses: parseAddresses(r.addresses),
    sealPublicKey: r.seal_public ? new Uint8Array(r.seal_public) : null,
  };
}
