import { createHash, randomBytes } from 'node:crypto';
import { SEAL_PUBLIC_KEY_BYTES } from '../crypto/sealedBox';
import { ParleyError } from '../errors';
import { verifyDeviceCertificate } from '../identity/deviceCertificate';
import type { WireDeviceListHead } from '../net/contactRequestProtocol';
import type { ParleyNode } from '../net/parleyNode';
import type { ParleyProtocols } from '../net/parleyProtocols';
import { peerTag } from '../net/protocolService';
import type { InviteRepository } from '../store/repositories/inviteRepository';
import type { Store } from '../store/store';
import type { Logger } from '../util/logger';
import type { Directory } from './directory';
import type { DeviceProof, DeviceProofs } from './deviceProofs';
import { decodeInvite, encodeInvite, INVITE_USED, sealKeyHash } from './invite';

const INVITE_TTL_MS = 7 * 24 * 3600_000;

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

export interface InviteServiceDeps {
  store: Store;
  directory: Directory;
  net: Pick<ParleyNode, 'peerId' | 'addresses' | 'keepConnected' | 'forget'> & {
    services: Pick<ParleyProtocols, 'contactRequests'>;
  };
  identity: { publicKey: Uint8Array; displayName: string };
  /** This device's certificate by the identity key (identity/deviceCertificate.ts). */
  deviceCertificate: Uint8Array;
  sealPublicKey: Uint8Array;
  /** Judges the answering device against its person's device list (issue 18); without it, issue 14's rule. */
  proofs?: Pick<DeviceProofs, 'check' | 'keep'>;
  /** This person's device-list head, sent with the request (§13.6, "Outside groups"). */
  deviceListHead?: () => WireDeviceListHead | null;
  /** Records that we contact `peer`, so it may fetch our list for the next 10 minutes (§13.4). */
  noteContacted?: (peer: string) => void;
  /** The user's current signed profile card: the name an invite and a request carry. */
  profileCard?: () => { fields: { displayName: string } } | undefined;
  logger: Logger;
  now: () => number;
}

/**
 * Invites both ways: a one-time invite link of ours, and accepting someone
 * else's (docs/protocol.md §4): the contact request with its token, the seal
 * key checked against the invite's hash, the device proven to belong to the
 * invite's identity key, then the inviter recorded as a contact.
 *
 * An invite made on any device names that device and its token is that
 * device's (docs/protocol.md §13.6, "Outside groups"): a linked device's
 * answer proves itself by its person's device list (deviceProofs.ts), which
 * the accepter fetches from it and keeps with the new contact.
 */
export class InviteService {
  private readonly invites: InviteRepository;

  constructor(private readonly deps: InviteServiceDeps) {
    this.invites = deps.store.invites;
  }

  /** A one-time invite link for someone to become our contact. */
  create(options: { ttlMs?: number; addresses?: string[] } = {}): string {
    // 128 bits: unguessable for a one-time, 7-day token, and 16 bytes shorter in the QR code.
    const token = new Uint8Array(randomBytes(16));
    const now = this.deps.now();
    this.invites.create(sha256(token), now, now + (options.ttlMs ?? INVITE_TTL_MS));
    return encodeInvite({
      peerId: this.deps.net.peerId,
      addresses: options.addresses ?? this.deps.net.addresses(),
      identityKey: this.deps.identity.publicKey,
      sealKeyHash: sealKeyHash(this.deps.sealPublicKey),
      displayName: this.ownName(),
      token,
    });
  }

