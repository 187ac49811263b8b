import type { Connection, Stream } from '@libp2p/interface';

/** What the check reads of a libp2p message stream: how many bytes wait in its write buffer. */
interface Buffered {
  writeBufferLength: number;
}

function buffered(value: unknown): Buffered | null {
  const length = (value as Partial<Buffered> | null)?.writeBufferLength;
  return typeof length === 'number' ? (value as Buffered) : null;
}

/**
 * Whether every byte written to `stream` so far has been taken over by the
 * connection's encrypter (issue 16 item 8: the file server reuses its disk
 * read buffers, and a buffer may only be reused once the transport holds no
 * view of it any more).
 *
 * libp2p 3 hands written bytes on without copying: the muxed stream keeps
 * views of them in its write buffer until the muxer frames them, and the
 * muxer hands the frames to the encrypted connection (Noise over TCP, or
 * over a relayed stream), which keeps views in its own write buffer until it
 * encrypts them into fresh ciphertext (@chainsafe/libp2p-noise
 * EncryptedMessageStream.sendData). Both buffers are first in, first out, so
 * when both are empty every byte written before was encrypted and nothing
 * refers to the caller's memory.
 *
 * The check reads `writeBufferLength` of the stream and of the muxer's
 * underlying connection (`connection.muxer.maConn`, not part of libp2p's
 * typed interface). When either is missing (another libp2p version, a
 * transport without that layer such as WebRTC) the answer is false and callers behave as if the bytes were
 * still held, i.e. they never reuse them: safe, only slower.
 */
export function plaintextHandedOver(stream: Stream, connection: Connection): () => boolean {
  const own = buffered(stream);
  const muxer = (connection as unknown as { muxer?: { maConn?: unknown } }).muxer;
  const below = buffered(muxer?.maConn);
  if (own === null || below === null) return () => false;
  return () => own.writeBufferLength === 0 && below.writeBufferLength === 0;
}
