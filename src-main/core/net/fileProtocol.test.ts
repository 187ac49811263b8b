import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { okChunkHeader, READ_RUN_CHUNKS, type FileOpen } from './fileProtocol';
import { encodeLength } from './frameStream';
import { PROTOCOL_IDS } from './limits';
import { isNetError } from './netError';
import { FileChunk, FileRequest } from './proto/file.generated';
import {
  befriend,
  makePeer,
  makeRawNode,
  rawExchange,
  type RawOutcome,
  type TestPeer,
} from './testing/netHarness';
import type { Libp2p } from '@libp2p/interface';

/**
 * /parley/file/1.0.0 between two real nodes on 127.0.0.1: what the server
 * reads and sends, what the client accepts (docs/protocol.md §12).
 */

const FILE_ID = new Uint8Array(16).fill(9);
const CHUNKS = 10;
const chunk = (index: number): Uint8Array => new Uint8Array(1000 + index).fill(index + 1);

/** Every read the source was asked for, and every chunk reported served. */
const reads: [number, number][] = [];
const served: number[] = [];
let failReadAt: number | null = null;

const source = async (_requester: string, fileId: Uint8Array): Promise<FileOpen> => {
  if (!Buffer.from(fileId).equals(Buffer.from(FILE_ID))) return { status: 'not-found' };
  return {
    status: 'ok',
    chunkCount: CHUNKS,
    read: async (first, count) => {
      reads.push([first, count]);
      if (failReadAt !== null && failReadAt >= first && failReadAt < first + count)
        throw new Error('disk error');
      return Array.from({ length: count }, (_, i) => chunk(first + i));
    },
    close: async () => undefined,
    served: (index) => void served.push(index),
  };
};

let server: TestPeer;
let client: TestPeer;
let raw: Libp2p;

beforeAll(async () => {
  [server, client] = await Promise.all([makePeer({ fileSource: source }), makePeer()]);
  await Promise.all([server.node.start(), client.node.start()]);
  await befriend(server, client);
  raw = await makeRawNode();
  server.known.add(raw.peerId.toString());
});

afterAll(async () => {
  await Promise.all([server.node.stop(), client.node.stop(), raw.stop()]);
});

function fetchAll(first: number, count: number): Promise<{ status: string; got: [number, number][] }> {
  const got: [number, number][] = [];
  return client.node.services.files
    .fetch(server.id, FILE_ID, first, count, (index, data) => {
      got.push([index, data.length]);
    })
    .then((status) => ({ status, got }));
}

describe('okChunkHeader', () => {
  it('is exactly what FileChunk.encode writes before the data', () => {
    for (const index of [0, 1, 127, 128, 16_383, 2 ** 21, 2 ** 32 - 1])
      for (const length of [0, 1, 127, 128, 262_160]) {
        const data = new Uint8Array(length).fill(5);
        const encoded = FileChunk.encode({ version: 1, status: FileChunk.Status.OK, index, data });
        const ours = Buffer.concat([okChunkHeader(index, length), data]);
        expect(ours.equals(Buffer.from(encoded))).toBe(true);
      }
  });
});

describe('file protocol', () => {
  it('answers a request in order, reading the disk in runs', async () => {
    reads.length = 0;
    served.length = 0;
    const { status, got } = await fetchAll(1, 9);
    expect(status).toBe('ok');
    expect(got).toEqual(Array.from({ length: 9 }, (_, i) => [i + 1, 1001 + i]));
    // Runs of READ_RUN_CHUNKS, the next read while the previous run is sent.
    expect(reads).toEqual([
      [1, READ_RUN_CHUNKS],
      [1 + READ_RUN_CHUNKS, READ_RUN_CHUNKS],
      [1 + 2 * READ_RUN_CHUNKS, 9 - 2 * READ_RUN_CHUNKS],
    ]);
    expect(served).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('stops at the end of the file and refuses a first index past it', async () => {
    expect((await fetchAll(8, 64)).got.map(([i]) => i)).toEqual([8, 9]);
    expect((await fetchAll(CHUNKS, 1)).status).toBe('out-of-range');
    await expect(
      client.node.services.files.fetch(server.id, new Uint8Array(16), 0, 1, () => undefined),
    ).resolves.toBe('not-found');
  });

  it('resets the stream when the source fails mid-request, after the chunks before it', async () => {
    failReadAt = 6;
    const before = server.node.metrics().handlerErrors.file;
    const got: number[] = [];
    const failure = await client.node.services.files
      .fetch(server.id, FILE_ID, 0, 10, (index) => void got.push(index))
      .catch((err: unknown) => err);
    failReadAt = null;
    expect(isNetError(failure)).toBe(true);
    expect(got).toEqual([0, 1, 2, 3]);
    expect(server.node.metrics().handlerErrors.file).toBe(before + 1);
  });

  it('refuses requests outside the limits before asking the source', async () => {
    reads.length = 0;
    const request = (count: number): Uint8Array => {
      const body = FileRequest.encode({ version: 1, fileId: FILE_ID, firstIndex: 0, count });
      return Buffer.concat([encodeLength(body.length), body]);
    };
    const outcome: RawOutcome = await rawExchange(raw, server.node, PROTOCOL_IDS.file, request(65));
    expect(outcome.kind).toBe('reset');
    expect(reads).toEqual([]);
  });
});
