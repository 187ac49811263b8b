import { equalBytes, wireBytes } from './bytes';
import { ENVELOPE_ID_BYTES, FRAME_VERSION, MAX_ENVELOPE_PAYLOAD } from './limits';
import { DeliverAck, DeliverRequest } from './proto/deliver.generated';
import {
  decodeFrame,
  AccessRevoked,
  ensure,
  HandlerError,
  ProtocolService,
  readRequired,
  type ProtocolFactory,
  type InboundContext,
  type ProtocolComponents,
} from './protocolService';
import type { AbortOptions } from '@libp2p/interface';

/**
 * /parley/deliver/1.0.0: a stream carries envelopes in order. The sender
 * writes {envelopeId, payload} frames, up to a window ahead of the acks
 * (pipelining: one round trip no longer gates each envelope); the receiver
 * hands each to the caller's handler as it arrives and writes the acks in
 * request order, each only after its handler resolved (its DB transaction
 * committed). A failing or hung handler gets no ack: the stream is reset and
 * the sender's delivery layer retries that envelope and everything after it
 * later, which is safe because envelope ids make redelivery idempotent. The
 * wire format is unchanged: a lockstep sender (window 1) is a special case.
 */

/**
 * Requests in flight on one stream: both the sender's window and the most the
 * receiver reads ahead of its acks. Bounded in count and bytes so a stream
 * never holds more than about PIPELINE_BYTES of payloads besides one frame.
 */
export const PIPELINE_WINDOW = 64;
export const PIPELINE_BYTES = 1024 * 1024;

export type DeliverStatus = 'accepted' | 'duplicate' | 'rejected';

export interface InboundEnvelope {
  /** The sending device's PeerId, authenticated by the transport. */
  from: string;
  envelopeId: Uint8Array;
  payload: Uint8Array;
  /**
   * The same object for every envelope of one stream, in order: once one of
   * them failed (no ack, stream reset) the handler must not commit the ones
   * after it, or a later envelope of a queue could overtake an earlier one.
   */
  session?: object;
}

/** One envelope to send. */
export interface OutboundEnvelope {
  envelopeId: Uint8Array;
  payload: Uint8Array;
}

/** Why an envelope may not be sent (a caller error), or null. */
function envelopeProblem(e: OutboundEnvelope): string | null {
  if (e.envelopeId.length !== ENVELOPE_ID_BYTES) return 'envelope id must be 16 bytes';
  if (e.payload.length > MAX_ENVELOPE_PAYLOAD) return 'payload larger than 256 KiB';
  return null;
}

/** What a pipelined send got: the acks of a prefix of the run, and why it stopped, if it did. */
export interface SendManyResult {
  statuses: DeliverStatus[];
  /** Set when fewer statuses than envelopes came back (a NetError). */
  error?: unknown;
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

export interface DeliverInit {
  /** Commits an inbound envelope; resolves with the status to ack (or registered later with handle()). */
  onEnvelope?: EnvelopeHandler;
}

/** The deliver protocol as a node service (ParleyNode.create's `services`). */
export function deliverProtocol(init: DeliverInit = {}): ProtocolFactory<DeliverProtocol> {
  return (components) => new DeliverProtocol(components, init);
}

export class DeliverProtocol extends ProtocolService<EnvelopeHandler> {
  readonly name = 'deliver';

  constructor(components: ProtocolComponents, init: DeliverInit = {}) {
    super(components, { handler: init.onEnvelope });
  }

