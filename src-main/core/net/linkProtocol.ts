import type { AbortOptions } from '@libp2p/interface';
import { wireBytes } from './bytes';
import { FrameError, FrameTimeoutError, StreamGoneError, type FrameStream } from './frameStream';
import { FRAME_VERSION, MiB } from './limits';
import { LinkRequest, LinkResponse } from './proto/link.generated';
import {
  decodeFrame,
  ensure,
  LocalCallbackError,
  ProtocolService,
  type InboundContext,
  type ProtocolComponents,
  type ProtocolFactory,
} from './protocolService';

/**
 * /parley/link/1.0.0: a new device (N) links itself to an existing device (E)
 * of the same person (docs/protocol.md §13.5). This file is the wire: frames,
 * their field rules, who may open a stream, and the limits. What the frames
 * mean (the HPKE exchange, the SAS, the grant) is linking/'s business, which
 * drives a typed channel in both directions.
 *
 * The protocol is open to unknown peers (N is nobody's device yet) only while
 * E shows a live code or keeps a grant for resumption (`accepting()`):
 * otherwise the stream is reset before a byte is read. Per peer it is
 * rate-limited before reading (4 attempts, +1 per 150 s) and for the whole
 * node (16, +1 per 10 s); the per-code limits (16 attempts, 3 failed MACs)
 * are the handler's.
 *
 * One stream per attempt, lasting while both users compare the SAS (up to the
 * code's 10 minutes): each side sends WAITING every 15 s while its user has
 * not answered, so the stream is never idle for Yamux's 60 s.
 */

/** The largest sealed body in one frame (a grant is split into frames of at most this). */
export const LINK_SEALED_MAX = 1 * MiB - 1024;
const ID_BYTES = 16;
const NONCE_BYTES = 32;
const MAC_BYTES = 32;
const KEM_PUBLIC_KEY_BYTES = 1216;
const KEM_CIPHERTEXT_BYTES = 1120;

export type LinkRefusal = 'code-not-live' | 'declined' | 'device-limit' | 'list-changed' | 'failed';

/** N → E. */
export type LinkClientMessage =
  | { kind: 'hello'; linkId: Uint8Array; kemPublicKey: Uint8Array; commitment: Uint8Array }
  | { kind: 'reveal'; nonceN: Uint8Array; mac: Uint8Array }
  | { kind: 'join'; sealed: Uint8Array }
  | { kind: 'done'; sealed: Uint8Array }
  | { kind: 'resume'; linkId: Uint8Array; mac: Uint8Array }
  | { kind: 'cancel' }
  | { kind: 'waiting' };

/** E → N. */
export type LinkServerMessage =
  | {
      kind: 'challenge';
      kemCiphertext: Uint8Array;
      nonceE: Uint8Array;
      head: { seq: number; hash: Uint8Array };
      mac: Uint8Array;
    }
  | { kind: 'grant'; sealed: Uint8Array; last: boolean }
  | { kind: 'refused'; refusal: LinkRefusal }
  | { kind: 'waiting' }
  | { kind: 'confirmed' };

/** One side's view of an attempt's stream: typed, checked frames. */
export interface LinkChannel<In, Out> {
  /** The next message, or null when the other side closed cleanly. `timeoutMs` overrides the frame deadline. */
  receive(timeoutMs?: number): Promise<In | null>;
  /** Writes are queued in order (a WAITING timer and an answer never interleave a frame). */
  send(message: Out): Promise<void>;
  /** Half-closes our side once everything queued is written. */
  close(): Promise<void>;
}

export type LinkServerChannel = LinkChannel<LinkClientMessage, LinkServerMessage>;
export type LinkClientChannel = LinkChannel<LinkServerMessage, LinkClientMessage>;

/** What E's linking service gives the node. */
export interface LinkHandler {
  /** A code is live or a grant waits for resumption: only then is a stream read. */
  accepting(): boolean;
  /** Serves one attempt; throwing resets the stream. */
  serve(peer: string, channel: LinkServerChannel): Promise<void>;
}

const REQUEST_KINDS: Record<LinkRequest.Kind, LinkClientMessage['kind'] | null> = {
  [LinkRequest.Kind.KIND_UNSPECIFIED]: null,
  [LinkRequest.Kind.HELLO]: 'hello',
  [LinkRequest.Kind.REVEAL]: 'reveal',
  [LinkRequest.Kind.JOIN]: 'join',
  [LinkRequest.Kind.DONE]: 'done',
  [LinkRequest.Kind.RESUME]: 'resume',
  [LinkRequest.Kind.CANCEL]: 'cancel',
  [LinkRequest.Kind.WAITING]: 'waiting',
};

