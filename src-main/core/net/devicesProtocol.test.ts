import type { Libp2p } from '@libp2p/interface';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceListAsk, DeviceListReply } from './devicesProtocol';
import { encodeLength } from './frameStream';
import { PROTOCOL_IDS } from './limits';
import { isNetError } from './netError';
import { DeviceListRequest, DeviceListResponse } from './proto/devices.generated';
import { makePeer, makeRawNode, rawExchange, type TestPeer } from './testing/netHarness';

/**
 * /parley/devices/1.0.0 between real nodes on 127.0.0.1: fetch and push in
 * one round trip, every status, and the edge: malformed frames reset,
 * strangers reach the handler (it decides), floods are rate-limited.
 */

function frame(body: Uint8Array): Uint8Array {
  const prefix = encodeLength(body.length);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}

const IK = new Uint8Array(32).fill(4);
let server: TestPeer;
let client: TestPeer;
const asks: { peer: string; ask: DeviceListAsk }[] = [];
let reply: DeviceListReply = { status: 'ok', entries: [] };
const raws: Libp2p[] = [];

beforeAll(async () => {
  server = await makePeer();
  client = await makePeer();
  server.node.services.devices.handle((peer, ask) => {
    asks.push({ peer, ask });
    return reply;
  });
  await server.node.start();
  await client.node.start();
  await client.node.addAddresses(server.id, server.node.addresses());
});

afterAll(async () => {
  for (const r of raws) await r.stop();
  await client.node.stop();
  await server.node.stop();
});

describe('/parley/devices/1.0.0', () => {
  it('carries a fetch with the asker head and answers every status (a stranger reaches the handler)', async () => {
    reply = { status: 'ok', entries: [new Uint8Array([1, 2]), new Uint8Array([3])] };
    const got = await client.node.services.devices.exchange(server.id, {
      identityKey: IK,
      after: { seq: 3, hash: new Uint8Array(32).fill(9) },
      push: [],
    });
    expect(got).toEqual({ status: 'ok', entries: [new Uint8Array([1, 2]), new Uint8Array([3])] });
    // The client is not known to the server's node: the protocol is open, the handler decides.
    expect(asks.at(-1)).toMatchObject({ peer: client.id, ask: { after: { seq: 3 }, push: [] } });
    for (const status of ['not-found', 'refused', 'stale-head'] as const) {
      reply = { status, entries: [new Uint8Array([7])] };
      // Entries go only with OK, whatever the handler returned.
      expect(
        await client.node.services.devices.exchange(server.id, { identityKey: IK, after: null, push: [] }),
      ).toEqual({ status, entries: [] });
    }
  });

  it('carries a push', async () => {
    reply = { status: 'ok', entries: [] };
    await client.node.services.devices.exchange(server.id, {
      identityKey: IK,
      after: null,
      push: [new Uint8Array(600).fill(1), new Uint8Array(250).fill(2)],
    });
    expect(asks.at(-1)?.ask.push.map((e) => e.length)).toEqual([600, 250]);
    expect(asks.at(-1)?.ask.after).toBeNull();
  });

  it('resets malformed requests before the handler sees them', async () => {
    const seen = asks.length;
    const before = server.node.metrics().malformedFrames.devices;
    const bad = [
      DeviceListRequest.encode({ version: 1, identityKey: new Uint8Array(31), push: [] }),
      DeviceListRequest.encode({ version: 1, identityKey: IK, afterSeq: 2, push: [] }),
      DeviceListRequest.encode({
        version: 1,
        identityKey: IK,
        afterSeq: 2,
        afterHash: new Uint8Array(31),
        push: [],
      }),
      DeviceListRequest.encode({
        version: 1,
        identityKey: IK,
        afterSeq: 1024,
        afterHash: new Uint8Array(32),
        push: [],
      }),
      DeviceListRequest.encode({ version: 1, identityKey: IK, push: [new Uint8Array(1025)] }),
      DeviceListRequest.encode({ version: 1, identityKey: IK, push: [new Uint8Array(0)] }),
      DeviceListRequest.encode({
        version: 1,
        identityKey: IK,
        push: Array.from({ length: 1025 }, () => new Uint8Array(1)),
      }),
      DeviceListRequest.encode({ version: 2, identityKey: IK, push: [] }),
      new Uint8Array([0xff, 0xff, 0xff]),
    ];
    for (const b of bad) {
      // A fresh hostile node each time, so the per-peer rate limit is not what resets it.
      const raw = await makeRawNode();
      raws.push(raw);
      await raw.start();
      expect((await rawExchange(raw, server.node, PROTOCOL_IDS.devices, frame(b))).kind).toBe('reset');
    }
    expect(asks.length).toBe(seen);
    expect(server.node.metrics().malformedFrames.devices).toBe(before + bad.length);
  });

  it('a client refuses a malformed answer: entries with a refusal, an unknown status, an oversize entry', async () => {
    const liar = await makeRawNode();
    raws.push(liar);
    let answer = new Uint8Array();
    await liar.handle(PROTOCOL_IDS.devices, async (stream) => {
      stream.send(frame(answer));
      await stream.close();
    });
    await liar.start();
    await client.node.addAddresses(
      liar.peerId.toString(),
      liar.getMultiaddrs().map((m) => m.toString()),
    );
    for (const bad of [
      DeviceListResponse.encode({
        version: 1,
        status: DeviceListResponse.Status.REFUSED,
        entries: [new Uint8Array(3)],
      }),
      DeviceListResponse.encode({
        version: 1,
        status: DeviceListResponse.Status.STATUS_UNSPECIFIED,
        entries: [],
      }),
      DeviceListResponse.encode({
        version: 1,
        status: DeviceListResponse.Status.OK,
        entries: [new Uint8Array(1025)],
      }),
      DeviceListResponse.encode({ version: 2, status: DeviceListResponse.Status.OK, entries: [] }),
    ]) {
      answer = bad;
      const err = await client.node.services.devices
        .exchange(liar.peerId.toString(), { identityKey: IK, after: null, push: [] })
        .catch((e: unknown) => e);
      expect(isNetError(err), String(err)).toBe(true);
    }
  });

  it('rate-limits a peer that floods it (8, then +1 per 10 s)', async () => {
    const flooder = await makePeer();
    await flooder.node.start();
    try {
      await flooder.node.addAddresses(server.id, server.node.addresses());
      reply = { status: 'not-found', entries: [] };
      const results: string[] = [];
      for (let i = 0; i < 14; i++) {
        results.push(
          await flooder.node.services.devices
            .exchange(server.id, { identityKey: IK, after: null, push: [] })
            .then(
              (r) => r.status,
              (err: unknown) => (isNetError(err) ? err.code : 'error'),
            ),
        );
      }
      expect(results.filter((r) => r === 'not-found').length).toBeLessThanOrEqual(9);
      expect(server.node.metrics().rateLimited.devices).toBeGreaterThan(0);
    } finally {
      await flooder.node.stop();
    }
  });
});
