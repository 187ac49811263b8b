import { multiaddr } from '@multiformats/multiaddr';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDeviceKey } from './deviceKey';
import { FRAME_VERSION } from './limits';
import { isNetError } from './netError';
import { ParleyNode } from './parleyNode';
import { ReachRequest } from './proto/reach.generated';
import { reachProtocol, type ReachProtocol } from './reachProtocol';
import { makeRawNode, rawExchange } from './testing/netHarness';

/**
 * /parley/reach/1.0.0 on 127.0.0.1: a contact dials the asker back on an
 * address of the asker's own IP, and nowhere else (docs/protocol.md §14.1).
 */

type ReachNode = ParleyNode<{ reach: ReachProtocol }>;
const nodes: ReachNode[] = [];
const raws: { stop(): void | Promise<void> }[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
  for (const r of raws.splice(0)) await r.stop();
});

async function node(options: { known?: boolean; dialPrivate?: boolean } = {}): Promise<ReachNode> {
  const n = await ParleyNode.create(
    {
      deviceKey: await generateDeviceKey(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      access: { isBlocked: () => false, isKnown: () => options.known ?? true },
      inboundConnectionsPerSecond: 10_000,
    },
    { reach: reachProtocol({ dialPrivate: options.dialPrivate ?? true }) },
  );
  await n.start();
  nodes.push(n);
  return n;
}

/** A's own listen address without /p2p. */
const bare = (n: ReachNode) => multiaddr((n.addresses()[0] ?? '').replace(/\/p2p\/.*$/, ''));

describe('reach (dial me back)', () => {
  it('a contact opens a fresh connection to the address and says which one reached us', async () => {
    const a = await node();
    const b = await node();
    await a.connect(b.addresses()[0] ?? '');
    const answer = await a.services.reach.ask(b.peerId, [bare(a)]);
    expect(answer).toEqual({ status: 'ok', address: bare(a).toString() });
    expect(b.metrics().served.reach).toBe(1);
  });

  it('says failed when nothing answers there', async () => {
    const a = await node();
    const b = await node();
    await a.connect(b.addresses()[0] ?? '');
    // A closed port on A's own IP.
    const closed = await node();
    const port = bare(closed).toString();
    await closed.stop();
    expect(await a.services.reach.ask(b.peerId, [multiaddr(port)])).toEqual({ status: 'failed' });
  });

  it("never dials a host other than the asker's own, nor private addresses unless told", async () => {
    const a = await node();
    const b = await node();
    await a.connect(b.addresses()[0] ?? '');
    const elsewhere = multiaddr(bare(a).toString().replace('/127.0.0.1/', '/127.0.0.2/'));
    expect(await a.services.reach.ask(b.peerId, [elsewhere])).toEqual({ status: 'refused' });
    const strict = await node({ dialPrivate: false });
    await a.connect(strict.addresses()[0] ?? '');
    expect(await a.services.reach.ask(strict.peerId, [bare(a)])).toEqual({ status: 'refused' });
  });

  it('answers contacts only, and refuses a malformed request', async () => {
    const a = await node();
    const stranger = await node({ known: false });
    await a.connect(stranger.addresses()[0] ?? '');
    const err = await a.services.reach.ask(stranger.peerId, [bare(a)]).catch((e: unknown) => e);
    expect(isNetError(err)).toBe(true);
    expect(stranger.metrics().unknownPeerStreams.reach).toBe(1);

    await expect(a.services.reach.ask(stranger.peerId, [])).rejects.toThrow(RangeError);

    const b = await node();
    const raw = await makeRawNode();
    raws.push(raw);
    await raw.start();
    const five = Array.from({ length: 5 }, () => bare(b).bytes);
    const body = ReachRequest.encode({ version: FRAME_VERSION, addresses: five });
    const frame = new Uint8Array([body.length, ...body]);
    const outcome = await rawExchange(raw, b, '/parley/reach/1.0.0', frame);
    expect(outcome.kind).toBe('reset');
    expect(b.metrics().malformedFrames.reach).toBe(1);
  });
});
