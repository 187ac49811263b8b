/**
 * Why an outbound network operation failed. The delivery layer decides from the
 * code whether to retry (unreachable, timeout, reset, closed) or to give up on
 * this peer for this envelope (refused, protocol).
 */
export type NetErrorCode =
  /** No connection could be made (no address, dial failed, gated). */
  | 'unreachable'
  /** A frame read/write, the dial or the whole request exceeded its time. */
  | 'timeout'
  /** The remote reset the stream (blocked us, does not know us, too many streams, failed handler). */
  | 'reset'
  /** The remote does not speak this protocol, or we refuse to talk to this peer. */
  | 'refused'
  /** The remote answered with a frame that breaks the protocol. */
  | 'protocol'
  /** This node is stopped or stopping. */
  | 'closed';

export class NetError extends Error {
  constructor(
    readonly code: NetErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NetError';
  }
}

export function isNetError(err: unknown, code?: NetErrorCode): err is NetError {
  return err instanceof NetError && (code === undefined || err.code === code);
}
