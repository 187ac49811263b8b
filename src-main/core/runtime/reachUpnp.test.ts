import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatRig, natRigUnavailable } from '../net/testing/natRig';
import { RigPeer } from './testing/rigPeer';
import { incoming, until } from './testing/rigWait';

/**
 * Reachable by UPnP (issue 19 item 3; docs/protocol.md §14.1), on the NAT
 * rig with whole messaging peers: both homes' routers run miniupnpd (UPnP
 * IGD and NAT-PMP). Ann switched `net.upnp` on: her node asks her router for
 * a port mapping, her contact Cy (public) dials her back there and so
 * confirms it, and from then on she is reachable: she relays for her
 * contacts, and Bob, behind another router, dials her directly (no relay in
 * the path). Bob left UPnP off: nothing is mapped on his router. Nothing
 * leaves the rig. Needs root and miniupnpd; skipped otherwise with the reason.
 */

const unavailable = natRigUnavailable({ upnp: true });
if (unavailable) console.warn(`UPnP reach test skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)('a node made reachable by a UPnP mapping', () => {
  let rig: NatRig;
  let ann: RigPeer;
  let bob: RigPeer;
  let cy: RigPeer;

  beforeAll(async () => {
    rig = NatRig.create({
      publicHosts: ['c'],
      homes: [
        { name: 'a', nat: 'port-randomising', upnp: true },
        { name: 'b', nat: 'port-randomising', upnp: true },
      ],
    });
    [cy, ann, bob] = await Promise.all([
      RigPeer.start(rig, 'c', {
        name: 'Cy',
        production: true,
        port: 4001,
        publicAddresses: [`/ip4/${rig.addressOf('c')}/tcp/4001`],
      }),
      RigPeer.start(rig, 'a', { name: 'Ann', production: true, upnp: true }),
      RigPeer.start(rig, 'b', { name: 'Bob', production: true }),
    ]);
    await Promise.all([cy.online(), ann.online(), bob.online()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([ann?.stop(), bob?.stop(), cy?.stop()]);
    rig?.dispose();
  });

  it("Ann's router maps her port and her contact Cy confirms it: she is reachable", async () => {
    await ann.accept(await cy.invite());
    const mapped = `/ip4/${rig.publicAddressOf('a')}/tcp/`;
    await until(async () => rig.portMappings('a').length > 0, 30_000, 'a mapping on her router');
    await until(async () => ann.reachable(), 60_000, 'Ann reachable');
    expect((await ann.addresses()).some((a) => a.startsWith(mapped))).toBe(true);
  }, 120_000);

  it('Bob, behind another router, dials Ann directly: no relay in the path', async () => {
    const bobDm = await bob.accept(await ann.invite());
    await until(async () => (await ann.dmWith(bob)) !== null, 30_000, 'Ann has the DM with Bob');
    await bob.send(bobDm, 'direct-b0');
    await until(
      async () => incoming(await ann.texts((await ann.dmWith(bob)) ?? -1), 'direct-b').length === 1,
      30_000,
      'the text at Ann',
    );
    const toAnn = (await bob.connections()).filter((c) => c.peerId === ann.peerId);
    expect(toAnn.length).toBeGreaterThan(0);
    expect(toAnn.every((c) => c.remoteAddress.startsWith(`/ip4/${rig.publicAddressOf('a')}/tcp/`))).toBe(
      true,
    );
  }, 90_000);

  it('with UPnP off, nothing is mapped on the router', async () => {
    expect(rig.portMappings('b')).toEqual([]);
    expect(await bob.reachable()).toBe(false);
  });

  it('nothing left the rig', () => {
    expect(rig.routesOut()).toEqual([]);
    expect(rig.leakedPackets()).toBe(0);
  });
});
