import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileOpen } from './fileProtocol';
import { plaintextHandedOver } from './plaintextHandedOver';
import { befriend, makePeer, type TestPeer } from './testing/netHarness';
import type { Connection, Stream } from '@libp2p/interface';

/**
 * The file server reuses its read buffers once the transport handed them
 * over (issue 16 item 8). Reused too early, a buffer still queued in the
 * muxer or the encrypter would be overwritten before it is sent, and the
 * client would get other bytes. Here the source poisons every buffer handed
 * back and reads the next runs into it, over real TCP + Noise + Yamux, with a
 * client that reads slowly so the server's writes back up.
 */

const FILE_ID = new Uint8Array(16).fill(3);
const CHUNK = 256 * 1024;
const CHUNKS = 64;

/** Chunk `index`'s bytes: its index in the first four bytes, then a byte pattern of its own. */
function fill(target: Uint8Array, index: number): void {
  target.fill((index * 7 + 1) & 0xff);
  new DataView(target.buffer, target.byteOffset, 4).setUint32(0, index);
}

let recycled = 0;
let allocated = 0;
const pool: ArrayBuffer[] = [];

const source = async (): Promise<FileOpen> => ({
  status: 'ok',
  chunkCount: CHUNKS,
  read: async (first, count) => {
    const buffer = pool.pop() ?? (allocated++, new ArrayBuffer(4 * CHUNK));
    return Array.from({ length: count }, (_, i) => {
      const view = new Uint8Array(buffer, i * CHUNK, CHUNK);
      fill(view, first + i);
      return view;
    });
  },
  close: async () => undefined,
  recycle: (run) => {
    const buffer = run[0]?.buffer as ArrayBuffer;
    recycled += 1;
    new Uint8Array(buffer).fill(0xee);
    pool.push(buffer);
  },
});

let server: TestPeer;
let client: TestPeer;

beforeAll(async () => {
  [server, client] = await Promise.all([makePeer({ fileSource: source }), makePeer()]);
  await Promise.all([server.node.start(), client.node.start()]);
  await befriend(server, client);
});

afterAll(async () => {
  await Promise.all([server.node.stop(), client.node.stop()]);
});

describe('file server read buffers', () => {
  it('are reused only once the transport let go of them: every byte arrives as read', async () => {
    const wrong: number[] = [];
    let got = 0;
    for (let round = 0; round < 3; round++) {
      const status = await client.node.services.files.fetch(
        server.id,
        FILE_ID,
        0,
        CHUNKS,
        async (index, data) => {
          const expected = new Uint8Array(CHUNK);
          fill(expected, index);
          if (!Buffer.from(data.subarray()).equals(Buffer.from(expected))) wrong.push(index);
          got += 1;
          // A slow reader: the stream window fills and the server's writes wait in libp2p's buffers.
          if (index % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        },
      );
      expect(status).toBe('ok');
    }
    expect(wrong).toEqual([]);
    expect(got).toBe(3 * CHUNKS);
    // Buffers did come back and were read into again (fewer allocated than runs read).
    expect(recycled).toBeGreaterThan(0);
    expect(allocated).toBeLessThan((3 * CHUNKS) / 4);
  });
});

describe('plaintextHandedOver', () => {
  const stream = (n: number): Stream => ({ writeBufferLength: n }) as unknown as Stream;
  const connection = (below: unknown): Connection => ({ muxer: { maConn: below } }) as unknown as Connection;

  it('is true only when the stream and the encrypted connection below hold nothing', () => {
    expect(plaintextHandedOver(stream(0), connection({ writeBufferLength: 0 }))()).toBe(true);
    expect(plaintextHandedOver(stream(5), connection({ writeBufferLength: 0 }))()).toBe(false);
    expect(plaintextHandedOver(stream(0), connection({ writeBufferLength: 5 }))()).toBe(false);
  });

  it('says no when it cannot see the layers (another transport or libp2p version)', () => {
    expect(plaintextHandedOver(stream(0), connection(undefined))()).toBe(false);
    expect(plaintextHandedOver(stream(0), {} as Connection)()).toBe(false);
    expect(plaintextHandedOver({} as Stream, connection({ writeBufferLength: 0 }))()).toBe(false);
  });

  it('reads the lengths at each call, not once', () => {
    const s = { writeBufferLength: 3 };
    const below = { writeBufferLength: 0 };
    const check = plaintextHandedOver(s as unknown as Stream, connection(below));
    expect(check()).toBe(false);
    s.writeBufferLength = 0;
    expect(check()).toBe(true);
  });
});
