import { createHash } from 'node:crypto';
import { ParleyError } from '../errors';
import { verifyDeviceCertificate } from '../identity/deviceCertificate';
import type {
  ContactRequestReply,
  ContactRequestStatus,
  InboundContactRequest,
  WireDeviceListHead,
} from '../net/contactRequestProtocol';
import type { DeviceProof, DeviceProofs } from './deviceProofs';
import { peerTag } from '../net/protocolService';
import type { ContactRequestRepository } from '../store/repositories/contactRequestRepository';
import type { Store } from '../store/store';
import { errorFields, type Logger } from '../util/logger';
import type { Directory } from './directory';
import type { ParleyNode } from '../net/parleyNode';

/**
 * Contact requests in (issue #4, hardened by issue #14 items 2 and 4).
 *
 * A request names an identity key; the transport only proves the PeerId.
 * The device proves the identity key with a device certificate
 * (identity/deviceCertificate.ts). The rules (docs/threat-model.md,
 * "Strangers"):
 *  - a request that claims an identity we know (our own, a contact's, a
 *    group member's) without a valid certificate is refused and not stored:
 *    nobody can pose as a new device of someone we know;
 *  - a proven request for a contact's identity is shown as a new device of
 *    that contact, under the contact's own name, never the name it claims;
 *  - an unproven request from an identity we do not know is shown as a new
 *    person, marked as unproven (its claim is worth nothing, so it can be
 *    nobody's impostor either);
 *  - a blocked contact's new device is refused like the contact;
 *  - issue 18 (docs/protocol.md §13.6, "Outside groups"): for a person with a
 *    device list, "proven" means active in that list (deviceProofs.ts); a
 *    device the list does not name, or removed, or shown with a kind 1
 *    certificate while it is not entry 0, is refused. A new person's list,
 *    fetched from the requester, is kept once they are a contact.
 * Pending requests expire after 30 days and at most 200 are kept (the
 * oldest go first), so strangers cannot grow the database without bound.
 */

export interface PendingContactRequest {
  id: number;
  peerId: string;
  identityKey: Uint8Array;
  /** What the request calls its sender (untrusted text). */
  displayName: string;
  message: string;
  receivedAt: number;
  /** The device showed a valid certificate by the identity key it claims. */
  proven: boolean;
  /** Proven and that identity is a contact's: a new device of this contact. */
  contactId: number | null;
}

export const CONTACT_REQUEST_LIMITS = {
  /** Pending requests kept; beyond it the oldest are dropped. */
  maxPending: 200,
  /** Pending requests expire, and answers are forgotten, after this long. */
  ttlMs: 30 * 24 * 3600_000,
};

export interface ContactRequestsDeps {
  store: Store;
  directory: Directory;
  net: Pick<ParleyNode, 'keepConnected'>;
  identity: { publicKey: Uint8Array };
  /** This device's certificate, sent with every answer that takes a request. */
  deviceCertificate: Uint8Array;
  /** Judges a requester's device against its person's device list (issue 18); without it, issue 14's rule. */
  proofs?: Pick<DeviceProofs, 'check' | 'keep'>;
  /** This person's device-list head, sent with every answer that takes a request. */
  deviceListHead?: () => WireDeviceListHead | null;
  /** Records that we answered `peer`, so it may fetch our list for the next 10 minutes (§13.4). */
  noteContacted?: (peer: string) => void;
  sealPublicKey: Uint8Array;
  logger: Logger;
  now: () => number;
  /** Runs work after the answer (dial, announce); failures are logged. */
  track: (p: Promise<void>) => void;
  /** Tells every conversation our new relay list. */
  announce: () => Promise<void>;
  limits?: Partial<typeof CONTACT_REQUEST_LIMITS>;
}

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

export class ContactRequests {
  private readonly limits: typeof CONTACT_REQUEST_LIMITS;

  private readonly repo: ContactRequestRepository;
  /** Lists fetched from requesters not yet contacts, kept until the user answers (memory, bounded). */
  private readonly fetchedLists = new Map<string, { identityKey: Uint8Array; entries: Uint8Array[] }>();

  constructor(private readonly deps: ContactRequestsDeps) {
    this.repo = deps.store.contactRequests;
    this.limits = { ...CONTACT_REQUEST_LIMITS, ...deps.limits };
  }

