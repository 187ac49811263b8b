import { afterEach, describe, expect, it } from 'vitest';
import { startBlackHoleProxy, type BlackHoleProxy } from './testing/blackHoleProxy';
import { envelopeId, makePeer, waitFor, type TestPeer } from './testing/netHarness';

/**
 * Liveness (issue 13, deliver 2): a connection that goes silent without
 * closing (black-holed: no data, no FIN, no RST) is detected by the heartbeat
 * and the contact is redialled, instead of lingering as "connected" while
 * everything sent on it waits for TCP to give up (minutes).
 */

const HEARTBEAT = { intervalMs: 300, timeoutMs: 700 };
let peers: TestPeer[] = [];
let proxy: BlackHoleProxy | null = null;

afterEach(async () => {
  await Promise.all(peers.map((p) => p.node.stop()));
  await proxy?.close();
  peers = [];
  proxy = null;
});

describe('heartbeat', () => {
  it('detects a black-holed connection within interval + timeout, redials and delivers again', async () => {
    const [a, b] = await Promise.all([
      makePeer({ heartbeat: HEARTBEAT }),
      makePeer({ heartbeat: HEARTBEAT }),
    ]);
    peers = [a, b];
    await Promise.all([a.node.start(), b.node.start()]);
    a.known.add(b.id);
    b.known.add(a.id);
    const bPort = Number(/\/tcp\/(\d+)/.exec(b.node.addresses()[0] ?? '')?.[1]);
    proxy = await startBlackHoleProxy({ host: '127.0.0.1', port: bPort });
    // A knows B only through the proxy; B does not dial A.
    await a.node.keepConnected(b.id, [`/ip4/127.0.0.1/tcp/${proxy.port}/p2p/${b.id}`]);
    await waitFor(() => a.node.isConnected(b.id), 5_000, 'first connection');
    expect(await a.node.services.deliver.send(b.id, envelopeId(), new Uint8Array(64))).toBe('accepted');

    const events: { connected: boolean; at: number }[] = [];
    a.node.onPeer((e) => {
      if (e.peerId === b.id) events.push({ connected: e.connected, at: Date.now() });
    });
    const silentAt = Date.now();
    proxy.blackHole();
    await waitFor(() => events.some((e) => !e.connected), 5_000, 'dead connection noticed');
    const lost = events.find((e) => !e.connected)?.at ?? 0;
    // One interval to the next ping, one timeout for it: never "connected" much longer than that.
    expect(lost - silentAt).toBeLessThan(HEARTBEAT.intervalMs + HEARTBEAT.timeoutMs + 1_000);
    await waitFor(() => events.some((e) => e.connected && e.at > lost), 5_000, 'redialled');
    expect(await a.node.services.deliver.send(b.id, envelopeId(), new Uint8Array(64))).toBe('accepted');
    expect(b.received).toHaveLength(2);
  });
});
