import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLength } from './frameStream';
import { PROTOCOL_IDS } from './limits';
import { isNetError, NetError } from './netError';
import type { ConnectionState } from './parleyNode';
import { DeliverRequest } from './proto/deliver.generated';
import { MailboxRequest, MailboxResponse } from './proto/mailbox.generated';
import {
  befriend,
  envelopeId,
  hex,
  makePeer,
  makeRawNode,
  rawExchange,
  rawOpen,
  waitFor,
  type RawOutcome,
  type TestPeer,
} from './testing/netHarness';

/**
 * Three real nodes (and a few extra) on 127.0.0.1 in one process, exercising
 * every protocol end to end, the edge's refusals and the malformed-frame path.
 */

const payload = (n: number, fill = 1): Uint8Array<ArrayBuffer> => new Uint8Array(n).fill(fill);

async function netErrorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (isNetError(err)) return err.code;
    throw err;
  }
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
let c: TestPeer;
const extra: TestPeer[] = [];
const raws: Libp2p[] = [];

beforeAll(async () => {
  [a, b, c] = await Promise.all([
    // a closes idle deliver sessions sooner than the 2 s default, to keep the suite quick.
    makePeer({ limits: { sessionIdleMs: 300 } }),
    makePeer({
      // Small enough to hit quickly in tests.
      mailbox: { maxBytesPerDepositor: 3000, maxTotalBytes: 1_000_000, maxTtlSeconds: 3600 },
      limits: {
        contactRequestPerPeer: { capacity: 3, refillPerSecond: 0 },
        contactRequestGlobal: { capacity: 5, refillPerSecond: 0 },
      },
    }),
    makePeer(),
  ]);
  await Promise.all([a, b, c].map((p) => p.node.start()));
  await befriend(a, b);
  await befriend(b, c);
  await befriend(a, c);
});

afterAll(async () => {
  await Promise.all([a, b, c, ...extra].map((p) => p.node.stop()));
  await Promise.all(raws.map((r) => r.stop()));
});