  /**
   * A stream is a session: requests until the opener half-closes (it reuses
   * the stream for its next envelopes, which saves a stream setup and
   * protocol negotiation per envelope). It must carry at least one request.
   * Requests are read ahead of their acks (at most PIPELINE_WINDOW and
   * PIPELINE_BYTES outstanding) and handed to the handler in order; acks are
   * written in the same order. The first failed handler ends the session
   * (reset, no further ack), and later envelopes of the session carry the
   * same `session` object so the handler can refuse to commit them.
   */
  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    const onEnvelope = this.served;
    const session = {};
    const outstanding: { bytes: number; done: Promise<void> }[] = [];
    let outstandingBytes = 0;
    let failure: unknown;
    let acks: Promise<void> = Promise.resolve();
    try {
      for (let first = true; failure === undefined; first = false) {
        // Read ahead only within the window; otherwise wait for the oldest ack.
        while (
          outstanding.length > 0 &&
          (outstanding.length >= PIPELINE_WINDOW || outstandingBytes >= PIPELINE_BYTES)
        ) {
          await outstanding[0]?.done;
        }
        if (failure !== undefined) break;
        const bytes = first ? await readRequired(frames) : await frames.read();
        if (bytes === null) break;
        if (!first && !this.stillAllowed(peer)) throw new AccessRevoked();
        const request = decodeFrame(bytes, DeliverRequest.decode);
        const { envelopeId, payload } = request;
        ensure(envelopeId?.length === ENVELOPE_ID_BYTES, 'envelope id must be 16 bytes');
        ensure(
          payload !== undefined && payload.length <= MAX_ENVELOPE_PAYLOAD,
          'payload missing or too large',
        );
        const handled = this.callHandler(() => onEnvelope({ from: peer, envelopeId, payload, session }));
        // Observed below, in order; this only keeps an early rejection from being "unhandled".
        handled.catch(() => undefined);
        const entry = { bytes: payload.length, done: Promise.resolve() };
        acks = acks.then(async () => {
          const status = await handled;
          const wire = TO_WIRE[status];
          if (wire === undefined) throw new HandlerError(false, { cause: new TypeError('unknown status') });
          await frames.write(DeliverAck.encode({ version: FRAME_VERSION, envelopeId, status: wire }));
          this.countServed();
        });
        const settled = acks.then(
          () => undefined,
          (err: unknown) => {
            if (failure === undefined) {
              failure = err;
              // Wakes a reader blocked on the next frame: the session is over.
              frames.abort(err instanceof Error ? err : new Error('deliver handler failed'));
            }
          },
        );
        entry.done = settled.finally(() => {
          outstanding.shift();
          outstandingBytes -= entry.bytes;
        });
        outstanding.push(entry);
        outstandingBytes += entry.bytes;
      }
    } catch (err) {
      // A read that failed because a handler failed first: report the handler.
      await Promise.allSettled(outstanding.map((o) => o.done));
      throw failure ?? err;
    }
    await Promise.allSettled(outstanding.map((o) => o.done));
    if (failure !== undefined) throw failure;
    await frames.close();
  }

  /**
   * Delivers a run of envelopes over one stream, in order, keeping up to
   * PIPELINE_WINDOW (and PIPELINE_BYTES) unacknowledged. Never throws for
   * network failures: returns the statuses of the acked prefix and the error
   * that stopped the rest (the envelopes after the prefix were not acked and
   * may or may not have been committed: retry them with the same ids).
   */
  async sendMany(
    peer: string,
    initial: readonly OutboundEnvelope[],
    options?: AbortOptions & {
      /**
       * Asked for the envelopes that follow, in order, whenever everything
       * given so far has been written and the window has room (after each
       * ack): a queue that grows while it is being sent keeps streaming on
       * the same stream instead of waiting for this run's last ack and a new
       * stream. Return none to let the run end once all are acked. Statuses
       * cover `initial` and then what `more` returned, in that order.
       */
      more?: () => readonly OutboundEnvelope[];
    },
  ): Promise<SendManyResult> {
    for (const e of initial) {
      const problem = envelopeProblem(e);
      if (problem !== null) throw new RangeError(problem);
    }
    const envelopes = [...initial];
    const more = options?.more;
    const statuses: DeliverStatus[] = [];
    if (envelopes.length === 0) return { statuses };
    try {
      await this.request(
        peer,
        async (frames) => {
          let written = 0;
          let unackedBytes = 0;
          let exhausted = more === undefined;
          /** Appends what `more` has (its valid prefix: a bad one is the caller's to report, alone). */
          const pull = (): void => {
            if (exhausted || more === undefined) return;
            const next = more();
            for (const e of next) {
              if (envelopeProblem(e) !== null) {
                exhausted = true;
                return;
              }
              envelopes.push(e);
            }
          };
          const writeNext = async (): Promise<void> => {
            const e = envelopes[written];
            if (e === undefined) return;
            written++;
            unackedBytes += e.payload.length;
            await frames.write(
              DeliverRequest.encode({
                version: FRAME_VERSION,
                envelopeId: wireBytes(e.envelopeId),
                payload: wireBytes(e.payload),
              }),
            );
          };
          const fill = async (): Promise<void> => {
            if (written === envelopes.length) pull();
            while (
              written < envelopes.length &&
              (written === statuses.length ||
                (written - statuses.length < PIPELINE_WINDOW && unackedBytes < PIPELINE_BYTES))
            ) {
              await writeNext();
            }
          };
          await fill();
          while (statuses.length < envelopes.length) {
            const expected = envelopes[statuses.length];
            if (expected === undefined) break;
            const ack = decodeFrame(await readRequired(frames), DeliverAck.decode);
            ensure(
              ack.envelopeId !== undefined && equalBytes(ack.envelopeId, expected.envelopeId),
              'ack for another envelope',
            );
            const status = fromWire(ack.status);
            ensure(status !== undefined, 'ack without a status');
            statuses.push(status);
            unackedBytes -= expected.payload.length;
            await fill();
          }
        },
        options,
        true,
      );
    } catch (err) {
      return { statuses, error: err };
    }
    return { statuses };
  }

  /** Delivers one envelope and resolves with the receiver's ack. Throws NetError. */
  async send(
    peer: string,
    envelopeId: Uint8Array,
    payload: Uint8Array,
    options?: AbortOptions,
  ): Promise<DeliverStatus> {
    const problem = envelopeProblem({ envelopeId, payload });
    if (problem !== null) throw new RangeError(problem);
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
