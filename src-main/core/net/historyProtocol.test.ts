import type { Libp2p } from '@libp2p/interface';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLength } from './frameStream';
import { HISTORY_CHUNKS_PER_ANSWER, type HistoryOpen } from './historyProtocol';
import { PROTOCOL_IDS } from './limits';
import { isNetError } from './netError';
import { HistoryChunk, HistoryRequest } from './proto/history.generated';
import { befriend, makePeer, makeRawNode, rawExchange, type TestPeer } from './testing/netHarness';

/**
 * /parley/history/1.0.0 between two real nodes on 127.0.0.1: what the server
 * reads and answers, what the client accepts (docs/protocol.md §13.7). The
 * MAC, the granted PeerId and the chunks' tags are history/'s (tested in
 * history/historyTransfer.test.ts); here the wire and its limits.
 */

const TRANSFER = new Uint8Array(16).fill(7);
const MAC = new Uint8Array(32).fill(3);
const HEADER = new Uint8Array(51).fill(1);
const CHUNKS = 20;
const chunk = (index: number): Uint8Array => new Uint8Array(100 + index).fill(index);
let answer: 'ok' | 'not-ready' | 'gone' | 'denied' = 'ok';
const asked: number[] = [];

let server: TestPeer;
let client: TestPeer;
let stranger: TestPeer;
let raw: Libp2p;

beforeAll(async () => {
  [server, client, stranger] = await Promise.all([makePeer(), makePeer(), makePeer()]);
  server.node.services.history.handle(async (_peer, request): Promise<HistoryOpen> => {
    asked.push(request.fromChunk);
    if (answer !== 'ok') return { status: answer };
    return {
      status: 'ok',
      header: HEADER,
      chunkCount: CHUNKS,
      read: async (i) => chunk(i),
      close: async () => undefined,
    };
  });
  await Promise.all([server.node.start(), client.node.start(), stranger.node.start()]);
  await befriend(server, client);
  await stranger.node.addAddresses(server.id, server.node.addresses());
  raw = await makeRawNode();
  server.known.add(raw.peerId.toString());
});

afterAll(async () => {
  await Promise.all([server.node.stop(), client.node.stop(), stranger.node.stop(), raw.stop()]);
});

async function fetchFrom(from: number, peer: TestPeer = client) {
  const got: Array<[number, number]> = [];
  const headers: Uint8Array[] = [];
  const status = await peer.node.services.history.fetch(
    server.id,
    { transferId: TRANSFER, fromChunk: from, mac: MAC },
    (h) => void headers.push(h),
    (i, d) => void got.push([i, d.length]),
  );
  return { status, got, headers };
}

const frame = (r: HistoryRequest): Uint8Array => {
  const body = HistoryRequest.encode(r);
  return Buffer.concat([encodeLength(body.length), body]);
};

describe('/parley/history/1.0.0', () => {
  it('answers at most 16 chunks in order from the one asked for, the header with the first', async () => {
    answer = 'ok';
    const a = await fetchFrom(0);
    expect(a.status).toBe('ok');
    expect(a.got).toEqual(Array.from({ length: HISTORY_CHUNKS_PER_ANSWER }, (_, i) => [i, 100 + i]));
    expect(a.headers).toEqual([HEADER]);
    const b = await fetchFrom(16);
    expect(b.got.map(([i]) => i)).toEqual([16, 17, 18, 19]);
    // Past the end: GONE (an empty answer would look like a cut stream).
    expect((await fetchFrom(CHUNKS)).status).toBe('gone');
  });

  it('passes NOT_READY, GONE and DENIED on as refusals', async () => {
    for (const status of ['not-ready', 'gone', 'denied'] as const) {
      answer = status;
      expect((await fetchFrom(0)).status).toBe(status);
    }
    answer = 'ok';
  });

  it('resets a stranger before reading (the edge admits known devices only)', async () => {
    asked.length = 0;
    const failure = await fetchFrom(0, stranger).catch((err: unknown) => err);
    expect(isNetError(failure)).toBe(true);
    expect(asked).toEqual([]);
  });

  it('resets malformed requests before asking the source: version, transfer id, MAC', async () => {
    asked.length = 0;
    for (const bad of [
      { version: 2, transferId: TRANSFER, fromChunk: 0, mac: MAC },
      { version: 1, transferId: new Uint8Array(15), fromChunk: 0, mac: MAC },
      { version: 1, fromChunk: 0, mac: MAC },
      { version: 1, transferId: TRANSFER, fromChunk: 0, mac: new Uint8Array(31) },
      { version: 1, transferId: TRANSFER, fromChunk: 0 },
    ]) {
      const outcome = await rawExchange(raw, server.node, PROTOCOL_IDS.history, frame(bad));
      expect(outcome.kind).toBe('reset');
    }
    // Not a protobuf at all, and an oversize frame.
    expect(
      (await rawExchange(raw, server.node, PROTOCOL_IDS.history, Uint8Array.from([3, 0xff, 0xff, 0xff])))
        .kind,
    ).toBe('reset');
    const huge = Buffer.concat([encodeLength(2 * 1024 * 1024), Buffer.alloc(16)]);
    expect((await rawExchange(raw, server.node, PROTOCOL_IDS.history, huge)).kind).toBe('reset');
    expect(asked).toEqual([]);
  });

  it('answers a well-formed request from a known raw peer with the chunks, as protobuf frames', async () => {
    const outcome = await rawExchange(
      raw,
      server.node,
      PROTOCOL_IDS.history,
      frame({ version: 1, transferId: TRANSFER, fromChunk: 19, mac: MAC }),
    );
    expect(outcome.kind).toBe('closed');
    if (outcome.kind !== 'closed') return;
    // One length-prefixed frame (LEB128 length): chunk 19 with the header.
    let at = 0;
    let length = 0;
    for (let scale = 1; ; scale *= 0x80) {
      const b = outcome.response[at++] as number;
      length += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) break;
    }
    expect(outcome.response.length).toBe(at + length);
    const decoded = HistoryChunk.decode(outcome.response.subarray(at));
    expect(decoded).toMatchObject({ status: HistoryChunk.Status.OK, index: 19 });
    expect(decoded.header?.length).toBe(51);
  });
});
