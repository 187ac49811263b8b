import type { Stream } from '@libp2p/interface';
import { streamPair } from '@libp2p/utils';
import { Uint8ArrayList } from 'uint8arraylist';
import { describe, expect, it } from 'vitest';
import { encodeLength, FrameError, FrameStream, FrameTimeoutError, StreamGoneError } from './frameStream';
import { hasFlowControl, noteStreamFlow } from './streamFlow';

async function pair(maxFrameBytes = 1024, timeoutMs = 2_000): Promise<[FrameStream, FrameStream]> {
  const [a, b] = await streamPair();
  return [new FrameStream(a, { maxFrameBytes, timeoutMs }), new FrameStream(b, { maxFrameBytes, timeoutMs })];
}

async function kind(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof FrameError) return err.kind;
    if (err instanceof FrameTimeoutError) return 'timeout';
    if (err instanceof StreamGoneError) return 'gone';
    throw err;
  }
}

describe('encodeLength', () => {
  it('writes minimal unsigned LEB128', () => {
    expect([...encodeLength(0)]).toEqual([0]);
    expect([...encodeLength(127)]).toEqual([127]);
    expect([...encodeLength(128)]).toEqual([0x80, 1]);
    expect([...encodeLength(300)]).toEqual([0xac, 0x02]);
    expect([...encodeLength(2 ** 32 - 1)]).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });
});

