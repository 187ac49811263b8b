import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../net/limits';
import { linkNewDevice } from './testing/linkedPeer';
import { peerPool, until, type MessagingPeer } from './testing/messagingPeer';

/**
 * /parley/keypackage/1.0.0 serves 8 KeyPackages per peer, then one per 30 s
 * (net/limits.ts: the pool is finite). Benches that put 50 groups between
 * two peers (bench/devices.bench.ts remove.gone_all) raise it through the
 * node tuning `keyPackagePerPeer`; the production default stays as it is.
 */

const peer = peerPool();

async function befriend(a: MessagingPeer, b: MessagingPeer): Promise<void> {
  const invite = a.running().service.createInvite();
  await b.running().service.acceptInvite(invite);
  await until(() => a.dmWith(b) !== null, 20_000, 'the DM at both');
}

/** How many of `n` back-to-back fetches from `from` the node of `by` served before refusing. */
async function served(by: MessagingPeer, from: MessagingPeer, n: number): Promise<number> {
  const target = from.running().node.peerId;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const kp = await by
      .running()
      .node.services.keyPackages.fetch(target)
      .then(
        (k) => k,
        () => 'refused' as const,
      );
    if (kp === 'refused') break;
    ok += 1;
  }
  return ok;
}

describe('KeyPackage fetches per peer', () => {
  it('the default is 8 then one per 30 s; the node tuning raises it for a bench', async () => {
    expect(DEFAULT_LIMITS.keyPackagePerPeer).toEqual({ capacity: 8, refillPerSecond: 1 / 30 });
    const ann = peer('Ann');
    const bob = peer('Bob');
    const cy = peer('Cy', { node: { keyPackagePerPeer: { capacity: 64, refillPerSecond: 1 } } });
    await Promise.all([ann.online(), bob.online(), cy.online()]);
    await befriend(ann, bob);
    await befriend(ann, cy);
    // The DMs were created by Bob and Cy (who accepted), so Ann has fetched nothing yet.
    expect(await served(ann, bob, 12)).toBe(8);
    expect(await served(ann, cy, 50)).toBe(50);
  }, 60_000);

  it('own devices are not limited: a new device is added to its ninth conversation and later at once (§13.6)', async () => {
    const ann = peer('Ann');
    const bob = peer('Bob');
    await Promise.all([ann.online(), bob.online()]);
    await befriend(ann, bob);
    const laptop = await linkNewDevice(ann, peer, 'Laptop');
    await laptop.online();
    // Ann adds the laptop to the DM with Bob (one fetch): they are connected.
    await until(() => laptop.dmWith(bob) !== null, 30_000, 'the laptop in the DM');
    // The first stream can meet the connection both own devices dial being replaced: wait it out.
    for (let i = 0; (await served(ann, laptop, 1)) === 0; i++) {
      if (i === 20) throw new Error('no KeyPackage from the laptop');
      await new Promise((r) => setTimeout(r, 250));
    }
    // Failed before: the laptop served Ann 8, then refused for 30 s each.
    expect(await served(ann, laptop, 12)).toBe(12);
    expect(await served(laptop, ann, 12)).toBe(12);
    // A contact still meets the limit (Bob took one of his 8 when he made the DM).
    expect(await served(bob, ann, 12)).toBe(7);
  }, 60_000);
});
