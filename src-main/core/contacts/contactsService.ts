import { peerIdFromString } from '@libp2p/peer-id';
import { z } from 'zod';
import { SEAL_PUBLIC_KEY_BYTES } from '../crypto/sealedBox';
import { ParleyError } from '../errors';
import { safetyNumber, safetyQrMatches, type SafetyNumber } from '../identity/safetyNumber';
import type { Contact, ContactRepository } from '../store/repositories/contactRepository';
import type { ConversationRepository } from '../store/repositories/conversationRepository';
import type { DeviceRepository, StoredDevice } from '../store/repositories/deviceRepository';
import type { Transactor } from '../store/transactor';
import { parseAddresses } from './directory';

/**
 * What the user does with contacts (issue #4): profile, verification by
 * safety number, key changes, names, blocking, removal, export and import.
 * Works on the database alone: nothing here sends anything. Blocking takes
 * effect at the node through Directory (PeerAccess.isBlocked) on the next
 * stream, without a restart, because the node asks the database each time.
 */

/** The export file's format name and version (bump the version on any change of shape). */
export const CONTACTS_EXPORT_FORMAT = 'parley-contacts';
export const CONTACTS_EXPORT_VERSION = 1;
/** At most this many contacts in one import, and devices per contact. */
const IMPORT_MAX_CONTACTS = 10_000;
const IMPORT_MAX_DEVICES = 16;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Refuses to send in a DM whose contact is blocked or removed: blocking and
 * removal leave the DM as read-only history (docs/threat-model.md "Blocking").
 */
export function assertDmWritable(
  conversations: Pick<ConversationRepository, 'dmContact'>,
  conversationId: number,
): void {
  const r = conversations.dmContact(conversationId);
  if (r?.blocked) {
    throw new ParleyError('INVALID_STATE', `You blocked ${r.name}. Unblock them to send messages.`);
  }
  if (r && r.removedAt !== null) {
    throw new ParleyError(
      'INVALID_STATE',
      `You removed ${r.name} from your contacts. Add them again to send messages.`,
    );
  }
}

const Device = z
  .object({
    peerId: z
      .string()
      .min(1)
      .max(128)
      .refine((p) => {
        try {
          peerIdFromString(p);
          return true;
        } catch {
          return false;
        }
      }, 'is not a libp2p PeerId'),
    addresses: z.array(z.string().startsWith('/').max(256)).max(16).default([]),
    sealPublicKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .refine((s) => Buffer.from(s, 'base64url').length === SEAL_PUBLIC_KEY_BYTES, 'has the wrong length')
      .nullable()
      .default(null),
  })
  .strict();

const ExportedContact = z
  .object({
    displayName: z.string().trim().min(1).max(256),
    localName: z.string().trim().min(1).max(100).nullable().default(null),
    identityKey: z.string().regex(/^[0-9a-f]{64}$/, 'is not a 64-character hex identity key'),
    verified: z.boolean().default(false),
    blocked: z.boolean().default(false),
    devices: z.array(Device).max(IMPORT_MAX_DEVICES).default([]),
  })
  .strict();

const ExportFile = z
  .object({
    format: z.literal(CONTACTS_EXPORT_FORMAT, { message: 'is not a Parley contacts export' }),
    version: z.number().int(),
    exportedAt: z.number().optional(),
    contacts: z.array(ExportedContact).max(IMPORT_MAX_CONTACTS),
  })
  .strict();
type ExportFile = z.infer<typeof ExportFile>;

/** The safety number the user is asked to compare, and whether it is for a key change that waits. */
export interface ContactSafetyNumber {
  number: SafetyNumber;
  forNewKey: boolean;
}

/** What an import did: contacts added, contacts that gained something, entries left as they were. */
export interface ImportResult {
  added: number;
  updated: number;
  skipped: number;
}

