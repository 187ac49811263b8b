import type { AbortOptions } from '@libp2p/interface';
import { wireBytes } from './bytes';
import { FRAME_VERSION } from './limits';
import { ContactRequest, ContactResponse } from './proto/contactRequest';
import {
  decodeFrame,
  ensure,
  HandlerError,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolNeeds,
} from './protocolService';
import { PeerRateLimiter } from './tokenBucket';

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
}

export interface InboundContactRequest extends ContactRequestFields {
  /** The requesting device's PeerId, authenticated by the transport. */
  from: string;
}

export type ContactRequestStatus = 'received' | 'rejected';

export type ContactRequestHandler = (request: InboundContactRequest) => Promise<ContactRequestStatus>;

const IDENTITY_KEY_BYTES = 32;

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export class ContactRequestProtocol extends ProtocolService {
  readonly name = 'contactRequest';
  protected override readonly openToUnknownPeers = true;
  private readonly limiter: PeerRateLimiter;

  constructor(
    needs: ProtocolNeeds,
    private readonly onRequest: ContactRequestHandler,
  ) {
    super(needs);
    this.limiter = new PeerRateLimiter(
      needs.limits.contactRequestPerPeer,
      needs.limits.contactRequestGlobal,
      needs.limits.rateLimitPeers,
      needs.clock(),
    );
  }

  protected override admit(peer: string): boolean {
    return this.limiter.take(peer, this.needs.clock());
  }

  private validate(fields: ContactRequestFields): void {
    const { limits } = this.needs;
    ensure(fields.identityKey.length === IDENTITY_KEY_BYTES, 'identity key must be 32 bytes');
    ensure(utf8Length(fields.displayName) <= limits.contactDisplayNameBytes, 'display name too long');
    ensure(utf8Length(fields.message) <= limits.contactMessageBytes, 'message too long');
    ensure(
      fields.inviteToken === undefined || fields.inviteToken.length <= limits.contactInviteTokenBytes,
      'invite token too long',
    );
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
    this.validate(fields);
    const status = await this.callHandler(() => this.onRequest({ from: peer, ...fields }));
    if (status !== 'received' && status !== 'rejected') {
      throw new HandlerError(false, { cause: new TypeError('unknown status') });
    }
    const wire = status === 'received' ? ContactResponse.Status.RECEIVED : ContactResponse.Status.REJECTED;
    await frames.write(ContactResponse.encode({ version: FRAME_VERSION, status: wire }));
    this.countServed();
    await frames.close();
  }

  /** Asks `peer` to become a contact. Throws NetError (a rate-limited request is reset). */
  async send(
    peer: string,
    fields: ContactRequestFields,
    options?: AbortOptions,
  ): Promise<ContactRequestStatus> {
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
          }),
        );
        await frames.close();
        const response = decodeFrame(await readRequired(frames), ContactResponse.decode);
        if (response.status === ContactResponse.Status.RECEIVED) return 'received';
        ensure(response.status === ContactResponse.Status.REJECTED, 'response without a status');
        return 'rejected';
      },
      options,
    );
  }
}