  /** The node's contact-request handler. */
  onRequest = async (req: InboundContactRequest): Promise<ContactRequestStatus | ContactRequestReply> => {
    const { directory, logger } = this.deps;
    // A device we know under another identity key: a key change for the user
    // to review (recorded only when the new key proved itself by its
    // certificate), not a stranger, and never a device of the new key.
    const known = directory.device(req.from);
    if (known && !Buffer.from(known.identityKey).equals(Buffer.from(req.identityKey))) {
      if (verifyDeviceCertificate(req.deviceCertificate, { peerId: req.from, identityKey: req.identityKey }))
        directory.checkIdentity(req.from, req.identityKey);
      return 'rejected';
    }
    const proof = await this.prove(req);
    if (proof.status === 'refused') return 'rejected';
    const proven = proof.status === 'proven';
    if (proof.status === 'proven' && proof.entries)
      this.keepForLater(req.from, req.identityKey, proof.entries);
    const contact = this.deps.store.contacts.byIdentityKey(req.identityKey);
    if (!proven && this.isKnownIdentity(req.identityKey)) {
      logger.log('warn', 'messaging.contact_request_unproven', { peer: peerTag(req.from) });
      return 'rejected';
    }
    if (contact?.blocked) return 'rejected';
    if (req.inviteToken) return this.acceptWithToken(req, req.inviteToken, proven);
    this.deps.noteContacted?.(req.from);
    this.prune();
    const stored = this.repo.recordPending({
      peerId: req.from,
      identityKey: Buffer.from(req.identityKey),
      displayName: req.displayName,
      message: req.message,
      receivedAt: this.deps.now(),
      proven,
      certificate: proven ? (req.deviceCertificate ?? null) : null,
    });
    if (stored) logger.log('info', 'messaging.contact_requested', { peer: peerTag(req.from), proven });
    return this.received();
  };

  /** A 'received' answer: our certificate and device-list head, so the requester can check this device. */
  private received(extra: Partial<ContactRequestReply> = {}): ContactRequestReply {
    const head = this.deps.deviceListHead?.() ?? null;
    return {
      status: 'received',
      ...extra,
      deviceCertificate: this.deps.deviceCertificate,
      ...(head !== null ? { deviceListHead: head } : {}),
    };
  }

  /** The requester's device judged by its person's list (issue 18), or by issue 14's certificate rule. */
  private async prove(req: InboundContactRequest): Promise<DeviceProof> {
    if (this.deps.proofs)
      return this.deps.proofs.check({
        from: req.from,
        identityKey: req.identityKey,
        certificate: req.deviceCertificate,
        head: req.deviceListHead,
      });
    const kind1 = verifyDeviceCertificate(req.deviceCertificate, {
      peerId: req.from,
      identityKey: req.identityKey,
    });
    return kind1 ? { status: 'proven', entries: null } : { status: 'unproven' };
  }

  private keepForLater(peer: string, identityKey: Uint8Array, entries: Uint8Array[]): void {
    this.fetchedLists.delete(peer);
    this.fetchedLists.set(peer, { identityKey, entries });
    while (this.fetchedLists.size > this.limits.maxPending) {
      const oldest = this.fetchedLists.keys().next().value;
      if (oldest === undefined) break;
      this.fetchedLists.delete(oldest);
    }
  }

  /** Inside the transaction that made `peer`'s person a contact: store the list it showed, if fetched. */
  private keepFetchedList(peer: string, identityKey: Uint8Array): void {
    const held = this.fetchedLists.get(peer);
    if (!held || !Buffer.from(held.identityKey).equals(Buffer.from(identityKey))) return;
    this.fetchedLists.delete(peer);
    this.deps.proofs?.keep(identityKey, held.entries, peer);
  }

  /** Pending requests, oldest first (expired ones are gone first). */
  pending(): PendingContactRequest[] {
    this.prune();
    return this.repo.pending().map((r) => {
      const contact = r.proven ? this.deps.store.contacts.byIdentityKey(r.identityKey) : null;
      return {
        id: r.id,
        peerId: r.peerId,
        identityKey: new Uint8Array(r.identityKey),
        displayName: r.displayName,
        message: r.message,
        receivedAt: r.receivedAt,
        proven: r.proven,
        contactId: contact?.id ?? null,
      };
    });
  }

