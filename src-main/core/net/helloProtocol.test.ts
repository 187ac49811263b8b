import { afterEach, describe, expect, it } from 'vitest';
import { generateDeviceKey } from './deviceKey';
import { encodeLength } from './frameStream';
import { PROTOCOL_IDS } from './limits';
import { ContactRequest } from './proto/contactRequest.generated';
import { makeRawNode, rawExchange } from './testing/netHarness';
import type { HelloInfo } from './helloProtocol';
import { isNetError } from './netError';
import { ParleyNode } from './parleyNode';
import { parleyProtocols, type ParleyProtocolNode } from './parleyProtocols';

/** /parley/hello/1.0.0 between two nodes on 127.0.0.1 that do not know each other. */

const nodes: ParleyProtocolNode[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
});

async function node(
  answer: () => HelloInfo | null,
  onRequest: () => Promise<'received' | 'rejected'> = async () => 'rejected',
): Promise<ParleyProtocolNode> {
  const n = await ParleyNode.create(
    {
      deviceKey: await generateDeviceKey(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      // Strangers to each other: only contact-request and hello are open.
      access: { isBlocked: () => false, isKnown: () => false },
      inboundConnectionsPerSecond: 10_000,
    },
    parleyProtocols({
      deliver: { onEnvelope: async () => 'rejected' },
      keyPackages: { provide: async () => null },
      contactRequests: { onRequest },
      hello: { answer },
    }),
  );
  await n.start();
  nodes.push(n);
  return n;
}

const ada: HelloInfo = { displayName: 'Ada', identityKey: new Uint8Array(32).fill(1) };

describe('hello', () => {
  it('tells a stranger the chosen name while discoverable, and nothing once off', async () => {
    let discoverable = true;
    const a = await node(() => (discoverable ? ada : null));
    const b = await node(() => null);
    await b.addAddresses(a.peerId, a.addresses());
    expect(await b.services.hello.ask(a.peerId)).toEqual(ada);
    discoverable = false;
    const err = await b.services.hello.ask(a.peerId).catch((e: unknown) => e);
    expect(isNetError(err)).toBe(true);
    // Other protocols stay closed to the stranger.
    const kp = await b.services.keyPackages.fetch(a.peerId).catch((e: unknown) => e);
    expect(isNetError(kp)).toBe(true);
    expect(a.metrics().unknownPeerStreams.keypackage).toBeGreaterThan(0);
  });

  it('is rate-limited per asker', async () => {
    const a = await node(() => ada);
    const b = await node(() => null);
    await b.addAddresses(a.peerId, a.addresses());
    const outcomes: unknown[] = [];
    for (let n = 0; n < 6; n++) outcomes.push(await b.services.hello.ask(a.peerId).catch((e: unknown) => e));
    expect(outcomes.filter((o) => isNetError(o)).length).toBeGreaterThanOrEqual(2);
    expect(a.metrics().rateLimited.hello).toBeGreaterThanOrEqual(2);
  });

  it('refuses to announce a malformed answer', async () => {
    const a = await node(() => ({ displayName: 'x'.repeat(65), identityKey: new Uint8Array(32) }));
    const b = await node(() => null);
    await b.addAddresses(a.peerId, a.addresses());
    const err = await b.services.hello.ask(a.peerId).catch((e: unknown) => e);
    expect(isNetError(err)).toBe(true);
    expect(a.metrics().malformedFrames.hello).toBe(1);
  });

  it('carries the device-list head (§13.6) and refuses a malformed one both ways', async () => {
    const head = { seq: 3, hash: new Uint8Array(32).fill(7) };
    let answer: HelloInfo = { ...ada, deviceListHead: head };
    const a = await node(() => answer);
    const b = await node(() => null);
    await b.addAddresses(a.peerId, a.addresses());
    expect(await b.services.hello.ask(a.peerId)).toEqual({ ...ada, deviceListHead: head });
    for (const bad of [
      { seq: 3, hash: new Uint8Array(31) },
      { seq: 2 ** 32, hash: new Uint8Array(32) },
    ]) {
      answer = { ...ada, deviceListHead: bad };
      expect(isNetError(await b.services.hello.ask(a.peerId).catch((e: unknown) => e))).toBe(true);
    }
    expect(a.metrics().malformedFrames.hello).toBe(2);
  });
});

describe('contact requests with a device-list head (§13.6, "Outside groups")', () => {
  it('a sender cannot send a malformed head, and a node resets a hostile one', async () => {
    const requests: unknown[] = [];
    const a = await node(
      () => null,
      async () => {
        requests.push(1);
        return 'received';
      },
    );
    const b = await node(() => null);
    await b.addAddresses(a.peerId, a.addresses());
    const fields = { displayName: 'Bob', identityKey: new Uint8Array(32).fill(2), message: '' };
    expect(
      await b.services.contactRequests.send(a.peerId, {
        ...fields,
        deviceListHead: { seq: 1, hash: new Uint8Array(32) },
      }),
    ).toBe('received');
    await expect(
      b.services.contactRequests.send(a.peerId, {
        ...fields,
        deviceListHead: { seq: 1, hash: new Uint8Array(33) },
      }),
    ).rejects.toThrow(RangeError);
    const raw = await makeRawNode();
    try {
      await raw.start();
      const body = ContactRequest.encode({
        version: 1,
        displayName: 'Mallory',
        identityKey: new Uint8Array(32).fill(9),
        message: '',
        deviceListHead: { seq: 1, hash: new Uint8Array(5) },
      });
      const bytes = new Uint8Array(Buffer.concat([encodeLength(body.length), body]));
      const before = a.metrics().malformedFrames.contactRequest;
      expect((await rawExchange(raw, a, PROTOCOL_IDS.contactRequest, bytes)).kind).toBe('reset');
      expect(a.metrics().malformedFrames.contactRequest).toBe(before + 1);
      expect(requests).toHaveLength(1);
    } finally {
      await raw.stop();
    }
  });
});
