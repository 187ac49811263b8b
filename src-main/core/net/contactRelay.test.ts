import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../util/logger';
import { DEFAULT_RELAY_LIMITS, RelayGate } from './contactRelay';
import { envelopeId, makePeer, waitFor, type TestPeer } from './testing/netHarness';

/**
 * Relays for contacts and reservations on them (issue 19 items 1 and 2;
 * docs/protocol.md §14), with real nodes over 127.0.0.1: Cy relays for her
 * contact Ann only; Ann reserves on Cy; Bob, who is Ann's contact but not
 * Cy's, reaches Ann through Cy knowing only Ann's relayed address; a stranger
 * gets no reservation; and when the relay connection drops, Ann's reservation
 * comes back (js-libp2p #3601).
 */

const peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.node.stop()));
});

async function relayAndAnn(): Promise<{ cy: TestPeer; ann: TestPeer }> {
  const annKey = { id: '' };
  const cy = await makePeer({ relay: { mayReserve: (peer) => peer === annKey.id } });
  const ann = await makePeer({
    reservations: { isCandidate: (peer) => peer === cy.id, checkMs: 200 },
  });
  annKey.id = ann.id;
  peers.push(cy, ann);
  cy.known.add(ann.id);
  ann.known.add(cy.id);
  await Promise.all([cy.node.start(), ann.node.start()]);
  await ann.node.keepConnected(cy.id, cy.node.addresses());
  return { cy, ann };
}

const relayedVia = (peer: TestPeer, relay: TestPeer) =>
  peer.node.addresses().filter((a) => a.includes(`/p2p/${relay.id}/p2p-circuit`));

describe('relays for contacts (circuit relay v2)', () => {
  it('a contact reserves on the relay and announces the relayed address', async () => {
    const { cy, ann } = await relayAndAnn();
    await waitFor(() => relayedVia(ann, cy).length > 0, 10_000, 'a reservation on Cy');
    expect(ann.node.relays()).toEqual([cy.id]);
    expect(relayedVia(ann, cy)[0]).toMatch(new RegExp(`/p2p-circuit/p2p/${ann.id}$`));
    expect(cy.node.relayMetrics()?.reservationsRefused).toBe(0);
  }, 20_000);

  it("a contact's contact who is not the relay's reaches her through it, both ways, and it is relayed", async () => {
    const { cy, ann } = await relayAndAnn();
    await waitFor(() => relayedVia(ann, cy).length > 0, 10_000, 'a reservation on Cy');
    const bob = await makePeer();
    peers.push(bob);
    bob.known.add(ann.id);
    ann.known.add(bob.id);
    await bob.node.start();
    // Bob knows only Ann's relayed address (from her address record or invite).
    await bob.node.addAddresses(ann.id, relayedVia(ann, cy));
    await bob.node.services.deliver.send(ann.id, envelopeId(), new TextEncoder().encode('hi'));
    expect(ann.received.map((e) => new TextDecoder().decode(e.payload))).toEqual(['hi']);
    const viaCy = bob.node.connections().filter((c) => c.peerId === ann.id);
    expect(viaCy.length).toBeGreaterThan(0);
    expect(viaCy.every((c) => c.remoteAddress.includes('/p2p-circuit'))).toBe(true);
    // And back over the same relayed connection.
    await ann.node.services.deliver.send(bob.id, envelopeId(), new TextEncoder().encode('hello'));
    expect(bob.received.map((e) => new TextDecoder().decode(e.payload))).toEqual(['hello']);
    expect(cy.node.relayMetrics()?.connectsRelayed).toBeGreaterThan(0);
  }, 30_000);

  it('a stranger gets no reservation, and nobody is connected through to a peer without one', async () => {
    const { cy } = await relayAndAnn();
    const stranger = await makePeer({
      reservations: { isCandidate: (peer) => peer === cy.id, checkMs: 200 },
    });
    peers.push(stranger);
    stranger.known.add(cy.id);
    await stranger.node.start();
    await stranger.node.keepConnected(cy.id, cy.node.addresses());
    await waitFor(() => (cy.node.relayMetrics()?.reservationsRefused ?? 0) > 0, 10_000, 'a refusal');
    expect(stranger.node.relays()).toEqual([]);
    expect(stranger.node.addresses().some((a) => a.includes('/p2p-circuit'))).toBe(false);
    // Someone dialling the stranger through Cy is turned away (NO_RESERVATION).
    const bob = await makePeer();
    peers.push(bob);
    bob.known.add(stranger.id);
    await bob.node.start();
    await bob.node.addAddresses(stranger.id, [`${cy.node.addresses()[0]}/p2p-circuit`]);
    await expect(
      bob.node.services.deliver.send(stranger.id, envelopeId(), new Uint8Array(1)),
    ).rejects.toThrow();
    expect(stranger.received).toEqual([]);
  }, 30_000);

  it('a contact whose relay has no reservation for her yet is retried at once through it, not after the backoff', async () => {
    // Ann is up but has not reached her relay yet (she and Bob started at the
    // same moment); Bob knows her relayed address from her last record.
    const annKey = { id: '' };
    const cy = await makePeer({ relay: { mayReserve: (peer) => peer === annKey.id } });
    const ann = await makePeer({ reservations: { isCandidate: (peer) => peer === cy.id, checkMs: 200 } });
    annKey.id = ann.id;
    const failures: Record<string, unknown>[] = [];
    const bob = await makePeer({
      // The ordinary backoff would wait at least 30 s: only the quick retries can connect Bob in this test.
      reconnect: { baseMs: 60_000, maxMs: 60_000 },
      logger: {
        log: (_level, event, fields) => {
          if (event === 'net.dial.failed') failures.push(fields ?? {});
        },
      },
    });
    peers.push(cy, ann, bob);
    cy.known.add(ann.id);
    ann.known.add(cy.id).add(bob.id);
    bob.known.add(ann.id);
    await Promise.all([cy.node.start(), ann.node.start(), bob.node.start()]);
    let addressChanges = 0;
    ann.node.onAddressesChanged(() => (addressChanges += 1));
    await bob.node.keepConnected(ann.id, [`${cy.node.addresses()[0]}/p2p-circuit`]);
    await waitFor(() => failures.length > 0, 10_000, "Cy's NO_RESERVATION");
    await ann.node.keepConnected(cy.id, cy.node.addresses());
    await waitFor(() => bob.node.isConnected(ann.id), 15_000, 'Bob through Cy once Ann reserved');
    // Every failure was a quick retry after NO_RESERVATION; none counted towards the backoff.
    expect(failures.every((f) => f['attempt'] === 0 && Number(f['relayTries']) >= 1)).toBe(true);
    expect(bob.node.connections().find((c) => c.peerId === ann.id)?.remoteAddress).toContain('/p2p-circuit');
    // Ann's own addresses changed when the reservation came (her record goes out at once).
    expect(addressChanges).toBeGreaterThan(0);
  }, 40_000);

  it('the reservation comes back after the relay connection drops (js-libp2p #3601)', async () => {
    const { cy, ann } = await relayAndAnn();
    await waitFor(() => relayedVia(ann, cy).length > 0, 10_000, 'a reservation on Cy');
    await cy.node.hangUp(ann.id);
    await waitFor(() => relayedVia(ann, cy).length === 0, 10_000, 'the reservation gone with the connection');
    // Ann redials her contact and the keeper reserves again.
    await waitFor(() => relayedVia(ann, cy).length > 0, 15_000, 'the reservation back');
    const bob = await makePeer();
    peers.push(bob);
    bob.known.add(ann.id);
    ann.known.add(bob.id);
    await bob.node.start();
    await bob.node.addAddresses(ann.id, relayedVia(ann, cy));
    await bob.node.services.deliver.send(ann.id, envelopeId(), new Uint8Array([1]));
    expect(ann.received).toHaveLength(1);
  }, 40_000);
});

