import { afterAll, describe, expect, it } from 'vitest';
import { dialsFirst } from './peerOrder';
import {
  befriend,
  envelopeId,
  makePeer,
  nonLoopbackInterfaces,
  waitFor,
  type TestPeer,
} from './testing/netHarness';

/**
 * mDNS discovery, end to end. Multicast must never leave this machine, so this
 * runs only inside a private, loopback-only network namespace:
 *   ../shared/tools/in-netns npx vitest run src-main/core/net/mdns.test.ts
 * With any non-loopback interface present it skips (or, when IN_NETNS says we
 * should be inside one, fails loudly rather than multicast onto a real LAN).
 */

const foreign = nonLoopbackInterfaces();
const inNetns = process.env['IN_NETNS'] !== undefined && process.env['IN_NETNS'] !== '';
const safe = foreign.length === 0;
const SKIP_MESSAGE =
  'mDNS test skipped: run inside ../shared/tools/in-netns (non-loopback interfaces present)';

if (!safe && !inNetns) console.warn(`${SKIP_MESSAGE}: ${foreign.join(', ')}`);

describe('mDNS guard', () => {
  it('refuses to run mDNS when IN_NETNS is set but the namespace has other interfaces', () => {
    if (inNetns) expect(foreign, 'IN_NETNS is set, yet non-loopback interfaces exist').toEqual([]);
  });
});

describe.skipIf(!safe)(safe ? 'mDNS discovery (private namespace)' : SKIP_MESSAGE, () => {
  const peers: TestPeer[] = [];
  const mdns = { intervalMs: 250, serviceTag: '_parley-test._udp.local' };

  afterAll(async () => {
    await Promise.all(peers.map((p) => p.node.stop()));
  });

  it('two nodes discover each other, the lower PeerId dials, and one envelope is delivered', async () => {
    const [a, b] = await Promise.all([makePeer({ mdns }), makePeer({ mdns })]);
    peers.push(a, b);
    // Known to each other (contacts) but no addresses exchanged: only mDNS can join them.
    a.known.add(b.id);
    b.known.add(a.id);
    const started = Date.now();
    await Promise.all([a.node.start(), b.node.start()]);
    expect(a.node.isDiscoverable).toBe(true);
    await waitFor(() => a.node.isConnected(b.id) && b.node.isConnected(a.id), 10_000, 'mDNS connection');
    // Exactly one connection, dialled by the lower PeerId.
    const [lower, higher] = dialsFirst(a.id, b.id) ? [a, b] : [b, a];
    expect(lower.node.connections().filter((c) => c.peerId === higher.id)).toMatchObject([
      { direction: 'outbound' },
    ]);
    expect(await a.node.services.deliver.send(b.id, envelopeId(), new Uint8Array(1024))).toBe('accepted');
    const elapsed = Date.now() - started;
    console.info(`mDNS: start → discovered, connected, first envelope delivered in ${elapsed} ms`);
    expect(b.received).toHaveLength(1);
  });

  it('a node that is not discoverable neither announces nor answers, until switched on', async () => {
    const hidden = await makePeer({ mdns: { ...mdns, discoverable: false } });
    const seeker = await makePeer({ mdns });
    peers.push(hidden, seeker);
    await Promise.all([hidden.node.start(), seeker.node.start()]);
    expect(hidden.node.isDiscoverable).toBe(false);
    // Several query intervals pass without the two finding each other.
    await new Promise((r) => setTimeout(r, 1500));
    expect(seeker.node.isConnected(hidden.id)).toBe(false);
    expect(hidden.node.isConnected(seeker.id)).toBe(false);

    await hidden.node.setDiscoverable(true);
    await waitFor(() => seeker.node.isConnected(hidden.id), 10_000, 'discovery after switching on');

    await hidden.node.setDiscoverable(false);
    expect(hidden.node.isDiscoverable).toBe(false);
    await befriend(hidden, seeker);
    expect(await seeker.node.services.deliver.send(hidden.id, envelopeId(), new Uint8Array(8))).toBe(
      'accepted',
    );
  });
});
