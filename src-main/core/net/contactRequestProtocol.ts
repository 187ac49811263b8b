import type { AbortOptions } from '@libp2p/interface';
import { wireBytes } from './bytes';
import { FRAME_VERSION } from './limits';
import { ContactRequest, ContactResponse } from './proto/contactRequest.generated';
import {
  decodeFrame,
  ensure,
  HandlerError,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolFactory,
  type ProtocolComponents,
} from './protocolService';

/**
 * /parley/contact-request/1.0.0: the one protocol a peer we do not know may
 * use. Rate-limited per peer and for the whole node (token buckets) before a
 * byte is read, because this is the door any stranger on the LAN can knock on.
 * Field sizes are bounded; the text is untrusted and is handed on as is (the
 * messaging layer renders it as text, never as HTML).
 */

export interface ContactRequestFields {
  displayName: string;
  /** The sender's Ed25519 identity public key, 32 bytes. */
  identityKey: Uint8Array;
  inviteToken?: Uint8Array;
  message: string;
  /** The sender's device certificate (identity/deviceCertificate.ts); opaque here, bounded in size. */
  deviceCertificate?: Uint8Array;
  /** The sender's person's device-list head (docs/protocol.md §13.6, "Outside groups"). */
  deviceListHead?: WireDeviceListHead;
}

/** A device-list head as contact requests and hello carry it. */
export interface WireDeviceListHead {
  seq: number;
  /** SHA-256 of the entry at seq, 32 bytes. */
  hash: Uint8Array;
}

/** A u32 seq and a 32-byte hash. */
export function validHead(h: WireDeviceListHead): boolean {
  return Number.isInteger(h.seq) && h.seq >= 0 && h.seq <= 0xffffffff && h.hash.length === 32;
}

export function headToWire(h: WireDeviceListHead): { seq: number; hash: Uint8Array<ArrayBuffer> } {
  return { seq: h.seq, hash: wireBytes(h.hash) };
}

/** The head field of a decoded frame, as an object to spread (absent when the frame had none). */
export function headFromWire(h: { seq: number; hash: Uint8Array } | undefined): {
  deviceListHead?: WireDeviceListHead;
} {
  return h === undefined ? {} : { deviceListHead: { seq: h.seq, hash: h.hash } };
}

export interface InboundContactRequest extends ContactRequestFields {
  /** The requesting device's PeerId, authenticated by the transport. */
  from: string;
}

/** 'used': the request presented an invite token of ours that someone already used. */
export type ContactRequestStatus = 'received' | 'rejected' | 'used';

/**
 * What the handler answers. `sealPublicKey` only with 'received' for a request
 * that presented a valid invite token: the invite carries just its hash.
 */
export interface ContactRequestReply {
  status: ContactRequestStatus;
  sealPublicKey?: Uint8Array;
  /** With 'received': the answering device's certificate. */
  deviceCertificate?: Uint8Array;
  /** With 'received': the answering device's person's device-list head. */
  deviceListHead?: WireDeviceListHead;
}

export type ContactRequestHandler = (
  request: InboundContactRequest,
) => Promise<ContactRequestStatus | ContactRequestReply>;

/** An X-Wing seal public key is 1,216 bytes; nothing larger is sent or accepted. */
const MAX_SEAL_KEY_BYTES = 1216;
/** A device certificate is ~160 bytes (identity/deviceCertificate.ts). */
export const MAX_CERTIFICATE_BYTES = 512;

const IDENTITY_KEY_BYTES = 32;

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export interface ContactRequestInit {
  /** Takes an inbound request (or registered later with handle()). */
  onRequest?: ContactRequestHandler;
}

/** The contact-request protocol as a node service (ParleyNode.create's `services`). */
export function contactRequestProtocol(
  init: ContactRequestInit = {},
): ProtocolFactory<ContactRequestProtocol> {
  return (components) => new ContactRequestProtocol(components, init);
}

export class ContactRequestProtocol extends ProtocolService<ContactRequestHandler> {
  readonly name = 'contactRequest';

  constructor(components: ProtocolComponents, init: ContactRequestInit = {}) {
    const { contactRequestPerPeer, contactRequestGlobal } = components.limits;
    super(components, {
      handler: init.onRequest,
      openToUnknownPeers: true,
      rateLimit: { perPeer: contactRequestPerPeer, global: contactRequestGlobal },
    });
  }