const REFUSALS: Record<LinkRefusal, LinkResponse.Refusal> = {
  'code-not-live': LinkResponse.Refusal.CODE_NOT_LIVE,
  declined: LinkResponse.Refusal.DECLINED,
  'device-limit': LinkResponse.Refusal.DEVICE_LIMIT,
  'list-changed': LinkResponse.Refusal.LIST_CHANGED,
  failed: LinkResponse.Refusal.FAILED,
};

function has(bytes: Uint8Array | undefined, length: number): bytes is Uint8Array {
  return bytes !== undefined && bytes.length === length;
}

function sealedOf(bytes: Uint8Array | undefined): Uint8Array {
  ensure(bytes !== undefined && bytes.length > 16 && bytes.length <= LINK_SEALED_MAX, 'sealed length');
  return bytes;
}

/** Checks one N→E frame: exactly the fields its kind carries, each of its size. */
export function decodeLinkRequest(frame: Uint8Array): LinkClientMessage {
  const r = decodeFrame(frame, LinkRequest.decode);
  const kind = REQUEST_KINDS[r.kind];
  ensure(kind !== null && kind !== undefined, 'kind');
  const fields = [r.linkId, r.kemPublicKey, r.commitment, r.nonceN, r.mac, r.sealed];
  const present = fields.filter((f) => f !== undefined).length;
  switch (kind) {
    case 'hello':
      ensure(
        present === 3 &&
          has(r.linkId, ID_BYTES) &&
          has(r.kemPublicKey, KEM_PUBLIC_KEY_BYTES) &&
          has(r.commitment, 32),
        'hello fields',
      );
      return { kind, linkId: r.linkId, kemPublicKey: r.kemPublicKey, commitment: r.commitment };
    case 'reveal':
      ensure(present === 2 && has(r.nonceN, NONCE_BYTES) && has(r.mac, MAC_BYTES), 'reveal fields');
      return { kind, nonceN: r.nonceN, mac: r.mac };
    case 'join':
    case 'done':
      ensure(present === 1, `${kind} fields`);
      return { kind, sealed: sealedOf(r.sealed) };
    case 'resume':
      ensure(present === 2 && has(r.linkId, ID_BYTES) && has(r.mac, MAC_BYTES), 'resume fields');
      return { kind, linkId: r.linkId, mac: r.mac };
    case 'cancel':
    case 'waiting':
      ensure(present === 0, `${kind} fields`);
      return { kind };
  }
}

export function encodeLinkRequest(m: LinkClientMessage): Uint8Array {
  const base = { version: FRAME_VERSION };
  switch (m.kind) {
    case 'hello':
      return LinkRequest.encode({
        ...base,
        kind: LinkRequest.Kind.HELLO,
        linkId: wireBytes(m.linkId),
        kemPublicKey: wireBytes(m.kemPublicKey),
        commitment: wireBytes(m.commitment),
      });
    case 'reveal':
      return LinkRequest.encode({
        ...base,
        kind: LinkRequest.Kind.REVEAL,
        nonceN: wireBytes(m.nonceN),
        mac: wireBytes(m.mac),
      });
    case 'join':
      return LinkRequest.encode({ ...base, kind: LinkRequest.Kind.JOIN, sealed: wireBytes(m.sealed) });
    case 'done':
      return LinkRequest.encode({ ...base, kind: LinkRequest.Kind.DONE, sealed: wireBytes(m.sealed) });
    case 'resume':
      return LinkRequest.encode({
        ...base,
        kind: LinkRequest.Kind.RESUME,
        linkId: wireBytes(m.linkId),
        mac: wireBytes(m.mac),
      });
    case 'cancel':
      return LinkRequest.encode({ ...base, kind: LinkRequest.Kind.CANCEL });
    case 'waiting':
      return LinkRequest.encode({ ...base, kind: LinkRequest.Kind.WAITING });
  }
}

/** Checks one E→N frame. */
export function decodeLinkResponse(frame: Uint8Array): LinkServerMessage {
  const r = decodeFrame(frame, LinkResponse.decode);
  const fields = [r.kemCiphertext, r.nonceE, r.headSeq, r.headHash, r.mac, r.sealed];
  const present = fields.filter((f) => f !== undefined).length;
  const noExtras = r.refusal === LinkResponse.Refusal.REFUSAL_UNSPECIFIED;
  switch (r.kind) {
    case LinkResponse.Kind.CHALLENGE:
      ensure(
        present === 5 &&
          noExtras &&
          !r.last &&
          has(r.kemCiphertext, KEM_CIPHERTEXT_BYTES) &&
          has(r.nonceE, NONCE_BYTES) &&
          r.headSeq !== undefined &&
          has(r.headHash, 32) &&
          has(r.mac, MAC_BYTES),
        'challenge fields',
      );
      return {
        kind: 'challenge',
        kemCiphertext: r.kemCiphertext,
        nonceE: r.nonceE,
        head: { seq: r.headSeq, hash: r.headHash },
        mac: r.mac,
      };
    case LinkResponse.Kind.GRANT:
      ensure(present === 1 && noExtras, 'grant fields');
      return { kind: 'grant', sealed: sealedOf(r.sealed), last: r.last };
    case LinkResponse.Kind.REFUSED: {
      const refusal = (Object.keys(REFUSALS) as LinkRefusal[]).find((k) => REFUSALS[k] === r.refusal);
      ensure(present === 0 && !r.last && refusal !== undefined, 'refused fields');
      return { kind: 'refused', refusal };
    }
    case LinkResponse.Kind.WAITING:
    case LinkResponse.Kind.CONFIRMED:
      ensure(present === 0 && noExtras && !r.last, 'empty frame');
      return { kind: r.kind === LinkResponse.Kind.WAITING ? 'waiting' : 'confirmed' };
    default:
      throw new FrameError('invalid', 'kind');
  }
}