  /**
   * The user accepted: a contact now (start a DM with createDm). A new device
   * of a known contact joins that contact, whose name stays as it is.
   */
  async accept(id: number): Promise<number> {
    const { store, directory } = this.deps;
    const request = this.repo.getPending(id);
    if (!request) throw new ParleyError('INVALID_PARAMS', 'No such pending contact request.');
    const now = this.deps.now();
    const contactId = store.tx.run(() => {
      const existing = store.contacts.byIdentityKey(request.identityKey);
      if (existing && !request.proven) {
        // Stored as a new person, and since then someone of that identity became known.
        throw new ParleyError(
          'INVALID_STATE',
          `This request claims to come from ${existing.localName ?? existing.displayName} but cannot prove it.`,
        );
      }
      const cid =
        existing && existing.removedAt === null
          ? existing.id
          : store.contacts.upsert(request.identityKey, request.displayName, now);
      const bound = directory.upsertDevice({
        peerId: request.peerId,
        identityKey: request.identityKey,
        ...(request.certificate ? { certificate: request.certificate } : {}),
      });
      if (!bound) {
        throw new ParleyError('INVALID_STATE', 'That device belongs to another contact.');
      }
      this.keepFetchedList(request.peerId, request.identityKey);
      this.repo.markAccepted(id, now);
      return cid;
    });
    await this.deps.net.keepConnected(request.peerId);
    await this.deps.announce();
    return contactId;
  }

  decline(id: number): void {
    this.repo.decline(id, this.deps.now());
  }

  /** Drops expired requests and the oldest beyond the cap. */
  prune(): void {
    try {
      const gone = this.repo.prune(this.deps.now(), this.limits);
      if (gone > 0) this.deps.logger.log('info', 'messaging.contact_requests_pruned', { count: gone });
    } catch (err) {
      this.deps.logger.log('warn', 'messaging.contact_requests_prune_failed', errorFields(err));
    }
  }

  /** Our own identity, a contact's, or a group member's (any device row names it). */
  private isKnownIdentity(identityKey: Uint8Array): boolean {
    return (
      Buffer.from(identityKey).equals(Buffer.from(this.deps.identity.publicKey)) ||
      this.deps.store.contacts.byIdentityKey(identityKey) !== null ||
      this.deps.directory.knowsIdentity(identityKey)
    );
  }

  /** A request presenting one of our invite tokens: a contact at once, no question asked. */
  private acceptWithToken(
    req: InboundContactRequest,
    token: Uint8Array,
    proven: boolean,
  ): ContactRequestStatus | ContactRequestReply {
    const { store, directory, logger } = this.deps;
    const now = this.deps.now();
    const accepted = () =>
      store.tx.run(() => {
        if (!this.deps.store.invites.consume(sha256(token), req.from, now)) return false;
        const existing = store.contacts.byIdentityKey(req.identityKey);
        if (!existing || existing.removedAt !== null) {
          store.contacts.upsert(Buffer.from(req.identityKey), req.displayName, now);
        }
        const bound = directory.upsertDevice({
          peerId: req.from,
          identityKey: req.identityKey,
          ...(proven && req.deviceCertificate ? { certificate: req.deviceCertificate } : {}),
        });
        if (!bound) throw new ParleyError('INVALID_PARAMS', 'device bound to another identity');
        this.keepFetchedList(req.from, req.identityKey);
        return true;
      });
    let ok = false;
    try {
      ok = accepted();
    } catch (err) {
      logger.log('warn', 'messaging.invite_refused', errorFields(err));
    }
    if (!ok) {
      // Only someone holding the token gets "used"; a guessed or expired one stays 'rejected'.
      return this.deps.store.invites.find(sha256(token))?.usedAt != null ? 'used' : 'rejected';
    }
    logger.log('info', 'messaging.contact_added', { peer: peerTag(req.from), via: 'invite', proven });
    this.deps.track(this.deps.net.keepConnected(req.from));
    this.deps.track(this.deps.announce());
    // The invite carried only a hash of our seal key: here is the key (invite.ts), and proof of who we are.
    this.deps.noteContacted?.(req.from);
    return this.received({ sealPublicKey: this.deps.sealPublicKey });
  }
}
