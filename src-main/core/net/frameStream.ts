import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface';
import { Uint8ArrayList } from 'uint8arraylist';
import { hasFlowControl } from './streamFlow';

/**
 * Length-prefixed frames over one libp2p stream: an unsigned LEB128 varint
 * length (at most 5 bytes, minimal encoding) followed by that many bytes.
 *
 * Written here rather than taken from @libp2p/utils' lpStream because the edge
 * must tell apart what went wrong (a clean end, a bad prefix, an oversized or
 * truncated frame, a timeout, a reset) to count it, must bound buffered bytes
 * per stream before the frame is complete, and must put a deadline on every
 * read and write. Nothing here throws anything but the three error classes below.
 */

export type FrameErrorKind =
  'bad-length' | 'oversized' | 'truncated' | 'undecodable' | 'bad-version' | 'invalid';

/** The remote sent bytes that break the framing or the schema. */
export class FrameError extends Error {
  constructor(
    readonly kind: FrameErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/** A read, write or close did not finish within its deadline. */
export class FrameTimeoutError extends Error {
  constructor(what: string) {
    super(`${what} timed out`);
    this.name = 'FrameTimeoutError';
  }
}

/** The stream was reset or aborted (by either side) or closed for writing. */
export class StreamGoneError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StreamGoneError';
  }
}

/** Largest length prefix: 5 varint bytes hold any 32-bit length. */
const MAX_PREFIX_BYTES = 5;

/**
 * Per-stream flow-control window the node configures for yamux. Once a whole
 * frame is buffered we pause the stream, which stops window updates, so at most
 * this many more bytes can arrive: that is what bounds memory per stream.
 */
export const STREAM_WINDOW_BYTES = 1024 * 1024;

export interface FrameStreamOptions {
  /** Frames longer than this are rejected as soon as their length prefix is read. */
  maxFrameBytes: number;
  /** Deadline for each read, write and close. */
  timeoutMs: number;
}

