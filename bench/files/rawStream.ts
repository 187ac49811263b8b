import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Libp2p, Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { STREAM_WINDOW_BYTES } from '../../src-main/core/net/frameStream';

/**
 * The baseline of the files bench (issue #16 item 8): what one libp2p stream
 * carries between two nodes in this process, with the transport, encrypter
 * and muxer ParleyNode uses (src-main/core/net/parleyNode.ts: TCP, Noise,
 * Yamux with a 1 MiB stream window). The sender writes `size` bytes as
 * chunks of `chunkBytes` (a sealed file chunk's size), waiting for the muxer
 * to drain when it asks to; the receiver counts every byte. Nothing is
 * parsed, checked or stored: this is the ceiling a file transfer is compared
 * against.
 */

const PROTOCOL = '/parley-bench/raw/1.0.0';

async function rawNode(): Promise<Libp2p> {
  return createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [
      yamux({
        maxInboundStreams: 256,
        streamOptions: { maxStreamWindowSize: STREAM_WINDOW_BYTES, inactivityTimeout: 60_000 },
      }),
    ],
  });
}

/** Milliseconds from opening the stream to the receiver having all `size` bytes. */
export async function rawStreamMs(size: number, chunkBytes: number, timeoutMs = 120_000): Promise<number> {
  const [sender, receiver] = await Promise.all([rawNode(), rawNode()]);
  try {
    let done: () => void = () => undefined;
    let failed: (err: Error) => void = () => undefined;
    const received = new Promise<void>((resolve, reject) => {
      done = resolve;
      failed = reject;
    });
    await receiver.handle(PROTOCOL, (stream: Stream) => {
      let got = 0;
      stream.addEventListener('message', (evt) => {
        got += evt.data.byteLength;
        if (got >= size) done();
      });
      stream.addEventListener('close', (evt) => {
        if (got < size) failed(evt.error ?? new Error(`stream closed after ${got} of ${size} bytes`));
      });
    });
    const address = receiver.getMultiaddrs()[0];
    if (address === undefined) throw new Error('receiver has no address');
    await sender.dial(address);
    const chunk = new Uint8Array(chunkBytes).fill(7);
    const start = performance.now();
    const stream = await sender.dialProtocol(receiver.peerId, PROTOCOL);
    const deadline = AbortSignal.timeout(timeoutMs);
    for (let sent = 0; sent < size; sent += chunkBytes) {
      const part = sent + chunkBytes <= size ? chunk : chunk.subarray(0, size - sent);
      if (!stream.send(part)) await stream.onDrain({ signal: deadline });
    }
    await Promise.race([
      received,
      new Promise((_, reject) =>
        deadline.addEventListener('abort', () => reject(new Error('raw stream timed out'))),
      ),
    ]);
    const ms = performance.now() - start;
    await stream.close().catch(() => stream.abort(new Error('bench over')));
    return ms;
  } finally {
    await Promise.allSettled([sender.stop(), receiver.stop()]);
  }
}
