import type { AbortOptions, Connection, PeerId, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { errorFields } from '../util/logger';
import { FrameError, FrameStream, FrameTimeoutError, StreamGoneError } from './frameStream';
import { PROTOCOL_IDS, type ProtocolName } from './limits';
import { NetError } from './netError';
import { plaintextHandedOver } from './plaintextHandedOver';
import type { ProtocolComponents } from './protocolComponents';
import { AccessRevoked, HandlerError, LocalCallbackError, peerTag } from './protocolErrors';
import { PeerRateLimiter, type BucketConfig } from './tokenBucket';

export type { PeerAccess, ProtocolComponents, ProtocolHost } from './protocolComponents';
export {
  AccessRevoked,
  decodeFrame,
  ensure,
  HandlerError,
  LocalCallbackError,
  peerTag,
  readRequired,
} from './protocolErrors';

/**
 * The common edge of every Parley protocol: registration, who may open a
 * stream, rate limits, per-peer concurrency, deadlines, and turning whatever
 * goes wrong on a stream into a counter and a reset instead of an exception.
 * Subclasses only say how one request is served and how one request is made.
 *
 * Composition follows js-libp2p's services (libp2p/src/libp2p.ts, `services`;
 * @libp2p/ping): each protocol file exports `xProtocol(init)`, which returns
 * `(components) => XProtocol`; ParleyNode.create takes a map of these and
 * exposes the services typed (`node.services.deliver`). A service registers
 * its stream handler with libp2p at start() and removes it at stop().
 */

/** `factory(init)` returns one of these; the node calls it with its components. */
export type ProtocolFactory<S extends AnyProtocolService = AnyProtocolService> = (
  components: ProtocolComponents,
) => S;

/** A protocol service whatever its handler (the node only starts and stops them). */
export type AnyProtocolService = ProtocolService<unknown>;

/** How a protocol meets inbound streams, fixed when it is composed. */
export interface ProtocolEdge<H> {
  /**
   * What serves inbound requests. A service whose handler is another service
   * built on top of the node (delivery, files, contact requests) has it
   * registered with handle() once that service exists, before the node
   * starts; without one the protocol only makes requests.
   */
  handler?: H;
  /** Open to peers the caller does not know: contact-request, hello, groupinfo (README.md "Access at the edge"). */
  openToUnknownPeers?: boolean;
  /** Token buckets every inbound stream must pass before a byte is read: per peer, and for the whole node. */
  rateLimit?: { perPeer: BucketConfig; global?: BucketConfig; exempt?: (peer: string) => boolean };
}

export interface InboundContext {
  /** The remote PeerId, authenticated by Noise. */
  peer: string;
  frames: FrameStream;
  /** True once every byte written so far left the transport's plaintext buffers (plaintextHandedOver.ts). */
  handedOver: () => boolean;
}

interface Slot {
  active: number;
  waiters: (() => void)[];
}

export abstract class ProtocolService<H> {
  abstract readonly name: ProtocolName;
  private readonly openToUnknownPeers: boolean;
  private readonly limiter: PeerRateLimiter | undefined;
  private readonly exempt: ((peer: string) => boolean) | undefined;
  private handler: H | undefined;
  private started = false;
  /** Whether start() registered a stream handler with libp2p (stop() removes it). */
  private registered = false;
  private readonly inbound = new Map<string, number>();
  private readonly outbound = new Map<string, Slot>();
  private readonly active = new Set<FrameStream>();
  /** Session streams waiting for the next request, per peer. */
  private readonly idle = new Map<string, FrameStream[]>();
  private readonly idleTimers = new Map<FrameStream, ReturnType<typeof setTimeout>>();

  constructor(
    protected readonly components: ProtocolComponents,
    edge: ProtocolEdge<H> = {},
  ) {
    this.handler = edge.handler;
    this.openToUnknownPeers = edge.openToUnknownPeers ?? false;
    const { rateLimit } = edge;
    this.exempt = rateLimit?.exempt;
    this.limiter =
      rateLimit === undefined
        ? undefined
        : new PeerRateLimiter(
            rateLimit.perPeer,
            rateLimit.global,
            components.limits.rateLimitPeers,
            components.clock(),
          );
  }

  /**
   * Registers what serves inbound requests (js-libp2p's registrar.handle, made
   * at start). Only before the node starts, so nothing reaches a protocol
   * before it can serve it.
   */
  handle(handler: H): void {
    if (this.started) throw new Error(`${this.name}: a handler is registered before the node starts`);
    this.handler = handler;
  }

  /** The registered handler; serve() is only called when there is one. */
  protected get served(): H {
    if (this.handler === undefined) throw new Error(`${this.name}: no handler`);
    return this.handler;
  }

  get protocolId(): string {
    return PROTOCOL_IDS[this.name];
  }

  /** False for a client-only service (no handler, e.g. mailbox without a store): nothing is registered. */
  get serves(): boolean {
    return this.handler !== undefined;
  }

  async start(): Promise<void> {
    if (this.started) return;
    if (this.serves) {
      const perPeer = this.components.limits.maxInboundStreamsPerPeer[this.name];
      await this.components.host.handle(this.protocolId, this.onStream, {
        // libp2p's own per-connection limit sits above ours so that ours, which
        // counts, is the one that fires.
        maxInboundStreams: perPeer * 2,
        maxOutboundStreams: this.components.limits.maxOutboundStreamsPerPeer * 2,
        // Relayed connections carry a Limit and are "limited" to libp2p; Parley's
        // protocols run over them too (docs/protocol.md §14.3).
        runOnLimitedConnection: true,
      });
      this.registered = true;
    }
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.registered) await this.components.host.unhandle(this.protocolId);
    this.registered = false;
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    this.idle.clear();
    for (const frames of this.active) frames.abort(new Error('node stopping'));
    this.active.clear();
    for (const slot of this.outbound.values()) for (const wake of slot.waiters.splice(0)) wake();
  }

  get isStarted(): boolean {
    return this.started;
  }

  /** Serves one inbound request. Throw FrameError for bad input; never write after a failure. */
  protected abstract serve(ctx: InboundContext): Promise<void>;

  /** The rate limit, checked before any byte is read. */
  private admit(peer: string): boolean {
    if (this.limiter === undefined || this.exempt?.(peer) === true) return true;
    return this.limiter.take(peer, this.components.clock());
  }

  private readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer.toString();
    const { access, counters, limits } = this.components;
    if (!this.started) {
      stream.abort(new Error('not serving'));
      return;
    }
    let refusal: 'blockedStreams' | 'unknownPeerStreams' | 'rateLimited' | 'streamLimit' | undefined;
    try {
      if (access.isBlocked(peer)) refusal = 'blockedStreams';
      else if (!this.openToUnknownPeers && !access.isKnown(peer)) refusal = 'unknownPeerStreams';
      else if ((this.inbound.get(peer) ?? 0) >= limits.maxInboundStreamsPerPeer[this.name])
        refusal = 'streamLimit';
      else if (!this.admit(peer)) refusal = 'rateLimited';
    } catch (err) {
      // A failing access check must not open the door.
      this.components.logger.log('error', 'net.access.failed', { protocol: this.name, ...errorFields(err) });
      refusal = 'blockedStreams';
    }
    if (refusal !== undefined) {
      counters.add(refusal, this.name);
      stream.abort(new Error('refused'));
      return;
    }

    this.inbound.set(peer, (this.inbound.get(peer) ?? 0) + 1);
    const frames = new FrameStream(stream, {
      maxFrameBytes: limits.maxFrameBytes[this.name],
      timeoutMs: limits.ioTimeoutMs,
    });
    this.active.add(frames);
    try {
      await this.serve({ peer, frames, handedOver: plaintextHandedOver(stream, connection) });
    } catch (err) {
      this.countFailure(err, peer, 'inbound');
      frames.abort(err instanceof Error ? err : new Error('serve failed'));
    } finally {
      frames.dispose();
      this.active.delete(frames);
      const left = (this.inbound.get(peer) ?? 1) - 1;
      if (left <= 0) this.inbound.delete(peer);
      else this.inbound.set(peer, left);
    }
  };

  private countFailure(err: unknown, peer: string, direction: 'inbound' | 'outbound'): void {
    const { counters, logger } = this.components;
    const fields = { protocol: this.name, peer: peerTag(peer), direction };
    // Debug level for what a remote can trigger at will: a hostile peer must not
    // be able to flood the log (the counters carry the totals).
    if (err instanceof FrameError) {
      counters.add('malformedFrames', this.name);
      logger.log('debug', 'net.frame.malformed', { ...fields, kind: err.kind });
    } else if (err instanceof FrameTimeoutError) {
      counters.add('timeouts', this.name);
      logger.log('debug', 'net.stream.timeout', fields);
    } else if (err instanceof HandlerError) {
      counters.add(err.timedOut ? 'timeouts' : 'handlerErrors', this.name);
      logger.log('warn', 'net.handler.failed', {
        ...fields,
        timedOut: err.timedOut,
        ...errorFields(err.cause),
      });
    } else if (err instanceof StreamGoneError || err instanceof AccessRevoked) {
      logger.log('debug', 'net.stream.gone', fields);
    } else {
      logger.log('error', 'net.stream.failed', { ...fields, ...errorFields(err) });
    }
  }

  /**
   * For session streams: access is checked again before each further request,
   * so blocking (or forgetting) a peer also stops a stream it already has open.
   * Counts and returns false when the peer may no longer be served.
   */
  protected stillAllowed(peer: string): boolean {
    const { access, counters } = this.components;
    let refusal: 'blockedStreams' | 'unknownPeerStreams' | undefined;
    try {
      if (access.isBlocked(peer)) refusal = 'blockedStreams';
      else if (!this.openToUnknownPeers && !access.isKnown(peer)) refusal = 'unknownPeerStreams';
    } catch {
      refusal = 'blockedStreams';
    }
    if (refusal === undefined) return true;
    counters.add(refusal, this.name);
    return false;
  }

  /** Counts one request served to completion (a session stream may serve many). */
  protected countServed(): void {
    this.components.counters.add('served', this.name);
  }

  /** Runs the caller's handler under the handler deadline; its failure becomes a HandlerError. */
  protected async callHandler<T>(run: () => Promise<T> | T): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HandlerError(true)), this.components.limits.handlerTimeoutMs);
    });
    try {
      return await Promise.race([
        Promise.resolve()
          .then(run)
          .catch((err: unknown) => {
            throw new HandlerError(false, { cause: err });
          }),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs `exchange` over a stream to `peer` and maps every failure to a
   * NetError. At most `maxOutboundStreamsPerPeer` run at once per peer; the
   * rest wait (inside the request deadline).
   *
   * With `session`, the stream is kept after a successful exchange and reused
   * by the next request to the same peer (the protocol then carries a sequence
   * of request/response pairs in lockstep; the exchange must not half-close).
   * Idle session streams are half-closed after `sessionIdleMs`; streams that
   * died while idle are skipped.
   */
  protected async request<T>(
    peer: string,
    exchange: (frames: FrameStream) => Promise<T>,
    options: AbortOptions & { deadlineMs?: number } = {},
    session = false,
  ): Promise<T> {
    if (!this.started) throw new NetError('closed', 'the node is not running');
    let peerId: PeerId;
    try {
      peerId = peerIdFromString(peer);
    } catch (err) {
      throw new NetError('refused', 'not a PeerId', { cause: err });
    }
    if (this.components.access.isBlocked(peer)) throw new NetError('refused', 'peer is blocked');

    // A link waits for both users (deadlineMs); every other request has the node's deadline.
    const deadline = AbortSignal.timeout(options.deadlineMs ?? this.components.limits.requestTimeoutMs);
    const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
    await this.acquire(peer, signal);
    let frames: FrameStream | undefined;
    const onAbort = (): void => frames?.abort(new Error('request aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    let keep = false;
    try {
      frames = session ? this.takeIdle(peer) : undefined;
      if (frames !== undefined) {
        // No transparent retry when a reused stream fails: the peer may have
        // refused or failed this very request, and the caller retries anyway.
        const result = await exchange(frames);
        keep = session;
        return result;
      }
      let stream: Stream;
      try {
        stream = await this.components.host.dialProtocol(peerId, this.protocolId, {
          signal,
          runOnLimitedConnection: true,
        });
      } catch (err) {
        throw dialError(err, signal);
      }
      if (!this.started) {
        stream.abort(new Error('node stopping'));
        throw new NetError('closed', 'the node stopped');
      }
      frames = new FrameStream(stream, {
        maxFrameBytes: this.components.limits.maxFrameBytes[this.name],
        timeoutMs: this.components.limits.ioTimeoutMs,
      });
      this.active.add(frames);
      const result = await exchange(frames);
      keep = session;
      return result;
    } catch (err) {
      if (err instanceof NetError) throw err;
      if (err instanceof LocalCallbackError) {
        frames?.abort(new Error('local callback failed'));
        throw err.cause;
      }
      this.countFailure(err, peer, 'outbound');
      frames?.abort(err instanceof Error ? err : new Error('request failed'));
      throw ioError(err, signal, this.started);
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (frames !== undefined) {
        if (keep && this.started && frames.usable) {
          this.putIdle(peer, frames);
        } else {
          frames.dispose();
          this.active.delete(frames);
        }
      }
      this.release(peer);
    }
  }

  /** A usable idle session stream to `peer`, if any; dead ones are dropped on the way. */
  private takeIdle(peer: string): FrameStream | undefined {
    const list = this.idle.get(peer);
    while (list !== undefined && list.length > 0) {
      const frames = list.pop();
      if (frames === undefined) break;
      clearTimeout(this.idleTimers.get(frames));
      this.idleTimers.delete(frames);
      if (frames.usable) {
        if (list.length === 0) this.idle.delete(peer);
        return frames;
      }
      frames.abort(new Error('dead session'));
      this.active.delete(frames);
    }
    this.idle.delete(peer);
    return undefined;
  }

  private putIdle(peer: string, frames: FrameStream): void {
    let list = this.idle.get(peer);
    if (list === undefined) {
      list = [];
      this.idle.set(peer, list);
    }
    list.push(frames);
    const owner = list;
    const timer = setTimeout(() => {
      this.idleTimers.delete(frames);
      const i = owner.indexOf(frames);
      if (i >= 0) owner.splice(i, 1);
      if (owner.length === 0 && this.idle.get(peer) === owner) this.idle.delete(peer);
      this.active.delete(frames);
      // Half-close: the server sees a clean end at a frame boundary and closes too.
      frames
        .close()
        .catch(() => frames.abort(new Error('close failed')))
        .finally(() => frames.dispose());
    }, this.components.limits.sessionIdleMs);
    timer.unref?.();
    this.idleTimers.set(frames, timer);
  }

  private async acquire(peer: string, signal: AbortSignal): Promise<void> {
    let slot = this.outbound.get(peer);
    if (slot === undefined) {
      slot = { active: 0, waiters: [] };
      this.outbound.set(peer, slot);
    }
    const max = this.components.limits.maxOutboundStreamsPerPeer;
    while (slot.active >= max) {
      if (signal.aborted) throw new NetError('timeout', 'waited too long for a stream slot');
      if (!this.started) throw new NetError('closed', 'the node stopped');
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal.removeEventListener('abort', wake);
          const i = slot.waiters.indexOf(wake);
          if (i >= 0) slot.waiters.splice(i, 1);
          resolve();
        };
        slot.waiters.push(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
    slot.active += 1;
  }

  private release(peer: string): void {
    const slot = this.outbound.get(peer);
    if (slot === undefined) return;
    slot.active -= 1;
    const next = slot.waiters.shift();
    if (next !== undefined) next();
    else if (slot.active <= 0) this.outbound.delete(peer);
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

function dialError(err: unknown, signal: AbortSignal): NetError {
  const name = err instanceof Error ? err.name : '';
  if (signal.aborted || isTimeout(err)) return new NetError('timeout', 'dial timed out', { cause: err });
  if (name === 'UnsupportedProtocolError' || name === 'ProtocolError')
    return new NetError('refused', 'peer does not speak the protocol', { cause: err });
  // A refusal (reset) can overtake protocol negotiation and surface as an early end.
  if (['StreamResetError', 'StreamAbortedError', 'StreamClosedError', 'UnexpectedEOFError'].includes(name))
    return new NetError('reset', 'stream reset during negotiation', { cause: err });
  return new NetError('unreachable', 'could not reach the peer', { cause: err });
}

function ioError(err: unknown, signal: AbortSignal, running: boolean): NetError {
  if (err instanceof FrameError)
    return new NetError('protocol', `bad response (${err.kind})`, { cause: err });
  if (err instanceof FrameTimeoutError || signal.aborted)
    return new NetError('timeout', 'request timed out', { cause: err });
  if (!running) return new NetError('closed', 'the node stopped', { cause: err });
  if (err instanceof StreamGoneError)
    return new NetError('reset', 'the peer reset the stream', { cause: err });
  return new NetError('unreachable', 'request failed', { cause: err });
}