  /**
   * Accepts an invite: connects, presents the token in a contact request (the
   * inviter adds us without asking and answers with its seal key and device
   * certificate), checks that key against the hash in the invite and that the
   * certificate binds the device we reached to the invite's identity key, and
   * records the inviter as a contact. Throws ParleyError('INVALID_PARAMS')
   * for a bad invite, a seal key that does not match it, or a device that
   * cannot prove the identity the invite names (nothing is stored then).
   */
  async accept(text: string): Promise<number> {
    const invite = decodeInvite(text);
    if (!invite) throw new ParleyError('INVALID_PARAMS', 'That is not a valid Parley invite.');
    if (invite.peerId === this.deps.net.peerId) {
      throw new ParleyError('INVALID_PARAMS', 'That invite is your own.');
    }
    const { store, directory, net } = this.deps;
    const existing = directory.device(invite.peerId);
    // A device we know under another identity key: recorded as a key change for the user (TOFU).
    if (existing && directory.checkIdentity(invite.peerId, invite.identityKey) === 'changed') {
      throw new ParleyError('INVALID_PARAMS', 'That device belongs to another contact.');
    }
    await net.keepConnected(invite.peerId, invite.addresses);
    this.deps.noteContacted?.(invite.peerId);
    const head = this.deps.deviceListHead?.() ?? null;
    let reply: Awaited<ReturnType<InviteServiceDeps['net']['services']['contactRequests']['sendForReply']>>;
    try {
      reply = await net.services.contactRequests.sendForReply(invite.peerId, {
        displayName: this.ownName(),
        identityKey: this.deps.identity.publicKey,
        inviteToken: invite.token,
        message: '',
        deviceCertificate: this.deps.deviceCertificate,
        ...(head !== null ? { deviceListHead: head } : {}),
      });
    } catch (err) {
      if (!existing) net.forget(invite.peerId);
      throw err;
    }
    if (reply.status !== 'received') {
      if (!existing) net.forget(invite.peerId);
      if (reply.status === 'used') throw new ParleyError('INVALID_STATE', INVITE_USED);
      throw new ParleyError('INVALID_STATE', 'The invite was refused (used or expired).');
    }
    const seal = reply.sealPublicKey;
    if (
      !seal ||
      seal.length !== SEAL_PUBLIC_KEY_BYTES ||
      !Buffer.from(sealKeyHash(seal)).equals(Buffer.from(invite.sealKeyHash))
    ) {
      // A tampered invite, or a device answering in the inviter's name with another key.
      if (!existing) net.forget(invite.peerId);
      this.deps.logger.log('warn', 'messaging.invite_seal_mismatch', { peer: peerTag(invite.peerId) });
      throw new ParleyError('INVALID_PARAMS', 'That invite does not match the device that answered it.');
    }
    // An invite is only text: anyone can write one naming a contact's identity
    // key and their own device ("Carol, new phone"). The device must prove it.
    const proof = await this.prove(invite, reply);
    if (proof.status !== 'proven') {
      if (!existing) net.forget(invite.peerId);
      this.deps.logger.log('warn', 'messaging.invite_unproven', { peer: peerTag(invite.peerId) });
      throw new ParleyError(
        'INVALID_PARAMS',
        'The device that answered this invite cannot prove it belongs to the person the invite names.',
      );
    }
    return store.tx.run(() => {
      const id = store.contacts.upsert(Buffer.from(invite.identityKey), invite.displayName, this.deps.now());
      const bound = directory.upsertDevice({
        peerId: invite.peerId,
        identityKey: invite.identityKey,
        addresses: invite.addresses,
        sealPublicKey: seal,
        certificate: reply.deviceCertificate,
      });
      if (!bound) throw new ParleyError('INVALID_PARAMS', 'That device belongs to another contact.');
      if (proof.entries) this.deps.proofs?.keep(invite.identityKey, proof.entries, invite.peerId);
      return id;
    });
  }

  /** The answering device judged by its person's list (issue 18), or by issue 14's certificate rule. */
  private async prove(
    invite: { peerId: string; identityKey: Uint8Array },
    reply: { deviceCertificate?: Uint8Array; deviceListHead?: WireDeviceListHead },
  ): Promise<DeviceProof> {
    if (this.deps.proofs)
      return this.deps.proofs.check({
        from: invite.peerId,
        identityKey: invite.identityKey,
        certificate: reply.deviceCertificate,
        head: reply.deviceListHead,
      });
    return verifyDeviceCertificate(reply.deviceCertificate, invite)
      ? { status: 'proven', entries: null }
      : { status: 'unproven' };
  }

  /** The user's display name now (the profile card's, which follows renames). */
  private ownName(): string {
    return this.deps.profileCard?.()?.fields.displayName ?? this.deps.identity.displayName;
  }
}