describe('ParleyNode on 127.0.0.1', () => {
  it('connects and reports the connection state', async () => {
    const states: ConnectionState[] = [];
    const unsubscribe = a.node.onConnectionState((s) => states.push(s));
    const peerEvents: string[] = [];
    b.node.onPeer((e) => peerEvents.push(`${e.connected ? '+' : '-'}${e.peerId}`));
    expect(a.node.connectionState().state).toBe('looking');
    await a.node.connect(b.id);
    await waitFor(() => a.node.connectionState().peers >= 1 && peerEvents.includes(`+${a.id}`));
    expect(a.node.connectionState()).toEqual({ state: 'connected', peers: 1 });
    expect(states.at(-1)).toEqual({ state: 'connected', peers: 1 });
    expect(a.node.addresses()[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3KooW/);
    expect(await a.node.ping(b.id)).toBeGreaterThanOrEqual(0);
    unsubscribe();
  });

  it('delivers an envelope and acks only after the handler resolved', async () => {
    let release!: () => void;
    b.gate.wait = new Promise<void>((r) => (release = r));
    const id = envelopeId();
    let settled = false;
    const sending = a.node.services.deliver.send(b.id, id, payload(1024)).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(settled).toBe(false);
    expect(b.received).toHaveLength(0);
    b.gate.wait = undefined;
    release();
    expect(await sending).toBe('accepted');
    expect(b.received).toHaveLength(1);
    expect(b.received[0]?.from).toBe(a.id);
    expect(hex(b.received[0]?.envelopeId ?? new Uint8Array())).toBe(hex(id));
    expect(b.received[0]?.payload).toEqual(payload(1024));
  });

  it('reports a duplicate envelope id as the handler says', async () => {
    const id = envelopeId();
    expect(await a.node.services.deliver.send(b.id, id, payload(10))).toBe('accepted');
    expect(await a.node.services.deliver.send(b.id, id, payload(10))).toBe('duplicate');
    expect(b.received.filter((e) => hex(e.envelopeId) === hex(id))).toHaveLength(1);
  });

  it('reuses one deliver stream for consecutive envelopes and closes it when idle', async () => {
    const deliverStreams = (): number =>
      a.node
        .connections()
        .filter((x) => x.peerId === b.id)
        .reduce((n, x) => n + (x.streams[PROTOCOL_IDS.deliver] ?? 0), 0);
    for (let i = 0; i < 20; i++)
      expect(await a.node.services.deliver.send(b.id, envelopeId(), payload(100))).toBe('accepted');
    expect(deliverStreams()).toBe(1);
    // Closed by the sender after sessionIdleMs without traffic.
    await waitFor(() => deliverStreams() === 0, 5000, 'idle session close');
    expect(b.node.metrics().timeouts.deliver).toBe(0);
  });

  it('pipelines a run of envelopes on one stream: acks in order, handled in order', async () => {
    const ids = [...Array(150).keys()].map(() => envelopeId());
    const before = b.received.length;
    const { statuses, error } = await a.node.services.deliver.sendMany(
      b.id,
      ids.map((id, i) => ({ envelopeId: id, payload: payload(512, i % 250) })),
    );
    expect(error).toBeUndefined();
    expect(statuses).toEqual(Array(150).fill('accepted'));
    expect(b.received.slice(before).map((e) => hex(e.envelopeId))).toEqual(ids.map(hex));
    // The receiver was given one session object for the whole run.
    const sessions = new Set(b.received.slice(before).map((e) => e.session));
    expect(sessions.size).toBe(1);
    expect([...sessions][0]).toBeDefined();
  });

  it('keeps streaming what is queued while a run is on the wire, on the same stream, in order', async () => {
    const before = b.received.length;
    const first = [...Array(5).keys()].map(() => envelopeId());
    const later: Uint8Array[] = [];
    let asked = 0;
    const { statuses, error } = await a.node.services.deliver.sendMany(
      b.id,
      first.map((id) => ({ envelopeId: id, payload: payload(64) })),
      {
        // Three more turns of 40 "newly queued" envelopes, then nothing: the run ends once all are acked.
        more: () => {
          if (++asked > 3) return [];
          const next = [...Array(40).keys()].map(() => envelopeId());
          later.push(...next);
          return next.map((id) => ({ envelopeId: id, payload: payload(64) }));
        },
      },
    );
    expect(error).toBeUndefined();
    expect(statuses).toEqual(Array(125).fill('accepted'));
    const got = b.received.slice(before);
    expect(got.map((e) => hex(e.envelopeId))).toEqual([...first, ...later].map(hex));
    expect(new Set(got.map((e) => e.session)).size).toBe(1);
  });

  it('a pipelined run stops at the first failed handler and reports the acked prefix', async () => {
    b.gate.fail = true;
    const { statuses, error } = await a.node.services.deliver.sendMany(
      b.id,
      [...Array(10).keys()].map(() => ({ envelopeId: envelopeId(), payload: payload(64) })),
    );
    b.gate.fail = false;
    expect(statuses).toEqual([]);
    expect(isNetError(error) && error.code).toBe('reset');
  });

  it('sends no ack when the handler fails: the sender sees a reset and may retry', async () => {
    const before = b.node.metrics().handlerErrors.deliver;
    b.gate.fail = true;
    const id = envelopeId();
    expect(await netErrorCode(a.node.services.deliver.send(b.id, id, payload(10)))).toBe('reset');
    b.gate.fail = false;
    expect(b.node.metrics().handlerErrors.deliver).toBe(before + 1);
    expect(await a.node.services.deliver.send(b.id, id, payload(10))).toBe('accepted');
  });

  it('carries a maximal envelope and refuses a larger one locally', async () => {
    expect(await a.node.services.deliver.send(b.id, envelopeId(), payload(256 * 1024))).toBe('accepted');
    await expect(a.node.services.deliver.send(b.id, envelopeId(), payload(256 * 1024 + 1))).rejects.toThrow(
      RangeError,
    );
  });

  it('fetches key packages until none are left', async () => {
    b.keyPackages.push(payload(2000, 7), payload(3000, 8));
    expect(await c.node.services.keyPackages.fetch(b.id)).toEqual(payload(2000, 7));
    expect(await c.node.services.keyPackages.fetch(b.id)).toEqual(payload(3000, 8));
    expect(await c.node.services.keyPackages.fetch(b.id)).toBeNull();
  });

  it('holds mailbox deposits under quota and TTL, hands them to the recipient, deletes on ack', async () => {
    const ids = [envelopeId(), envelopeId(), envelopeId()];
    const deposit = (id: Uint8Array, size: number, ttlSeconds = 600) =>
      a.node.services.mailbox.deposit(b.id, {
        recipient: c.id,
        envelopeId: id,
        payload: payload(size, 3),
        ttlSeconds,
      });
    expect(await deposit(ids[0]!, 1000)).toBe('stored');
    expect(await deposit(ids[0]!, 1000)).toBe('stored');
    expect(await deposit(ids[1]!, 1000)).toBe('stored');
    // a's quota at b is 3000 bytes.
    expect(await deposit(ids[2]!, 1500)).toBe('quota-exceeded');
    expect(await deposit(ids[2]!, 500, 1)).toBe('stored');

    // The 1-second deposit expires at the holder.
    b.clockOffset.ms = 5_000;
    const got: Uint8Array[] = [];
    const result = await c.node.services.mailbox.fetch(b.id, async (items) => {
      for (const item of items) got.push(item.envelopeId);
    });
    expect(result).toEqual({ received: 2, more: false });
    expect(got.map(hex)).toEqual([hex(ids[0]!), hex(ids[1]!)]);

    // Someone else cannot fetch or ack c's mail: a's own mailbox at b is empty.
    expect((await a.node.services.mailbox.fetch(b.id, async () => undefined)).received).toBe(0);
    expect(await a.node.services.mailbox.ack(b.id, got)).toBe(0);

    expect(await c.node.services.mailbox.ack(b.id, got)).toBe(2);
    expect((await c.node.services.mailbox.fetch(b.id, async () => undefined)).received).toBe(0);
    b.clockOffset.ms = 0;
  });

  it('fetches in bounded batches and says when more is held', async () => {
    const ids: Uint8Array[] = [];
    for (let i = 0; i < 100; i++) {
      const id = envelopeId();
      ids.push(id);
      expect(
        await c.node.services.mailbox.deposit(b.id, {
          recipient: a.id,
          envelopeId: id,
          payload: payload(10),
          ttlSeconds: 60,
        }),
      ).toBe('stored');
    }
    const batches: number[] = [];
    const first = await a.node.services.mailbox.fetch(
      b.id,
      async (items) => void batches.push(items.length),
      {
        maxItems: 70,
      },
    );
    expect(first).toEqual({ received: 70, more: true });
    expect(batches).toEqual([64, 6]);
    // A consumer that fails gets its own error back, and nothing is lost: the
    // envelopes stay held until acked.
    const boom = new Error('commit failed');
    await expect(
      a.node.services.mailbox.fetch(b.id, async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(
      (await a.node.services.mailbox.fetch(b.id, async () => undefined, { maxItems: 4096 })).received,
    ).toBe(100);
    expect(await a.node.services.mailbox.ack(b.id, ids)).toBe(100);
  });

  it('refuses a fetch for someone else at the holder', async () => {
    const raw = await makeRawNode();
    raws.push(raw);
    await raw.start();
    b.known.add(raw.peerId.toString());
    const request = MailboxRequest.encode({ version: 1, fetch: { recipient: c.id, maxItems: 10 } });
    const outcome = await rawExchange(raw, b.node, PROTOCOL_IDS.mailbox, frame(request));
    expect(outcome.kind).toBe('closed');
    if (outcome.kind !== 'closed') return;
    const response = MailboxResponse.decode(outcome.response.subarray(encodeLength(0).length));
    expect(response.status).toBe(MailboxResponse.Status.REJECTED);
  });

  it('exchanges presence both ways', async () => {
    const theirs = await a.node.services.presence.exchange(b.id);
    expect(theirs.state).toBe('online');
    expect(Math.abs(theirs.lastSeenBucket - Math.floor(Date.now() / 300_000))).toBeLessThanOrEqual(1);
  });

  it('drops a blocked peer: streams reset at once, connections refused', async () => {
    const d = await makePeer();
    extra.push(d);
    await d.node.start();
    await befriend(d, b);
    expect(await d.node.services.deliver.send(b.id, envelopeId(), payload(10))).toBe('accepted');

    b.blocked.add(d.id);
    const before = b.node.metrics();
    expect(await netErrorCode(d.node.services.deliver.send(b.id, envelopeId(), payload(10)))).toBe('reset');
    expect(await netErrorCode(d.node.services.keyPackages.fetch(b.id))).toBe('reset');
    const after = b.node.metrics();
    expect(after.blockedStreams.deliver).toBe(before.blockedStreams.deliver + 1);
    expect(after.blockedStreams.keypackage).toBe(before.blockedStreams.keypackage + 1);

    await b.node.enforceBlocks();
    await waitFor(() => !d.node.isConnected(b.id), 2000, 'hang-up');
    // The gater drops the connection after the handshake; d sees that as a reset or a failed dial.
    expect(['reset', 'unreachable']).toContain(
      await netErrorCode(d.node.services.deliver.send(b.id, envelopeId(), payload(10))),
    );
    expect(b.node.metrics().deniedConnections).toBeGreaterThan(before.deniedConnections);
    // b will not dial a blocked peer either.
    expect(await netErrorCode(b.node.services.deliver.send(d.id, envelopeId(), payload(10)))).toBe('refused');
    expect(d.received).toHaveLength(0);
  });

  it('lets an unknown peer send only contact requests, rate-limited per peer and globally', async () => {
    const e = await makePeer();
    const f = await makePeer();
    extra.push(e, f);
    await Promise.all([e.node.start(), f.node.start()]);
    await e.node.addAddresses(b.id, b.node.addresses());
    await f.node.addAddresses(b.id, b.node.addresses());
    const before = b.node.metrics();

    expect(await netErrorCode(e.node.services.deliver.send(b.id, envelopeId(), payload(10)))).toBe('reset');
    expect(await netErrorCode(e.node.services.keyPackages.fetch(b.id))).toBe('reset');
    expect(await netErrorCode(e.node.services.mailbox.fetch(b.id, async () => undefined))).toBe('reset');
    expect(await netErrorCode(e.node.services.presence.exchange(b.id))).toBe('reset');
    const refused = b.node.metrics().unknownPeerStreams;
    expect(refused.deliver).toBe(before.unknownPeerStreams.deliver + 1);
    expect(refused.keypackage).toBe(before.unknownPeerStreams.keypackage + 1);
    expect(refused.mailbox).toBe(before.unknownPeerStreams.mailbox + 1);
    expect(refused.presence).toBe(before.unknownPeerStreams.presence + 1);

    const request = {
      displayName: 'Eve ✨',
      identityKey: payload(32, 9),
      inviteToken: payload(16, 4),
      message: 'hi, we met at the lab',
    };
    const results: string[] = [];
    for (let i = 0; i < 4; i++)
      results.push(await netErrorCode(e.node.services.contactRequests.send(b.id, request)));
    expect(results).toEqual(['ok', 'ok', 'ok', 'reset']);
    // Global bucket (5): f gets the remaining two.
    for (let i = 0; i < 3; i++)
      results.push(await netErrorCode(f.node.services.contactRequests.send(b.id, request)));
    expect(results.slice(4)).toEqual(['ok', 'ok', 'reset']);
    expect(b.node.metrics().rateLimited.contactRequest).toBe(before.rateLimited.contactRequest + 2);
    expect(b.contactRequests).toHaveLength(5);
    expect(b.contactRequests[0]).toMatchObject({
      from: e.id,
      displayName: 'Eve ✨',
      message: request.message,
    });
    expect(b.contactRequests[0]?.inviteToken).toEqual(payload(16, 4));

    await expect(
      e.node.services.contactRequests.send(b.id, { ...request, identityKey: payload(31) }),
    ).rejects.toThrow(RangeError);
  });

  it('closes malformed streams, counts them, and keeps serving', async () => {
    const raw = await makeRawNode();
    raws.push(raw);
    await raw.start();
    b.known.add(raw.peerId.toString());
    const before = b.node.metrics().malformedFrames.deliver;
    const valid = DeliverRequest.encode({ version: 1, envelopeId: envelopeId(), payload: payload(10) });
    const cases: [string, Uint8Array][] = [
      ['garbage length prefix', Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)],
      ['oversized frame', encodeLength(10 * 1024 * 1024)],
      ['undecodable protobuf', frame(Uint8Array.of(0x0a, 0xff, 0xff, 0xff))],
      [
        'wrong version',
        frame(DeliverRequest.encode({ version: 2, envelopeId: envelopeId(), payload: payload(1) })),
      ],
      [
        'short envelope id',
        frame(DeliverRequest.encode({ version: 1, envelopeId: payload(15), payload: payload(1) })),
      ],
      ['truncated frame', frame(valid).subarray(0, 8)],
      ['no frame at all', new Uint8Array(0)],
    ];
    for (const [name, bytes] of cases) {
      const outcome = await rawExchange(raw, b.node, PROTOCOL_IDS.deliver, bytes);
      expect(outcome.kind, name).toBe('reset');
    }
    expect(b.node.metrics().malformedFrames.deliver).toBe(before + cases.length);
    // A raw but well-formed request is served normally.
    const ok = await rawExchange(raw, b.node, PROTOCOL_IDS.deliver, frame(valid));
    expect(ok.kind).toBe('closed');
    expect(await a.node.services.deliver.send(b.id, envelopeId(), payload(10))).toBe('accepted');
  });

  it('limits concurrent inbound streams per peer', async () => {
    const raw = await makeRawNode();
    raws.push(raw);
    await raw.start();
    c.known.add(raw.peerId.toString());
    await raw.dial(multiaddr(c.node.addresses()[0] ?? ''));
    const before = c.node.metrics().streamLimit.deliver;
    // 64 are allowed at once. Each sends the start of a frame and then nothing, so
    // the first 64 hang in c's read until the test gives up on them; the rest are
    // reset at once. Opened one after another so they are all live together.
    const outcomes: Promise<RawOutcome>[] = [];
    for (let i = 0; i < 70; i++) {
      const opened = await rawOpen(raw, c.node, PROTOCOL_IDS.deliver, Uint8Array.of(10), {
        closeWrite: false,
        timeoutMs: 1000,
      });
      outcomes.push(opened.outcome);
    }
    const kinds = (await Promise.all(outcomes)).map((o) => o.kind);
    expect(kinds.filter((k) => k === 'reset')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'timeout')).toHaveLength(64);
    expect(c.node.metrics().streamLimit.deliver).toBe(before + 6);
  });

  it('reconnects to a kept peer after it restarts', async () => {
    const port = Number(/\/tcp\/(\d+)\//.exec(c.node.addresses()[0] ?? '')?.[1]);
    await a.node.keepConnected(c.id, c.node.addresses());
    await waitFor(() => a.node.isConnected(c.id), 5000, 'first connection');

    await c.node.stop();
    await waitFor(() => !a.node.isConnected(c.id), 5000, 'disconnect');
    expect(c.node.connectionState().state).toBe('offline');
    const c2 = await makePeer({ key: c.key, listen: [`/ip4/127.0.0.1/tcp/${port}`] });
    c2.known.add(a.id);
    extra.push(c2);
    await c2.node.start();
    const started = Date.now();
    await waitFor(() => a.node.isConnected(c.id), 10_000, 'reconnection');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await a.node.services.deliver.send(c.id, envelopeId(), payload(10))).toBe('accepted');
    expect(c2.received).toHaveLength(1);
    a.node.forget(c.id);
  });

  it('fails fast with a typed error when the node is stopped', async () => {
    const g = await makePeer();
    await g.node.start();
    await g.node.stop();
    await expect(g.node.services.deliver.send(b.id, envelopeId(), payload(1))).rejects.toBeInstanceOf(
      NetError,
    );
    expect(await netErrorCode(g.node.services.deliver.send(b.id, envelopeId(), payload(1)))).toBe('closed');
  });
});
