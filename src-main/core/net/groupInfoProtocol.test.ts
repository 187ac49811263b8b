import { afterEach, describe, expect, it } from 'vitest';
import { isNetError } from './netError';
import { makePeer, type TestPeer } from './testing/netHarness';

/**
 * Issue #14 item 11: /parley/groupinfo/1.0.0 answers unknown peers (a
 * restored device has a PeerId nobody knows), so it needs a node-wide
 * limit as well as the per-peer one: many throwaway PeerIds must not get
 * unlimited credential checks and GroupInfo exports out of one node.
 */

const peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.node.stop()));
});

async function started(options: Parameters<typeof makePeer>[0] = {}): Promise<TestPeer> {
  const p = await makePeer({ ...options, strangers: { maxPerHost: 16, maxConnections: 16 } });
  peers.push(p);
  await p.node.start();
  return p;
}

describe('groupinfo from unknown peers', () => {
  it('is limited for the whole node, not only per peer', async () => {
    const target = await started({
      limits: {
        groupInfoPerPeer: { capacity: 2, refillPerSecond: 0 },
        groupInfoGlobal: { capacity: 3, refillPerSecond: 0 },
      },
    });
    const askers = await Promise.all([1, 2, 3, 4, 5].map(() => started()));
    const outcomes: string[] = [];
    for (const asker of askers) {
      await asker.node.addAddresses(target.id, target.node.addresses());
      const answer = await asker.node.services.groupInfo
        .fetch(target.id, new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6]))
        .then(
          (info) => (info === null ? 'refused' : 'served'),
          (err: unknown) => (isNetError(err) ? err.code : 'threw'),
        );
      outcomes.push(answer);
    }
    // Three answers (each a refusal: no such group), then the node-wide bucket is empty.
    expect(outcomes).toEqual(['refused', 'refused', 'refused', 'reset', 'reset']);
    expect(target.node.metrics().rateLimited.groupinfo).toBe(2);
  });
});