describe('a relayed device its person removed (issue 18, §13.8 step 3)', () => {
  it('its reservation ends at once, the circuits to it reset, and after the hang-up it cannot reserve again', async () => {
    const ann = { id: '', removed: false };
    const cy = await makePeer({ relay: { mayReserve: (peer) => peer === ann.id && !ann.removed } });
    const annPeer = await makePeer({ reservations: { isCandidate: (peer) => peer === cy.id, checkMs: 200 } });
    ann.id = annPeer.id;
    const bob = await makePeer();
    peers.push(cy, annPeer, bob);
    cy.known.add(ann.id);
    annPeer.known.add(cy.id).add(bob.id);
    bob.known.add(ann.id);
    await Promise.all([cy.node.start(), annPeer.node.start(), bob.node.start()]);
    await annPeer.node.keepConnected(cy.id, cy.node.addresses());
    await waitFor(() => relayedVia(annPeer, cy).length > 0, 10_000, 'a reservation on Cy');
    expect(cy.node.relayReservations()).toEqual([ann.id]);
    // Bob reaches Ann through Cy only.
    const relayed = relayedVia(annPeer, cy);
    await bob.node.addAddresses(ann.id, relayed);
    await bob.node.services.deliver.send(ann.id, envelopeId(), new Uint8Array([1]));
    expect(bob.node.connections().filter((c) => c.peerId === ann.id).length).toBeGreaterThan(0);

    // Ann's person removed her device; Cy took the entry.
    ann.removed = true;
    expect(cy.node.endRelayReservation(ann.id)).toBe(true);
    expect(cy.node.endRelayReservation(ann.id)).toBe(false);
    expect(cy.node.relayReservations()).toEqual([]);
    await waitFor(() => !bob.node.isConnected(ann.id), 10_000, "Bob's circuit to Ann reset");
    // Nobody is connected to her through Cy any more (NO_RESERVATION).
    await expect(bob.node.connect(relayed[0] ?? '', { timeoutMs: 3_000 })).rejects.toThrow();

    // Cy hangs up on her; her keeper redials and asks again: refused, nothing stored.
    const refusedBefore = cy.node.relayMetrics()?.reservationsRefused ?? 0;
    cy.node.forget(ann.id);
    await cy.node.hangUp(ann.id);
    await waitFor(
      () => (cy.node.relayMetrics()?.reservationsRefused ?? 0) > refusedBefore,
      15_000,
      'her new RESERVE refused',
    );
    expect(cy.node.relayReservations()).toEqual([]);
    expect(relayedVia(annPeer, cy)).toEqual([]);
  }, 60_000);

  it('a node without a relay has nothing to end', async () => {
    const plain = await makePeer();
    peers.push(plain);
    await plain.node.start();
    expect(plain.node.relayReservations()).toEqual([]);
    expect(plain.node.endRelayReservation(plain.id)).toBe(false);
  });
});