export class ContactsService {
  constructor(
    private readonly deps: {
      contacts: ContactRepository;
      devices: DeviceRepository;
      conversations: ConversationRepository;
      tx: Transactor;
      /** This user's identity key (for safety numbers; never imported as a contact). */
      selfIdentityKey: () => Uint8Array;
      now: () => number;
    },
  ) {}

  /** The contact, removed ones included (handlers/contactsPresenter.ts makes the view). */
  profile(id: number): Contact {
    return this.deps.contacts.get(id);
  }

  /** The contact of a DM, or null (a group; a DM without a visible contact). */
  forConversation(conversationId: number): Contact | null {
    const r = this.deps.conversations.kindOf(conversationId);
    if (!r) throw new ParleyError('INVALID_PARAMS', 'No such conversation.');
    if (r.kind !== 'dm' || r.contactId === null) return null;
    const c = this.deps.contacts.byId(r.contactId);
    return c && c.removedAt === null ? c : null;
  }

  /** The number for the key the user is asked to trust: the pending new key while a change waits. */
  safetyNumber(id: number): ContactSafetyNumber {
    const c = this.deps.contacts.get(id);
    const key = c.pendingKeyChange?.identityKey ?? c.identityKey;
    return { number: safetyNumber(this.deps.selfIdentityKey(), key), forNewKey: c.pendingKeyChange !== null };
  }

  verify(id: number, verified: boolean, qrData?: string): Contact {
    const c = this.deps.contacts.get(id);
    if (!verified) {
      this.deps.contacts.setVerified(id, null);
      return this.profile(id);
    }
    if (qrData !== undefined) {
      const name = c.localName ?? c.displayName;
      const ours = safetyNumber(
        this.deps.selfIdentityKey(),
        c.pendingKeyChange?.identityKey ?? c.identityKey,
      );
      if (!qrData.trim().startsWith('parley-safety:')) {
        throw new ParleyError('INVALID_PARAMS', 'That is not a Parley safety number code.');
      }
      if (!safetyQrMatches(qrData, ours)) {
        throw new ParleyError(
          'INVALID_PARAMS',
          `This code does not match your safety number with ${name}. Do not mark them verified: compare the numbers in person.`,
        );
      }
    }
    // Verifying while a key change waits is verifying the new key: it is accepted with it.
    return this.deps.tx.run(() => {
      if (c.pendingKeyChange) this.deps.contacts.acceptKeyChange(id, this.deps.now());
      this.deps.contacts.setVerified(id, this.deps.now());
      return this.profile(id);
    });
  }

  keyChange(id: number, accept: boolean): Contact {
    const c = this.deps.contacts.get(id);
    if (!c.pendingKeyChange)
      throw new ParleyError('INVALID_STATE', 'This contact has no key change waiting.');
    if (accept) this.deps.contacts.acceptKeyChange(id, this.deps.now());
    else this.deps.contacts.dismissKeyChange(id);
    return this.profile(id);
  }

  rename(id: number, name: string | null): Contact {
    this.deps.contacts.get(id);
    const trimmed = name?.trim() ?? '';
    this.deps.contacts.rename(id, trimmed === '' ? null : trimmed);
    return this.profile(id);
  }

  block(id: number, blocked: boolean): Contact {
    this.deps.contacts.get(id);
    this.deps.contacts.setBlocked(id, blocked);
    return this.profile(id);
  }

  remove(id: number): void {
    this.deps.contacts.get(id);
    this.deps.contacts.setRemoved(id, this.deps.now());
  }

  /** Versioned JSON of the visible contacts: public data only (keys, PeerIds, addresses, seal public keys). */
  exportJson(): string {
    const devices = this.devicesByKey();
    const file: ExportFile = {
      format: CONTACTS_EXPORT_FORMAT,
      version: CONTACTS_EXPORT_VERSION,
      exportedAt: this.deps.now(),
      contacts: this.deps.contacts.list().map((c) => ({
        displayName: c.displayName,
        localName: c.localName,
        identityKey: hex(c.identityKey),
        verified: c.verifiedAt !== null,
        blocked: c.blocked,
        devices: (devices.get(hex(c.identityKey)) ?? []).map((d) => ({
          peerId: d.peerId,
          addresses: parseAddresses(d.addresses).slice(0, 16),
          sealPublicKey: d.sealPublic ? d.sealPublic.toString('base64url') : null,
        })),
      })),
    };
    return JSON.stringify(file, null, 2);
  }

