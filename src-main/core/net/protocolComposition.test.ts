import { afterEach, describe, expect, it } from 'vitest';
import { deliverProtocol, type InboundEnvelope } from './deliverProtocol';
import { generateDeviceKey } from './deviceKey';
import { keyPackageProtocol } from './keyPackageProtocol';
import { isNetError } from './netError';
import { ParleyNode, type ProtocolFactories } from './parleyNode';
import { envelopeId } from './testing/netHarness';

/**
 * Protocols are services composed like js-libp2p's: the node speaks exactly
 * the map it was given, exposes each service under its name, and a handler
 * registered with handle() before start is what serves.
 */

const nodes: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
});

async function node<F extends ProtocolFactories>(
  services: F,
): Promise<ParleyNode<{ [K in keyof F]: ReturnType<F[K]> }>> {
  const n = await ParleyNode.create(
    {
      deviceKey: await generateDeviceKey(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      access: { isBlocked: () => false, isKnown: () => true },
      inboundConnectionsPerSecond: 10_000,
    },
    services,
  );
  nodes.push(n);
  return n;
}

describe('protocol services', () => {
  it('a node speaks only the protocols in its map, each under its name', async () => {
    const got: InboundEnvelope[] = [];
    const a = await node({
      deliver: deliverProtocol({
        onEnvelope: async (e) => {
          got.push(e);
          return 'accepted';
        },
      }),
    });
    const b = await node({ deliver: deliverProtocol(), keyPackages: keyPackageProtocol() });
    expect(Object.keys(a.services)).toEqual(['deliver']);
    await a.start();
    await b.start();
    await b.addAddresses(a.peerId, a.addresses());
    expect(await b.services.deliver.send(a.peerId, envelopeId(), new Uint8Array([1, 2, 3]))).toBe('accepted');
    expect(got.map((e) => [...e.payload])).toEqual([[1, 2, 3]]);
    // a was composed without keypackage: the protocol is not spoken at all.
    const err = await b.services.keyPackages.fetch(a.peerId).catch((e: unknown) => e);
    expect(isNetError(err) && err.code).toBe('refused');
    // b's deliver had no handler: it only sends.
    const back = await a.services.deliver
      .send(b.peerId, envelopeId(), new Uint8Array(1))
      .catch((e: unknown) => e);
    expect(isNetError(back) && back.code).toBe('refused');
  });

  it('a handler registered before start serves; registering after start is refused', async () => {
    const a = await node({ deliver: deliverProtocol() });
    const b = await node({ deliver: deliverProtocol() });
    a.services.deliver.handle(async () => 'duplicate');
    await a.start();
    await b.start();
    expect(() => a.services.deliver.handle(async () => 'accepted')).toThrow(/before the node starts/);
    await b.addAddresses(a.peerId, a.addresses());
    expect(await b.services.deliver.send(a.peerId, envelopeId(), new Uint8Array(1))).toBe('duplicate');
  });
});
