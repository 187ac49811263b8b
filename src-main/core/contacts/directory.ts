import type { DeliveryDirectory } from '../delivery/deliveryService';
import type { PeerAccess } from '../net/protocolService';
import type { StoredDevice } from '../store/repositories/deviceRepository';
import type { Store } from '../store/store';

/**
 * Who is who, from the database: devices (PeerId ↔ identity key, seal key,
 * addresses, announced relays) and contacts (trust, blocking, relaying).
 * better-sqlite3 is synchronous and these are indexed point lookups
 * (store/repositories/deviceRepository.ts), so the node's per-stream access
 * checks can ask the database directly and never see a stale cache.
 */
export interface DeviceRecord {
  peerId: string;
  identityKey: Uint8Array;
  addresses: string[];
  sealPublicKey: Uint8Array | null;
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

/** The repositories the directory reads and writes. */
export type DirectoryRepositories = Pick<Store, 'devices' | 'contacts' | 'contactRequests' | 'tx'>;

export class Directory implements DeliveryDirectory, PeerAccess {
  constructor(
    private readonly repos: DirectoryRepositories,
    private readonly self: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Any device we share a contact or a conversation with may talk to us beyond contact-request. */
  isKnown(peer: string): boolean {
    return this.repos.devices.exists(peer);
  }

  /** Some device we know (a contact's, a group member's, our own) is certified by this identity key. */
  knowsIdentity(identityKey: Uint8Array): boolean {
    return this.repos.devices.existsForIdentity(identityKey);
  }

  /** Its contact request waits for the user: not a stranger to the connection budget. */
  hasPendingRequest(peer: string): boolean {
    return this.repos.contactRequests.hasPending(peer);
  }

  isBlocked(peer: string): boolean {
    return this.repos.devices.isBlocked(peer);
  }

  sealPublicKey(peer: string): Uint8Array | null {
    const key = this.repos.devices.sealPublic(peer);
    return key ? new Uint8Array(key) : null;
  }

  relaysOf(peer: string): string[] {
    return this.repos.devices.relaysOf(peer);
  }

  /** A contact's device (not blocked): it may hold envelopes for us, so we fetch from it. */
  isHolder(peer: string): boolean {
    return this.repos.devices.isContactDevice(peer, false);
  }

  /** We hold envelopes for a contact's device that we relay for. */
  holdsFor(recipient: string): boolean {
    return this.repos.devices.isContactDevice(recipient, true);
  }

  /** Our relays: the devices of our contacts (not blocked). Announced in our profile. */
  ownRelays(): string[] {
    return this.repos.devices.relayCandidates(this.self);
  }

  contactDevices(): DeviceRecord[] {
    return this.repos.devices.ofContacts(this.self).map(toRecord);
  }

  device(peer: string): DeviceRecord | null {
    const r = this.repos.devices.get(peer);
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
    const existing = this.repos.devices.identityKeyOf(d.peerId);
    if (existing && !existing.equals(Buffer.from(d.identityKey))) {
      this.recordKeyChange(d.peerId, existing, d.identityKey);
      return false;
    }
    this.repos.devices.upsert({
      peerId: d.peerId,
      identityKey: d.identityKey,
      addresses: d.addresses ?? null,
      sealPublic: d.sealPublicKey ?? null,
      certificate: d.certificate ?? null,
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
    const existing = this.repos.devices.identityKeyOf(peer);
    if (!existing) return 'unknown';
    if (existing.equals(Buffer.from(identityKey))) return 'same';
    this.recordKeyChange(peer, existing, identityKey);
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
    const { contacts, tx } = this.repos;
    const record = () => contacts.recordKeyChange(knownKey, peer, newKey, this.now());
    record();
    if (tx.active) {
      setImmediate(() => {
        try {
          if (tx.open) record();
        } catch {
          // The profile was locked meanwhile: the next claim records it again.
        }
      });
    }
  }

  setRelays(peer: string, relays: readonly string[]): void {
    this.repos.devices.setRelays(peer, relays);
  }
}

function toRecord(r: StoredDevice): DeviceRecord {
  return {
    peerId: r.peerId,
    identityKey: new Uint8Array(r.identityKey),
    addresses: parseAddresses(r.addresses),
    sealPublicKey: r.sealPublic ? new Uint8Array(r.sealPublic) : null,
  };
}
