import type { Libp2p } from '@libp2p/interface';
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressAnswer, AddressHooks, AddressUpdate } from './addressProtocol';
import { sealAddressRecord } from './addressRecord';
import { generateDeviceKey, loadDeviceKey, peerIdOfDeviceKey } from './deviceKey';
import { encodeLength } from './frameStream';
import { PROTOCOL_IDS } from './limits';
import { isNetError } from './netError';
import { AddressRequest } from './proto/address.generated';
import { befriend, makePeer, makeRawNode, rawExchange, type TestPeer } from './testing/netHarness';

/**
 * /parley/address/1.0.0 between real nodes over 127.0.0.1: one round trip
 * gives records both ways, forged records never reach the caller, and the
 * edge refuses strangers, malformed frames and floods.
 */

interface Recorder {
  hooks: AddressHooks;
  updates: { from: string; update: AddressUpdate }[];
  allowed: Set<string>;
  own: { record: Uint8Array | null; beaconKey: Uint8Array | null };
  answer: (asker: string, peers: string[]) => AddressAnswer;
}

function recorder(): Recorder {
  const r: Recorder = {
    updates: [],
    allowed: new Set(),
    own: { record: null, beaconKey: null },
    answer: () => ({ records: [], reachable: [] }),
    hooks: {
      allow: (peer) => r.allowed.has(peer),
      local: () => r.own,
      onUpdate: (from, update) => r.updates.push({ from, update }),
      lookup: (asker, peers) => r.answer(asker, peers),
    },
  };
  return r;
}

function frame(body: Uint8Array): Uint8Array {
  const prefix = encodeLength(body.length);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}

let a: TestPeer;
let b: TestPeer;
let aHooks: Recorder;
let bHooks: Recorder;
const raws: Libp2p[] = [];

beforeAll(async () => {
  aHooks = recorder();
  bHooks = recorder();
  [a, b] = await Promise.all([
    makePeer({ addressBook: aHooks.hooks }),
    makePeer({ addressBook: bHooks.hooks }),
  ]);
  await Promise.all([a.node.start(), b.node.start()]);
  await befriend(a, b);
  aHooks.allowed.add(b.id);
  bHooks.allowed.add(a.id);
});

afterAll(async () => {
  await Promise.all([a.node.stop(), b.node.stop(), ...raws.map((r) => r.stop())]);
});

describe('/parley/address/1.0.0', () => {
  it('gives records and beacon keys both ways and answers lookups', async () => {
    const aRecord = await sealAddressRecord(a.key, a.node.addresses(), 5);
    const bRecord = await sealAddressRecord(b.key, b.node.addresses(), 7);
    const carol = await sealAddressRecord(await generateDeviceKey(), ['/ip4/10.1.1.1/tcp/4100'], 3);
    const stranger = peerIdOfDeviceKey(await generateDeviceKey());
    bHooks.own = { record: bRecord.envelope, beaconKey: new Uint8Array(32).fill(2) };
    bHooks.answer = (asker, peers) => {
      expect(asker).toBe(a.id);
      return { records: [carol.envelope], reachable: peers.filter((p) => p === carol.peerId) };
    };
    const reply = await a.node.services.address.exchange(b.id, {
      records: [aRecord.envelope],
      lookup: [carol.peerId, stranger],
      beaconKey: new Uint8Array(32).fill(1),
    });
    // B took A's record and key.
    expect(bHooks.updates.at(-1)).toMatchObject({
      from: a.id,
      update: { records: [{ peerId: a.id, seq: 5 }], beaconKey: new Uint8Array(32).fill(1) },
    });
    // A got B's own record first, then what B knew, and who B reaches.
    expect(reply.records.map((r) => [r.peerId, r.seq])).toEqual([
      [b.id, 7],
      [carol.peerId, 3],
    ]);
    expect(reply.reachable).toEqual([carol.peerId]);
    expect(reply.beaconKey).toEqual(new Uint8Array(32).fill(2));
    expect(aHooks.updates.at(-1)?.from).toBe(b.id);
  });

  it('drops a record signed by anyone but the device it is about, and keeps the honest ones', async () => {
    const mallory = loadDeviceKey(await generateDeviceKey());
    const forged = (
      await RecordEnvelope.seal(
        new PeerRecord({
          peerId: peerIdFromPrivateKey(loadDeviceKey(b.key)),
          multiaddrs: [multiaddr('/ip4/6.6.6.6/tcp/1')],
          seqNumber: 99n,
        }),
        mallory,
      )
    ).marshal();
    const honest = await sealAddressRecord(a.key, a.node.addresses(), 6);
    await a.node.services.address.exchange(b.id, { records: [forged, honest.envelope] });
    expect(bHooks.updates.at(-1)?.update.records.map((r) => r.peerId)).toEqual([a.id]);
  });

  it('refuses peers it does not know and peers the caller does not allow, before reading', async () => {
    const raw = await makeRawNode();
    raws.push(raw);
    await raw.start();
    const request = frame(AddressRequest.encode({ version: 1, records: [], lookup: [] }));
    const unknownBefore = b.node.metrics().unknownPeerStreams.address;
    expect((await rawExchange(raw, b.node, PROTOCOL_IDS.address, request)).kind).toBe('reset');
    b.known.add(raw.peerId.toString());
    expect((await rawExchange(raw, b.node, PROTOCOL_IDS.address, request)).kind).toBe('reset');
    expect(b.node.metrics().unknownPeerStreams.address).toBe(unknownBefore + 2);
  });

  it('resets a malformed request: too many lookups, a bad PeerId, a short beacon key', async () => {
    const raw = await makeRawNode();
    raws.push(raw);
    await raw.start();
    b.known.add(raw.peerId.toString());
    bHooks.allowed.add(raw.peerId.toString());
    const before = b.node.metrics().malformedFrames.address;
    const tooMany = Array.from({ length: 33 }, () => a.id);
    for (const bad of [
      AddressRequest.encode({ version: 1, records: [], lookup: tooMany }),
      AddressRequest.encode({ version: 1, records: [], lookup: ['not a peer'] }),
      AddressRequest.encode({ version: 1, records: [], lookup: [], beaconKey: new Uint8Array(31) }),
      AddressRequest.encode({ version: 2, records: [], lookup: [] }),
    ]) {
      expect((await rawExchange(raw, b.node, PROTOCOL_IDS.address, frame(bad))).kind).toBe('reset');
    }
    expect(b.node.metrics().malformedFrames.address).toBe(before + 4);
  });

  it('rate-limits a peer that floods it', async () => {
    const d = await makePeer({ addressBook: recorder().hooks });
    await d.node.start();
    try {
      await befriend(d, b);
      bHooks.allowed.add(d.id);
      const results: string[] = [];
      for (let i = 0; i < 24; i++) {
        results.push(
          await d.node.services.address.exchange(b.id, { records: [] }).then(
            () => 'ok',
            (err: unknown) => (isNetError(err) ? err.code : 'error'),
          ),
        );
      }
      // A bucket of 16, refilled slowly: the rest are reset before a byte is read.
      expect(results.filter((r) => r === 'ok').length).toBeLessThanOrEqual(17);
      expect(b.node.metrics().rateLimited.address).toBeGreaterThan(0);
    } finally {
      await d.node.stop();
    }
  });
});