  private validate(fields: ContactRequestFields): void {
    const { limits } = this.components;
    ensure(fields.identityKey.length === IDENTITY_KEY_BYTES, 'identity key must be 32 bytes');
    ensure(utf8Length(fields.displayName) <= limits.contactDisplayNameBytes, 'display name too long');
    ensure(utf8Length(fields.message) <= limits.contactMessageBytes, 'message too long');
    ensure(
      fields.inviteToken === undefined || fields.inviteToken.length <= limits.contactInviteTokenBytes,
      'invite token too long',
    );
    ensure(
      fields.deviceCertificate === undefined || fields.deviceCertificate.length <= MAX_CERTIFICATE_BYTES,
      'device certificate too long',
    );
    ensure(fields.deviceListHead === undefined || validHead(fields.deviceListHead), 'bad device list head');
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    const request = decodeFrame(await readRequired(frames), ContactRequest.decode);
    ensure(request.identityKey !== undefined, 'identity key missing');
    const fields: ContactRequestFields = {
      displayName: request.displayName,
      identityKey: request.identityKey,
      message: request.message,
    };
    if (request.inviteToken !== undefined && request.inviteToken.length > 0) {
      fields.inviteToken = request.inviteToken;
    }
    if (request.deviceCertificate !== undefined && request.deviceCertificate.length > 0) {
      fields.deviceCertificate = request.deviceCertificate;
    }
    Object.assign(fields, headFromWire(request.deviceListHead));
    this.validate(fields);
    const onRequest = this.served;
    const answer = await this.callHandler(() => onRequest({ from: peer, ...fields }));
    const reply: ContactRequestReply = typeof answer === 'string' ? { status: answer } : answer;
    const { status, sealPublicKey, deviceCertificate, deviceListHead } = reply;
    if (status !== 'received' && status !== 'rejected' && status !== 'used') {
      throw new HandlerError(false, { cause: new TypeError('unknown status') });
    }
    if (sealPublicKey !== undefined && (status !== 'received' || sealPublicKey.length > MAX_SEAL_KEY_BYTES)) {
      throw new HandlerError(false, { cause: new TypeError('seal key only with received, ≤ 1216 bytes') });
    }
    if (
      deviceCertificate !== undefined &&
      (status !== 'received' || deviceCertificate.length > MAX_CERTIFICATE_BYTES)
    ) {
      throw new HandlerError(false, { cause: new TypeError('certificate only with received, ≤ 512 bytes') });
    }
    if (deviceListHead !== undefined && (status !== 'received' || !validHead(deviceListHead))) {
      throw new HandlerError(false, { cause: new TypeError('head only with received, u32 and 32 bytes') });
    }
    const wire =
      status === 'received'
        ? ContactResponse.Status.RECEIVED
        : status === 'used'
          ? ContactResponse.Status.INVITE_USED
          : ContactResponse.Status.REJECTED;
    await frames.write(
      ContactResponse.encode({
        version: FRAME_VERSION,
        status: wire,
        ...(sealPublicKey ? { sealPublicKey: wireBytes(sealPublicKey) } : {}),
        ...(deviceCertificate ? { deviceCertificate: wireBytes(deviceCertificate) } : {}),
        ...(deviceListHead ? { deviceListHead: headToWire(deviceListHead) } : {}),
      }),
    );
    this.countServed();
    await frames.close();
  }

  /** Asks `peer` to become a contact. Throws NetError (a rate-limited request is reset). */
  async send(
    peer: string,
    fields: ContactRequestFields,
    options?: AbortOptions,
  ): Promise<ContactRequestStatus> {
    return (await this.sendForReply(peer, fields, options)).status;
  }

  /** Like send(), with the seal key an inviter hands over when it accepted our invite token. */
  async sendForReply(
    peer: string,
    fields: ContactRequestFields,
    options?: AbortOptions,
  ): Promise<ContactRequestReply> {
    try {
      this.validate(fields);
    } catch (err) {
      throw new RangeError('contact request fields out of bounds', { cause: err });
    }
    return this.request(
      peer,
      async (frames) => {
        await frames.write(
          ContactRequest.encode({
            version: FRAME_VERSION,
            displayName: fields.displayName,
            identityKey: wireBytes(fields.identityKey),
            inviteToken: fields.inviteToken === undefined ? undefined : wireBytes(fields.inviteToken),
            message: fields.message,
            deviceCertificate:
              fields.deviceCertificate === undefined ? undefined : wireBytes(fields.deviceCertificate),
            deviceListHead:
              fields.deviceListHead === undefined ? undefined : headToWire(fields.deviceListHead),
          }),
        );
        await frames.close();
        const response = decodeFrame(await readRequired(frames), ContactResponse.decode);
        const seal = response.sealPublicKey;
        const certificate = response.deviceCertificate;
        ensure(seal === undefined || seal.length <= MAX_SEAL_KEY_BYTES, 'seal key too long');
        ensure(
          certificate === undefined || certificate.length <= MAX_CERTIFICATE_BYTES,
          'device certificate too long',
        );
        const head = headFromWire(response.deviceListHead);
        ensure(head.deviceListHead === undefined || validHead(head.deviceListHead), 'bad device list head');
        if (response.status === ContactResponse.Status.RECEIVED) {
          return {
            ...head,
            status: 'received',
            ...(seal && seal.length > 0 ? { sealPublicKey: seal } : {}),
            ...(certificate && certificate.length > 0 ? { deviceCertificate: certificate } : {}),
          };
        }
        const refused = response.status === ContactResponse.Status.INVITE_USED ? 'used' : 'rejected';
        ensure(
          refused === 'used' || response.status === ContactResponse.Status.REJECTED,
          'response without a status',
        );
        ensure(seal === undefined || seal.length === 0, 'seal key in a rejection');
        ensure(certificate === undefined || certificate.length === 0, 'certificate in a rejection');
        ensure(head.deviceListHead === undefined, 'head in a rejection');
        return { status: refused };
      },
      options,
    );
  }
}
