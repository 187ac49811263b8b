import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatRig, natRigUnavailable } from '../net/testing/natRig';
import { RigPeer } from './testing/rigPeer';
import { incoming, until } from './testing/rigWait';

/**
 * Direct when possible (issue 19 item 3; docs/protocol.md §14.10), on the
 * NAT rig with whole messaging peers: Cy is public (`--public`, relays,
 * answers STUN). Ann and Bob are behind port-preserving routers, Dan and Eve
 * behind port-randomising ones. Ann and Dan are Cy's contacts and reserve on
 * him; Bob reaches Ann, and Eve Dan, through Cy. After the relayed
 * connection is up the dialler tries WebRTC, ICE over STUN from Cy only:
 * Bob and Ann move to a direct path, Eve and Dan stay relayed. Messages flow
 * either way. Nothing leaves the rig.
 */

const unavailable = natRigUnavailable();
if (unavailable) console.warn(`direct upgrade test skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)('upgrading a relayed connection to a direct one', () => {
  let rig: NatRig;
  let cy: RigPeer;
  let ann: RigPeer;
  let bob: RigPeer;
  let dan: RigPeer;
  let eve: RigPeer;

  beforeAll(async () => {
    rig = NatRig.create({
      publicHosts: ['c'],
      homes: [
        { name: 'a', nat: 'port-preserving' },
        { name: 'b', nat: 'port-preserving' },
        { name: 'd', nat: 'port-randomising' },
        { name: 'e', nat: 'port-randomising' },
      ],
    });
    [cy, ann, bob, dan, eve] = await Promise.all([
      RigPeer.start(rig, 'c', {
        name: 'Cy',
        production: true,
        port: 4001,
        publicAddresses: [`/ip4/${rig.addressOf('c')}/tcp/4001`],
      }),
      RigPeer.start(rig, 'a', { name: 'Ann', production: true }),
      RigPeer.start(rig, 'b', { name: 'Bob', production: true }),
      RigPeer.start(rig, 'd', { name: 'Dan', production: true }),
      RigPeer.start(rig, 'e', { name: 'Eve', production: true }),
    ]);
    await Promise.all([cy, ann, bob, dan, eve].map((p) => p.online()));
    await ann.accept(await cy.invite());
    await dan.accept(await cy.invite());
    await until(
      async () => (await ann.relays()).includes(cy.peerId) && (await dan.relays()).includes(cy.peerId),
      30_000,
      'reservations on Cy',
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all([cy, ann, bob, dan, eve].map((p) => p?.stop()));
    rig?.dispose();
  });

  it('behind port-preserving NATs the contacts move to a direct WebRTC path', async () => {
    const bobDm = await bob.accept(await ann.invite());
    await until(async () => (await ann.dmWith(bob)) !== null, 30_000, 'Ann has the DM with Bob');
    await until(
      async () =>
        (await bob.connections()).some((c) => c.peerId === ann.peerId && c.remoteAddress.includes('/webrtc')),
      30_000,
      'a WebRTC connection from Bob to Ann',
    );
    expect((await bob.direct())?.upgraded).toBeGreaterThanOrEqual(1);
    await bob.send(bobDm, 'direct-b0');
    await until(
      async () => incoming(await ann.texts((await ann.dmWith(bob)) ?? -1), 'direct-b').length === 1,
      30_000,
      'the text at Ann',
    );
  }, 90_000);

  it('behind port-randomising NATs they stay relayed, and messages still flow', async () => {
    const eveDm = await eve.accept(await dan.invite());
    await until(async () => ((await eve.direct())?.failed ?? 0) >= 1, 60_000, "Eve's WebRTC try to fail");
    const toDan = (await eve.connections()).filter((c) => c.peerId === dan.peerId);
    expect(toDan.length).toBeGreaterThan(0);
    expect(
      toDan.every(
        (c) =>
          c.remoteAddress.includes(`/p2p/${cy.peerId}/p2p-circuit`) && !c.remoteAddress.includes('/webrtc'),
      ),
    ).toBe(true);
    await eve.send(eveDm, 'relayed-e0');
    await until(
      async () => incoming(await dan.texts((await dan.dmWith(eve)) ?? -1), 'relayed-e').length === 1,
      30_000,
      'the text at Dan',
    );
  }, 120_000);

  it('the direct path carries the conversation: it goes on with the relay gone', async () => {
    await cy.offline();
    const bobDm = (await bob.dmWith(ann)) ?? -1;
    await bob.send(bobDm, 'no-relay-b0');
    await ann.send((await ann.dmWith(bob)) ?? -1, 'no-relay-a0');
    await until(
      async () =>
        incoming(await ann.texts((await ann.dmWith(bob)) ?? -1), 'no-relay-b').length === 1 &&
        incoming(await bob.texts(bobDm), 'no-relay-a').length === 1,
      30_000,
      'texts both ways without Cy',
    );
    const toAnn = (await bob.connections()).filter((c) => c.peerId === ann.peerId);
    expect(toAnn.map((c) => c.remoteAddress.includes('/webrtc'))).toEqual([true]);
  }, 60_000);

  it('nothing left the rig', () => {
    expect(rig.routesOut()).toEqual([]);
    expect(rig.leakedPackets()).toBe(0);
  });
});
