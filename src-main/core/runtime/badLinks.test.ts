import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsRig, rigUnavailable } from '../net/testing/netnsRig';
import { RigPeer } from './testing/rigPeer';
import { incoming, until } from './testing/rigWait';

/**
 * Bad links (issue 13, deliver 7): two peers, each in its own network
 * namespace joined by a veth pair, with production timings. The link drops
 * 5 % and then 20 % of packets each way (iptables `statistic`, inside the
 * namespace: this kernel has no netem), then goes silent for 30 s (DROP) and
 * comes back. Through all of it: nothing lost, nothing duplicated, order
 * kept, both ways. Needs root and iproute2/iptables (CI runs it inside
 * ../shared/tools/in-netns); skipped otherwise with the reason.
 */

const unavailable = rigUnavailable();
if (unavailable) console.warn(`bad-links test skipped: ${unavailable}`);

/** Waits (bounded) until `check` resolves true. */

/** The incoming texts with `prefix`, in the order the receiver stored them. */

describe.skipIf(unavailable !== null)('delivery over bad links (network namespaces)', () => {
  let rig: NetnsRig;
  let ann: RigPeer;
  let bob: RigPeer;
  let annDm: number;
  let bobDm: number;

  beforeAll(async () => {
    rig = NetnsRig.create(['a', 'b'], [['a', 'b']]);
    [ann, bob] = await Promise.all([
      RigPeer.start(rig, 'a', { name: 'Ann', production: true }),
      RigPeer.start(rig, 'b', { name: 'Bob', production: true }),
    ]);
    await Promise.all([ann.online(), bob.online()]);
    bobDm = await bob.accept(await ann.invite());
    await until(async () => (await ann.dmWith(bob)) !== null, 30_000, 'Ann joins the DM');
    annDm = (await ann.dmWith(bob)) ?? -1;
  }, 90_000);

  afterAll(async () => {
    await Promise.all([ann?.stop(), bob?.stop()]);
    rig?.dispose();
  });

  /** Ann sends `n` and Bob `n / 4` texts at once, then both sides must hold exactly those, in order. */
  async function exchange(prefix: string, n: number, withinMs: number): Promise<void> {
    const fromAnn = Array.from({ length: n }, (_, i) => `${prefix}-a${i}`);
    const fromBob = Array.from({ length: Math.ceil(n / 4) }, (_, i) => `${prefix}-b${i}`);
    await Promise.all([
      (async () => {
        for (const body of fromAnn) await ann.send(annDm, body);
      })(),
      (async () => {
        for (const body of fromBob) await bob.send(bobDm, body);
      })(),
    ]);
    await until(
      async () =>
        incoming(await bob.texts(bobDm), prefix).length >= n &&
        incoming(await ann.texts(annDm), prefix).length >= fromBob.length,
      withinMs,
      `${prefix}: everything delivered`,
    );
    expect(incoming(await bob.texts(bobDm), prefix)).toEqual(fromAnn);
    expect(incoming(await ann.texts(annDm), prefix)).toEqual(fromBob);
  }

  it('5 % packet loss each way: nothing lost, nothing duplicated, order kept', async () => {
    rig.setLoss('b', 0.05);
    try {
      await exchange('loss5', 120, 60_000);
      // The link did lose packets: TCP retransmitted, delivery saw none of it.
      expect(rig.droppedPackets('b')).toBeGreaterThan(0);
    } finally {
      rig.clearRules('b');
    }
  }, 90_000);

  it('20 % packet loss each way: nothing lost, nothing duplicated, order kept', async () => {
    rig.setLoss('b', 0.2);
    try {
      await exchange('loss20', 60, 90_000);
      expect(rig.droppedPackets('b')).toBeGreaterThan(0);
    } finally {
      rig.clearRules('b');
    }
  }, 120_000);

  it('a link silent for 30 s and back: what was sent meanwhile arrives once, in order', async () => {
    await until(() => ann.isConnected(bob), 30_000, 'connected before the black hole');
    rig.blackHole('b');
    const silentAt = Date.now();
    const during = Array.from({ length: 10 }, (_, i) => `hole-a${i}`);
    try {
      for (const body of during) await ann.send(annDm, body);
      await bob.send(bobDm, 'hole-b0');
      // The heartbeat gives the dead connection up well within the 30 s.
      await until(async () => !(await ann.isConnected(bob)), 20_000, 'the dead connection dropped');
      await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - silentAt))));
    } finally {
      rig.clearRules('b');
    }
    await until(
      async () =>
        incoming(await bob.texts(bobDm), 'hole-a').length >= during.length &&
        incoming(await ann.texts(annDm), 'hole-b').length >= 1,
      60_000,
      'delivery after the link came back',
    );
    expect(incoming(await bob.texts(bobDm), 'hole-a')).toEqual(during);
    expect(incoming(await ann.texts(annDm), 'hole-b')).toEqual(['hole-b0']);
  }, 150_000);
});