export function encodeLinkResponse(m: LinkServerMessage): Uint8Array {
  const base = { version: FRAME_VERSION };
  switch (m.kind) {
    case 'challenge':
      return LinkResponse.encode({
        ...base,
        kind: LinkResponse.Kind.CHALLENGE,
        kemCiphertext: wireBytes(m.kemCiphertext),
        nonceE: wireBytes(m.nonceE),
        headSeq: m.head.seq,
        headHash: wireBytes(m.head.hash),
        mac: wireBytes(m.mac),
      });
    case 'grant':
      return LinkResponse.encode({
        ...base,
        kind: LinkResponse.Kind.GRANT,
        sealed: wireBytes(m.sealed),
        last: m.last,
      });
    case 'refused':
      return LinkResponse.encode({ ...base, kind: LinkResponse.Kind.REFUSED, refusal: REFUSALS[m.refusal] });
    case 'waiting':
      return LinkResponse.encode({ ...base, kind: LinkResponse.Kind.WAITING });
    case 'confirmed':
      return LinkResponse.encode({ ...base, kind: LinkResponse.Kind.CONFIRMED });
  }
}

/** A typed channel over one stream; writes are chained so they never interleave. */
function channelOver<In, Out>(
  frames: FrameStream,
  decode: (frame: Uint8Array) => In,
  encode: (message: Out) => Uint8Array,
): LinkChannel<In, Out> {
  let writes: Promise<void> = Promise.resolve();
  const queue = (step: () => Promise<void>): Promise<void> => {
    const next = writes.then(step);
    writes = next.catch(() => undefined);
    return next;
  };
  return {
    async receive(timeoutMs) {
      const frame = await frames.read(timeoutMs);
      return frame === null ? null : decode(frame);
    },
    send: (message) => queue(() => frames.write(encode(message))),
    close: () => queue(() => frames.close()),
  };
}

/** The link protocol as a node service; without a handler it only links this device to another. */
export function linkProtocol(handler?: LinkHandler): ProtocolFactory<LinkProtocol> {
  return (components) => new LinkProtocol(components, handler);
}

export class LinkProtocol extends ProtocolService<LinkHandler> {
  readonly name = 'link';

  constructor(components: ProtocolComponents, handler?: LinkHandler) {
    const { linkPerPeer, linkGlobal } = components.limits;
    super(components, {
      handler,
      openToUnknownPeers: true,
      rateLimit: { perPeer: linkPerPeer, global: linkGlobal },
    });
  }

  protected async serve({ peer, frames }: InboundContext): Promise<void> {
    const handler = this.served;
    if (!handler.accepting()) {
      // No code on screen: nothing is read (docs/protocol.md §13.5).
      this.components.counters.add('unknownPeerStreams', this.name);
      frames.abort(new Error('no live link code'));
      return;
    }
    await handler.serve(peer, channelOver(frames, decodeLinkRequest, encodeLinkResponse));
    this.countServed();
  }

  /**
   * Opens a link stream to `peer` (E, whose PeerId Noise authenticates) and
   * runs N's side over it. The whole attempt may last `deadlineMs` (both
   * users answer within it). Throws NetError when E is unreachable or refuses
   * the stream.
   */
  async open<T>(
    peer: string,
    run: (channel: LinkClientChannel) => Promise<T>,
    options: AbortOptions & { deadlineMs: number },
  ): Promise<T> {
    return this.request(
      peer,
      async (frames) => {
        try {
          return await run(channelOver(frames, decodeLinkResponse, encodeLinkRequest));
        } catch (err) {
          // The wire's failures stay network errors; the caller's own (a wrong
          // MAC, a user's cancel) come back to it unchanged.
          if (err instanceof FrameError || err instanceof FrameTimeoutError || err instanceof StreamGoneError)
            throw err;
          throw new LocalCallbackError({ cause: err });
        }
      },
      options,
    );
  }
}