describe('FrameStream', () => {
  it('carries frames both ways and reports a clean end as null', async () => {
    const [a, b] = await pair();
    await a.write(Uint8Array.of(1, 2, 3));
    await a.write(new Uint8Array(0));
    await a.write(new Uint8Array(1024).fill(7));
    await a.close();
    expect([...((await b.read()) ?? [])]).toEqual([1, 2, 3]);
    expect(await b.read()).toEqual(new Uint8Array(0));
    expect(await b.read()).toEqual(new Uint8Array(1024).fill(7));
    expect(await b.read()).toBeNull();
    await b.write(Uint8Array.of(9));
    expect([...((await a.read()) ?? [])]).toEqual([9]);
  });

  it('joins a frame sent in pieces and hands it out as one fresh array', async () => {
    const [a, b] = await pair(4096);
    const body = Uint8Array.from({ length: 3000 }, (_, i) => i % 251);
    // Written as a header and a payload; arriving as several transport chunks.
    await a.write(new Uint8ArrayList(body.subarray(0, 10), body.subarray(10)));
    const prefixed = new Uint8ArrayList(encodeLength(body.length), body).subarray();
    for (let at = 0; at < prefixed.length; at += 700) a.stream.send(prefixed.subarray(at, at + 700));
    for (let i = 0; i < 2; i++) {
      const frame = await b.read();
      expect(frame).toEqual(body);
      // Its own memory, not a view into the transport's chunks (nor a pooled Buffer).
      expect(Buffer.isBuffer(frame)).toBe(false);
      expect(frame?.byteOffset).toBe(0);
      expect(frame?.buffer.byteLength).toBe(body.length);
    }
  });

  it('rejects an oversized length before the body arrives', async () => {
    const [a, b] = await pair(1024);
    a.stream.send(encodeLength(1025));
    expect(await kind(b.read())).toBe('oversized');
  });

  it('rejects a garbage length prefix', async () => {
    const [a, b] = await pair(2 ** 40);
    a.stream.send(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    expect(await kind(b.read())).toBe('bad-length');
    const [c, d] = await pair();
    c.stream.send(Uint8Array.of(0x81, 0x00));
    expect(await kind(d.read())).toBe('bad-length');
  });

  it('reports a frame cut short by the end of the stream', async () => {
    const [a, b] = await pair();
    a.stream.send(Uint8Array.of(10, 1, 2, 3));
    await a.close();
    expect(await kind(b.read())).toBe('truncated');
  });

  it('times out a read that never completes', async () => {
    const [a, b] = await pair(1024, 50);
    a.stream.send(Uint8Array.of(10, 1));
    expect(await kind(b.read())).toBe('timeout');
  });

  it('times out a write the muxer never drains', async () => {
    // A stream whose send window stays shut: send() asks to wait, and the wait never ends.
    const stuck = {
      status: 'open',
      readStatus: 'readable',
      remoteWriteStatus: 'writable',
      writeStatus: 'writable',
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      send: () => false,
      onDrain: (options: { signal: AbortSignal }) =>
        new Promise((_, reject) =>
          options.signal.addEventListener('abort', () => reject(options.signal.reason as Error)),
        ),
    } as unknown as Stream;
    const frames = new FrameStream(stuck, { maxFrameBytes: 1024, timeoutMs: 50 });
    expect(await kind(frames.write(Uint8Array.of(1)))).toBe('timeout');
  });

  it('reports a reset', async () => {
    const [a, b] = await pair();
    const pending = b.read();
    a.abort(new Error('bye'));
    expect(await kind(pending)).toBe('gone');
  });

  it('still returns frames that arrived before the remote closed', async () => {
    const [a, b] = await pair();
    await a.write(Uint8Array.of(5));
    await a.close();
    await new Promise((r) => setTimeout(r, 20));
    expect([...((await b.read()) ?? [])]).toEqual([5]);
  });
});

describe('FrameStream on a stream without flow control (WebRTC, streamFlow.ts)', () => {
  const FRAME = 64 * 1024;
  const COUNT = 40; // 2.5 MiB: more than one frame plus one Yamux window

  /** A pair whose reading end ignores pause, as @libp2p/webrtc 6's stream does (sendPause is a no-op). */
  async function webRtcLike(): Promise<[FrameStream, FrameStream]> {
    const [a, b] = await streamPair();
    Object.assign(b, { sendPause: () => undefined, sendResume: () => undefined });
    noteStreamFlow({ multiplexer: '/webrtc' }, b);
    return [
      new FrameStream(a, { maxFrameBytes: FRAME, timeoutMs: 5_000 }),
      new FrameStream(b, { maxFrameBytes: FRAME, timeoutMs: 5_000 }),
    ];
  }

  /** The sender writes COUNT frames before the reader reads any (a reader whose disk is behind). */
  async function sendAllThenRead(a: FrameStream, b: FrameStream): Promise<number> {
    for (let i = 0; i < COUNT; i++) await a.write(new Uint8Array(FRAME).fill(i));
    await a.close();
    await new Promise((r) => setTimeout(r, 50));
    let frames = 0;
    while ((await b.readPieces()) !== null) frames += 1;
    return frames;
  }

  it('holds everything a request asked for while the reader is behind', async () => {
    const [a, b] = await webRtcLike();
    b.expectUpTo(COUNT * (FRAME + 8));
    expect(await sendAllThenRead(a, b)).toBe(COUNT);
  });

  it('still refuses more than was asked for', async () => {
    const [a, b] = await webRtcLike();
    b.expectUpTo(4 * (FRAME + 8));
    expect(await kind(sendAllThenRead(a, b))).toBe('oversized');
  });

  it('raises the bound only on streams noted as without flow control (elsewhere pausing bounds it)', async () => {
    const [a, b] = await streamPair();
    // A muxer that ignores pause but was not noted: the bound stays one frame plus one window.
    Object.assign(b, { sendPause: () => undefined, sendResume: () => undefined });
    expect(hasFlowControl(b)).toBe(true);
    const reader = new FrameStream(b, { maxFrameBytes: FRAME, timeoutMs: 5_000 });
    reader.expectUpTo(COUNT * (FRAME + 8));
    const writer = new FrameStream(a, { maxFrameBytes: FRAME, timeoutMs: 5_000 });
    expect(await kind(sendAllThenRead(writer, reader))).toBe('oversized');
  });
});
