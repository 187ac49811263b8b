import { afterAll, describe, expect, it } from 'vitest';
import { NetnsRig, rigUnavailable } from '../net/testing/netnsRig';
import { RigPeer } from '../runtime/testing/rigPeer';

/**
 * "Reachable through <name>" (issue 13, deliver 2) on a real topology: Ann,
 * Bob and Carl each in a network namespace, joined pairwise by veth links,
 * with production timings. When the Ann–Bob link goes down, Ann's heartbeat
 * drops the dead connection, Ann shows Bob as reachable through Carl (Carl
 * is connected to both), and what she sends goes to Carl, who tells Bob at
 * once so Bob fetches it: no waiting for a periodic fetch. When the link
 * comes back, they are connected directly again. Needs root and
 * iproute2/iptables; skipped otherwise.
 */

const unavailable = rigUnavailable();
if (unavailable) console.warn(`reachable-through test skipped: ${unavailable}`);

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(unavailable !== null)('a contact reachable only through another (network namespaces)', () => {
  let rig: NetnsRig | undefined;
  const peers: RigPeer[] = [];

  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    rig?.dispose();
  });

  it('shows Bob reachable through Carl while their link is down, hands messages over at once, direct again after', async () => {
    rig = NetnsRig.create(
      ['a', 'b', 'c'],
      [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ],
    );
    const [ann, bob, carl] = await Promise.all([
      RigPeer.start(rig, 'a', { name: 'Ann', production: true }),
      RigPeer.start(rig, 'b', { name: 'Bob', production: true }),
      RigPeer.start(rig, 'c', { name: 'Carl', production: true }),
    ]);
    peers.push(ann, bob, carl);
    await Promise.all([ann.online(), bob.online(), carl.online()]);
    await bob.accept(await ann.invite());
    await carl.accept(await ann.invite());
    await carl.accept(await bob.invite());
    // Carl has learnt from their profiles that Ann and Bob are each other's contacts.
    await until(
      async () => (await carl.knowsRelay(ann, bob)) && (await carl.knowsRelay(bob, ann)),
      60_000,
      'relay lists at Carl',
    );
    await until(async () => (await ann.connectionOf(bob))?.state === 'direct', 30_000, 'Bob direct at first');
    const annDm = (await ann.dmWith(bob)) ?? -1;
    const bobDm = (await bob.dmWith(ann)) ?? -1;

    rig.setLink('a', 'b', false);
    const cutAt = Date.now();
    await until(async () => !(await ann.isConnected(bob)), 20_000, 'the dead connection dropped');
    console.info(`Ann–Bob link down → connection dropped in ${Date.now() - cutAt} ms`);
    await until(
      async () =>
        JSON.stringify(await ann.connectionOf(bob)) ===
        JSON.stringify({ state: 'relayed', viaPeer: carl.peerId }),
      30_000,
      'Bob reachable through Carl',
    );

    const sentAt = Date.now();
    await ann.send(annDm, 'through Carl');
    await until(
      async () => (await bob.texts(bobDm)).some((t) => t.body === 'through Carl'),
      15_000,
      'the message at Bob',
    );
    // Well before the 60 s periodic fetch: Carl told Bob.
    expect(Date.now() - sentAt).toBeLessThan(15_000);

    rig.setLink('a', 'b', true);
    await until(async () => (await ann.connectionOf(bob))?.state === 'direct', 90_000, 'direct again');
    const texts = (await bob.texts(bobDm)).filter((t) => t.body === 'through Carl');
    expect(texts).toHaveLength(1);
  }, 240_000);
});