  /**
   * Imports an export: new identity keys are added, known ones gain missing
   * devices, a local name and the verified or blocked flag; everything else
   * (ourselves, nothing new, devices bound to another identity) is skipped.
   * The file is validated whole before anything is written, and the import
   * is one transaction: bad input changes nothing.
   */
  importJson(text: string): ImportResult {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ParleyError('INVALID_PARAMS', 'That file is not a contacts export (it is not JSON).');
    }
    const result = ExportFile.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')} ${issue.message})` : '';
      throw new ParleyError('INVALID_PARAMS', `That file is not a valid Parley contacts export${where}.`);
    }
    const file = result.data;
    if (file.version !== CONTACTS_EXPORT_VERSION) {
      throw new ParleyError(
        'INVALID_PARAMS',
        `That contacts export is version ${file.version}; this Parley reads version ${CONTACTS_EXPORT_VERSION}.`,
      );
    }
    const self = hex(this.deps.selfIdentityKey());
    const counts = { added: 0, updated: 0, skipped: 0 };
    const now = this.deps.now();
    this.deps.tx.run(() => {
      for (const entry of file.contacts) {
        if (entry.identityKey === self) {
          counts.skipped++;
          continue;
        }
        const key = Buffer.from(entry.identityKey, 'hex');
        const existing = this.deps.contacts.byIdentityKey(key);
        // Devices bound to another identity are never rebound by a file (that would redirect envelopes).
        const devices = entry.devices.filter((d) => {
          const bound = this.deps.devices.identityKeyOf(d.peerId);
          return !bound || bound.equals(key);
        });
        let changed = false;
        let id: number;
        if (existing) {
          id = existing.id;
          if (existing.removedAt !== null) {
            this.deps.contacts.setRemoved(id, null);
            changed = true;
          }
          if (existing.localName === null && entry.localName !== null) {
            this.deps.contacts.rename(id, entry.localName);
            changed = true;
          }
        } else {
          if (devices.length === 0 && entry.devices.length > 0) {
            counts.skipped++;
            continue;
          }
          id = this.deps.contacts.upsert(key, entry.displayName, now);
          if (entry.localName !== null) this.deps.contacts.rename(id, entry.localName);
        }
        const current = this.deps.contacts.byId(id);
        if (entry.verified && current && current.verifiedAt === null) {
          this.deps.contacts.setVerified(id, now);
          changed = true;
        }
        if (entry.blocked && current && !current.blocked) {
          this.deps.contacts.setBlocked(id, true);
          changed = true;
        }
        for (const d of devices) {
          const imported = this.deps.devices.importDevice({
            peerId: d.peerId,
            identityKey: key,
            addresses: d.addresses,
            sealPublic: d.sealPublicKey ? Buffer.from(d.sealPublicKey, 'base64url') : null,
            now,
          });
          if (imported) changed = true;
        }
        if (!existing) counts.added++;
        else if (changed) counts.updated++;
        else counts.skipped++;
      }
    });
    return counts;
  }

  private devicesByKey(): Map<string, StoredDevice[]> {
    return devicesByIdentityKey(this.deps.devices);
  }
}

/** Other users' known devices, by identity key (hex). */
export function devicesByIdentityKey(devices: Pick<DeviceRepository, 'others'>): Map<string, StoredDevice[]> {
  const out = new Map<string, StoredDevice[]>();
  for (const r of devices.others()) {
    const k = hex(r.identityKey);
    out.set(k, [...(out.get(k) ?? []), r]);
  }
  return out;
}