export function encodeLength(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

type Parsed<T> = { kind: 'frame'; frame: T } | { kind: 'need-more' };

export class FrameStream {
  private readonly buffer = new Uint8ArrayList();
  private readonly maxFrameBytes: number;
  private readonly timeoutMs: number;
  /** Bytes we are willing to hold for this stream before the reader catches up. */
  private maxBuffered: number;
  /** Whether pausing the stream stops the sender (streamFlow.ts: not over WebRTC). */
  private readonly flowControlled: boolean;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private disposed = false;

  constructor(
    readonly stream: Stream,
    options: FrameStreamOptions,
  ) {
    this.maxFrameBytes = options.maxFrameBytes;
    this.timeoutMs = options.timeoutMs;
    // One whole frame plus what the remote may still have in flight after we pause.
    this.maxBuffered = options.maxFrameBytes + MAX_PREFIX_BYTES + STREAM_WINDOW_BYTES;
    this.flowControlled = hasFlowControl(stream);
    stream.addEventListener('message', this.onMessage);
    stream.addEventListener('remoteCloseWrite', this.onRemoteCloseWrite);
    stream.addEventListener('close', this.onClose);
    // The stream may have ended before we attached: no event will tell us.
    if (stream.status === 'reset' || stream.status === 'aborted') {
      this.ended = true;
      this.failure = new StreamGoneError('stream reset before use');
    } else if (stream.readStatus === 'closed' || stream.remoteWriteStatus === 'closed') {
      this.ended = true;
    }
  }

  private readonly onMessage = (evt: StreamMessageEvent): void => {
    if (this.failure !== undefined) return;
    this.buffer.append(evt.data);
    if (this.buffer.byteLength > this.maxBuffered) {
      this.failure = new FrameError('oversized', 'peer sent more than the frame limit allows');
      this.buffer.consume(this.buffer.byteLength);
    } else if (
      this.flowControlled &&
      this.buffer.byteLength > this.maxFrameBytes + MAX_PREFIX_BYTES &&
      this.stream.readStatus === 'readable'
    ) {
      // A whole frame is here and the reader is behind: let the muxer push back.
      // (Without flow control a pause would only move the bytes to libp2p's buffer.)
      this.stream.pause();
    }
    this.notify();
  };

  private readonly onRemoteCloseWrite = (): void => {
    this.ended = true;
    this.notify();
  };

  private readonly onClose = (evt: StreamCloseEvent): void => {
    this.ended = true;
    if (evt.error !== undefined && this.failure === undefined) {
      this.failure = new StreamGoneError('stream reset', { cause: evt.error });
    }
    this.notify();
  };

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * The next frame, or null when the remote closed its side cleanly at a frame
   * boundary. Throws FrameError, FrameTimeoutError or StreamGoneError.
   * `timeoutMs` replaces the stream's read deadline for this frame (a link
   * waits for a user's answer, docs/protocol.md §13.5).
   */
  async read(timeoutMs?: number): Promise<Uint8Array | null> {
    return this.next(copyOut, timeoutMs);
  }

  /**
   * Like read(), but the frame is handed out as views of the pieces it
   * arrived in, not copied. For payloads that are consumed at once and then
   * dropped (file chunks: checked, hashed, written): views kept longer would
   * pin the transport's buffers.
   */
  async readPieces(): Promise<Uint8ArrayList | null> {
    return this.next(viewsOf);
  }

  private async next<T>(take: Take<T>, timeoutMs = this.timeoutMs): Promise<T | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    try {
      for (;;) {
        if (this.failure !== undefined && !(this.failure instanceof StreamGoneError)) throw this.failure;
        const parsed = this.parse(take);
        if (parsed.kind === 'frame') return parsed.frame;
        // A reset still lets us return complete frames that arrived before it.
        if (this.failure !== undefined) throw this.failure;
        if (this.ended) {
          if (this.buffer.byteLength === 0) return null;
          throw new FrameError('truncated', 'stream ended inside a frame');
        }
        if (timedOut) throw new FrameTimeoutError('frame read');
        if (timer === undefined) {
          timer = setTimeout(() => {
            timedOut = true;
            this.notify();
          }, timeoutMs);
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  private parse<T>(take: Take<T>): Parsed<T> {
    const available = this.buffer.byteLength;
    let length = 0;
    let scale = 1;
    for (let i = 0; i < MAX_PREFIX_BYTES; i++) {
      if (i >= available) return { kind: 'need-more' };
      const byte = this.buffer.get(i);
      length += (byte & 0x7f) * scale;
      scale *= 0x80;
      if (length > this.maxFrameBytes) {
        throw new FrameError('oversized', `frame longer than ${this.maxFrameBytes} bytes`);
      }
      if ((byte & 0x80) === 0) {
        // A minimal varint never ends in a zero byte after the first: such a prefix
        // is garbage, not a length.
        if (i > 0 && byte === 0) throw new FrameError('bad-length', 'non-minimal length prefix');
        const prefix = i + 1;
        if (available < prefix + length) {
          this.maybeResume();
          return { kind: 'need-more' };
        }
        const frame = take(this.buffer, prefix, length);
        this.buffer.consume(prefix + length);
        this.maybeResume();
        return { kind: 'frame', frame };
      }
    }
    throw new FrameError('bad-length', 'length prefix longer than 5 bytes');
  }

  private maybeResume(): void {
    if (this.stream.readStatus === 'paused' && this.buffer.byteLength <= this.maxFrameBytes) {
      this.stream.resume();
    }
  }

  /**
   * The remote may now send up to `bytes` of frames before we read them: what
   * a request asked for (a file request's chunks). Matters only on a stream
   * without flow control (streamFlow.ts), where a slow reader cannot make the
   * sender wait and must hold what it asked for; elsewhere pausing bounds it.
   */
  expectUpTo(bytes: number): void {
    if (this.flowControlled) return;
    this.maxBuffered = Math.max(this.maxBuffered, bytes + this.maxFrameBytes + MAX_PREFIX_BYTES);
  }

  /** Still open both ways with nothing unread: fit to carry another request. */
  get usable(): boolean {
    return (
      !this.disposed &&
      !this.ended &&
      this.failure === undefined &&
      this.buffer.byteLength === 0 &&
      this.stream.status === 'open' &&
      this.stream.writeStatus === 'writable'
    );
  }

  /**
   * Writes one frame (prefix and body in a single send), waiting for the muxer
   * to drain if needed. A frame given in pieces (a header and a payload) is
   * sent as it is, without joining them first.
   */
  async write(frame: Uint8Array | Uint8ArrayList): Promise<void> {
    if (this.failure instanceof StreamGoneError) throw this.failure;
    let canSendMore: boolean;
    try {
      canSendMore = this.stream.send(new Uint8ArrayList(encodeLength(frame.byteLength), frame));
    } catch (err) {
      throw new StreamGoneError('stream not writable', { cause: err });
    }
    if (canSendMore) return;
    // A deadline cleared as soon as the muxer drains: AbortSignal.timeout()
    // would leave a live timer and signal behind for every wait (one per
    // large frame), each firing 10 s later for nobody.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    try {
      await this.stream.onDrain({ signal: deadline.signal });
    } catch (err) {
      if (isAbortOrTimeout(err)) throw new FrameTimeoutError('frame write');
      throw new StreamGoneError('stream closed while writing', { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes our writable side once queued bytes are handed to the transport. */
  async close(): Promise<void> {
    if (this.stream.writeStatus !== 'writable') return;
    try {
      await this.stream.close({ signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      if (isAbortOrTimeout(err)) throw new FrameTimeoutError('stream close');
      throw new StreamGoneError('stream closed while closing', { cause: err });
    }
  }

  /** Resets the stream (both directions) and drops anything buffered. */
  abort(reason: Error): void {
    this.failure ??= new StreamGoneError('aborted locally', { cause: reason });
    this.buffer.consume(this.buffer.byteLength);
    this.stream.abort(reason);
    this.notify();
    this.dispose();
  }

  /** Detaches the listeners; the FrameStream must not be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stream.removeEventListener('message', this.onMessage);
    this.stream.removeEventListener('remoteCloseWrite', this.onRemoteCloseWrite);
    this.stream.removeEventListener('close', this.onClose);
  }
}

/** Takes the frame that is `length` bytes of the buffered list from `skip` on. */
type Take<T> = (list: Uint8ArrayList, skip: number, length: number) => T;

/** Calls `each` with views of the list's pieces that make up `length` bytes from `skip` on. */
function eachPiece(
  list: Uint8ArrayList,
  skip: number,
  length: number,
  each: (view: Uint8Array, at: number) => void,
): void {
  let offset = skip;
  let at = 0;
  for (const piece of list) {
    if (at === length) break;
    if (offset >= piece.byteLength) {
      offset -= piece.byteLength;
      continue;
    }
    const n = Math.min(piece.byteLength - offset, length - at);
    each(new Uint8Array(piece.buffer, piece.byteOffset + offset, n), at);
    at += n;
    offset = 0;
  }
}

/**
 * A fresh, exact-size copy: a view would pin the transport's whole chunk (and
 * be a Buffer in Node) for as long as the payload is kept. Copied piece by
 * piece: subarray() would first concatenate a frame that spans several
 * transport chunks (a file chunk spans five Noise messages), a second copy of
 * every byte.
 */
const copyOut: Take<Uint8Array> = (list, skip, length) => {
  const out = new Uint8Array(length);
  eachPiece(list, skip, length, (view, at) => out.set(view, at));
  return out;
};

/** Views of the pieces, no copy. Plain Uint8Array views: cheaper to make than sublist()'s Buffer slices. */
const viewsOf: Take<Uint8ArrayList> = (list, skip, length) => {
  const out = new Uint8ArrayList();
  eachPiece(list, skip, length, (view) => out.append(view));
  return out;
};

function isAbortOrTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}
