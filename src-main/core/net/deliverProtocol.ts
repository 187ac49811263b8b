import { equalBytes, wireBytes } from './bytes';
import { ENVELOPE_ID_BYTES, FRAME_VERSION, MAX_ENVELOPE_PAYLOAD } from './limits';
import { DeliverAck, DeliverRequest } from './proto/deliver';
import {
  decodeFrame,
  AccessRevoked,
  ensure,
  HandlerError,
  ProtocolService,
  readRequired,
  type InboundContext,
  type ProtocolNeeds,
} from './protocolService';
import type { AbortOptions } from '@libp2p/interface';

/**
 * /parley/deliver/1.0.0: a stream carries envelopes one at a time. The sender
 * writes {envelopeId, payload}; the receiver runs the caller's
 * handler and only after it resolved (its DB transaction committed) writes the
 * ack with the handler's status. A failing or hung handler gets no ack: the
 * stream is reset and the sender's delivery layer retries later, which is safe
 * because envelope ids make redelivery idempotent.
 */

export type DeliverStatus = 'accepted' | 'duplicate' | 'rejected';

export interface InboundEnvelope {
  /** The sending device's PeerId, authenticated by the transport. */
  from: string;
  envelopeId: Uint8Array;
  payload: Uint8Array;
}

/** Commits the envelope (or recognises it as already seen) and says so. */
export type EnvelopeHandler = (envelope: InboundEnvelope) => Promise<DeliverStatus>;

const TO_WIRE: Record<DeliverStatus, DeliverAck.Status> = {
  accepted: DeliverAck.Status.ACCEPTED,
  duplicate: DeliverAck.Status.DUPLICATE,
  rejected: DeliverAck.Status.REJECTED,
};

function fromWire(status: DeliverAck.Status): DeliverStatus | undefined {
  switch (status) {
    case DeliverAck.Status.ACCEPTED:
      return 'accepted';
    case DeliverAck.Status.DUPLICATE:
      return 'duplicate';
    case DeliverAck.Status.REJECTED:
      return 'rejected';
    default:
      return undefined;
  }
}

export class DeliverProtocol extends ProtocolService {
  readonly name = 'deliver';

  constructor(
    needs: ProtocolNeeds,
    private readonly onEnvelope: EnvelopeHandler,
  ) {
    super(needs);
  }

  /**
   * A stream is a session: request/ack pairs in lockstep until the opener
   * half-closes (it reuses the stream for its next envelopes, which saves a
   * stream setup and protocol negotiation per envelope). It must carry at
   * least one request.
   */
  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    for (let first = true; ; first = false) {
      const bytes = first ? await readRequired(frames) : await frames.read();
      if (bytes === null) break;
      if (!first && !this.stillAllowed(peer)) throw new AccessRevoked();
      const request = decodeFrame(bytes, DeliverRequest.decode);
      const { envelopeId, payload } = request;
      ensure(envelopeId?.length === ENVELOPE_ID_BYTES, 'envelope id must be 16 bytes');
      ensure(payload !== undefined && payload.length <= MAX_ENVELOPE_PAYLOAD, 'payload missing or too large');
      const status = await this.callHandler(() => this.onEnvelope({ from: peer, envelopeId, payload }));
      const wire = TO_WIRE[status];
      if (wire === undefined) throw new HandlerError(false, { cause: new TypeError('unknown status') });
      await frames.write(DeliverAck.encode({ version: FRAME_VERSION, envelopeId, status: wire }));
      this.countServed();
    }
    await frames.close();
  }

  /** Delivers one envelope and resolves with the receiver's ack. Throws NetError. */
  async send(
    peer: string,
    envelopeId: Uint8Array,
    payload: Uint8Array,
    options?: AbortOptions,
  ): Promise<DeliverStatus> {
    if (envelopeId.length !== ENVELOPE_ID_BYTES) throw new RangeError('envelope id must be 16 bytes');
    if (payload.length > MAX_ENVELOPE_PAYLOAD) throw new RangeError('payload larger than 256 KiB');
    return this.request(
      peer,
      async (frames) => {
        await frames.write(
          DeliverRequest.encode({
            version: FRAME_VERSION,
            envelopeId: wireBytes(envelopeId),
            payload: wireBytes(payload),
          }),
        );
        const ack = decodeFrame(await readRequired(frames), DeliverAck.decode);
        ensure(
          ack.envelopeId !== undefined && equalBytes(ack.envelopeId, envelopeId),
          'ack for another envelope',
        );
        const status = fromWire(ack.status);
        ensure(status !== undefined, 'ack without a status');
        return status;
      },
      options,
      true,
    );
  }
}
