import { afterEach, describe, expect, it } from 'vitest';
import { generateDeviceKey } from './deviceKey';
import type { HelloInfo } from './helloProtocol';
import { isNetError } from './netError';
import { ParleyNode } from './parleyNode';
import { parleyProtocols, type ParleyProtocolNode } from './parleyProtocols';

/** /parley/hello/1.0.0 between two nodes on 127.0.0.1 that do not know each other. */

const nodes: ParleyProtocolNode[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
});

async function node(answer: () => HelloInfo | null): Promise<ParleyProtocolNode> {
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
      contactRequests: { onRequest: async () => 'rejected' },
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
});
