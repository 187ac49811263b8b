import type { Connection, Stream } from '@libp2p/interface';

/**
 * Which streams have per-stream flow control (issue 19, docs/protocol.md
 * §14.12). Over Yamux a reader that pauses stops granting window (Yamux
 * spec, "Flow Control"), so the sender stops within one window
 * (STREAM_WINDOW_BYTES). A WebRTC data channel has none: @libp2p/webrtc's
 * stream (6.0.x) implements pause as a no-op (`sendPause`, "TODO: read
 * backpressure?"), and the sender writes as fast as SCTP carries it. A
 * paused WebRTC stream only moves the bytes into libp2p's own read buffer,
 * which aborts the stream at 4 MB; a FrameStream's per-stream bound of one
 * frame plus one window failed a 100 MB file over WebRTC every few
 * megabytes (each failed request waited for the 15 s retry: 1.55 MB/s).
 * So a reader of such a stream must be ready to hold what it asked for.
 */

/** The muxer name @libp2p/webrtc gives its connections (its MUXER_PROTOCOL). */
const WEBRTC_MUXER = '/webrtc';

const withoutFlowControl = new WeakSet<Stream>();

/** Whether streams of this connection push back on a reader that pauses. */
export function connectionHasFlowControl(conn: Pick<Connection, 'multiplexer'>): boolean {
  return conn.multiplexer !== WEBRTC_MUXER;
}

/** Notes a stream of `conn` as one without flow control when it is; returns the stream. */
export function noteStreamFlow(conn: Pick<Connection, 'multiplexer'>, stream: Stream): Stream {
  if (!connectionHasFlowControl(conn)) withoutFlowControl.add(stream);
  return stream;
}

/** False for a stream noted as one whose pause does not stop the sender. */
export function hasFlowControl(stream: Stream): boolean {
  return !withoutFlowControl.has(stream);
}