describe('the relay gate (who may reserve, who is connected through)', () => {
  const ann = peerIdFromString('12D3KooWGzh4Vq3F3bmrqPZzvWR6GXxW7LcGZRRsdUqXJmYo4rwL');
  const bob = peerIdFromString('12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE');
  const eve = peerIdFromString('12D3KooWLYVkQzhBLVNcJMPRZ7Qe7wLp9xzxsjf1dxhysbFFGNNh');
  const gate = (blocked: string[] = [], now = { t: 0 }) =>
    new RelayGate(
      {
        mayReserve: (peer) => peer === ann.toString(),
        isBlocked: (peer) => blocked.includes(peer),
        logger: silentLogger,
        clock: () => now.t,
      },
      DEFAULT_RELAY_LIMITS,
    );

  it('grants reservations to contacts only, and never to a blocked one', () => {
    expect(gate().denyReservation(ann)).toBe(false);
    expect(gate().denyReservation(bob)).toBe(true);
    expect(gate([ann.toString()]).denyReservation(ann)).toBe(true);
  });

  it('connects anyone to a contact, within a per-source-and-destination rate, and refuses blocked peers either side', () => {
    const now = { t: 0 };
    const g = gate([eve.toString()], now);
    const { capacity } = DEFAULT_RELAY_LIMITS.connectsPerPair;
    // A burst, then one a second, for one source towards one destination.
    const burst = Array.from({ length: capacity + 1 }, () => g.denyConnect(bob, ann));
    expect(burst).toEqual([...Array<boolean>(capacity).fill(false), true]);
    now.t += 1_000;
    expect(g.denyConnect(bob, ann)).toBe(false);
    expect(g.denyConnect(bob, ann)).toBe(true);
    expect(g.denyConnect(eve, ann)).toBe(true);
    expect(g.denyConnect(ann, bob)).toBe(true); // Bob is no contact of the relay
    expect(g.metrics()).toEqual({
      reservationsRefused: 0,
      connectsRefused: 4,
      connectsRelayed: capacity + 1,
    });
  });

  it('a contact restarting ten times in ten seconds is connected to the same contact every time', () => {
    // The first-message bench (docs/protocol.md §14.8): both peers restart back to back;
    // each start reconnects through the relay, sometimes twice (a dial and a redial after
    // the first connection is replaced). With one bucket per source (a burst of 10, then
    // one every 2 s) the 9th and 10th starts waited for a token.
    const now = { t: 0 };
    const g = gate([], now);
    const refused: number[] = [];
    for (let start = 0; start < 10; start++) {
      for (let dial = 0; dial < 2; dial++) if (g.denyConnect(bob, ann)) refused.push(start);
      now.t += 1_000;
    }
    expect(refused).toEqual([]);
  });

  it('one source reaching many destinations is bounded per source', async () => {
    const g = new RelayGate(
      { mayReserve: () => true, isBlocked: () => false, logger: silentLogger, clock: () => 0 },
      DEFAULT_RELAY_LIMITS,
    );
    // Each destination is a fresh pair, so only the per-source bucket stops a fan-out.
    let granted = 0;
    for (let i = 0; i < 64; i++) {
      const destination = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
      if (!g.denyConnect(bob, destination)) granted += 1;
    }
    expect(granted).toBe(DEFAULT_RELAY_LIMITS.connectsPerSource.capacity);
    // A lone source can never take the whole budget of everyone together.
    expect(DEFAULT_RELAY_LIMITS.connectsPerSource.capacity).toBeLessThan(
      DEFAULT_RELAY_LIMITS.connectsInTotal.capacity,
    );
  });

  it('bounds CONNECTs from many fresh PeerIds together', async () => {
    const g = gate();
    let granted = 0;
    for (let i = 0; i < 100; i++) {
      const source = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
      if (!g.denyConnect(source, ann)) granted += 1;
    }
    expect(granted).toBe(DEFAULT_RELAY_LIMITS.connectsInTotal.capacity);
  });
});
