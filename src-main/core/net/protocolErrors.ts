import { FrameError, type FrameStream } from './frameStream';
import { FRAME_VERSION } from './limits';

/**
 * The errors a protocol service turns into counters and resets, and the frame
 * checks every protocol uses (a frame that breaks them is malformed: the
 * stream is reset, README.md "Framing").
 */

/** The caller's handler failed or hung: the request is not acknowledged. */
export class HandlerError extends Error {
  constructor(
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(timedOut ? 'handler timed out' : 'handler failed', options);
    this.name = 'HandlerError';
  }
}

/**
 * A local callback (e.g. the batch consumer of a mailbox fetch) failed while a
 * request was in flight: the stream is reset and the callback's own error is
 * rethrown unchanged, not dressed up as a network failure.
 */
export class LocalCallbackError extends Error {
  constructor(options: { cause: unknown }) {
    super('local callback failed', options);
    this.name = 'LocalCallbackError';
  }
}

/** A peer was blocked or forgotten while its session stream was open (already counted). */
export class AccessRevoked extends Error {
  constructor() {
    super('access revoked');
    this.name = 'AccessRevoked';
  }
}

/** Short, stable peer tag for logs: enough to correlate, not a full identifier. */
export function peerTag(peer: string): string {
  return peer.slice(-8);
}

/** Reads the one frame a request or response must carry; a clean end instead is a truncation. */
export async function readRequired(frames: FrameStream): Promise<Uint8Array> {
  const frame = await frames.read();
  if (frame === null) throw new FrameError('truncated', 'stream ended before the frame');
  return frame;
}

/** Decodes a frame with a protons codec; any decoder failure is a malformed frame. */
export function decodeFrame<T extends { version: number }>(
  bytes: Uint8Array,
  decode: (b: Uint8Array) => T,
): T {
  let message: T;
  try {
    message = decode(bytes);
  } catch {
    throw new FrameError('undecodable', 'frame does not decode');
  }
  if (message.version !== FRAME_VERSION) {
    throw new FrameError('bad-version', `frame version ${message.version}, expected ${FRAME_VERSION}`);
  }
  return message;
}

/** Throws FrameError('invalid') unless the condition holds. */
export function ensure(condition: boolean, what: string): asserts condition {
  if (!condition) throw new FrameError('invalid', what);
}
