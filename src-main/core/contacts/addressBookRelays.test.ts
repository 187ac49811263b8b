import { afterEach, describe, expect, it } from 'vitest';
import { generateDeviceKey, peerIdOfDeviceKey } from '../net/deviceKey';
import { AddressRepository } from '../store/repositories/addressRepository';
import { tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { silentLogger } from '../util/logger';
import { AddressBook, type AddressBookNode } from './addressBook';

/**
 * Our record right after a start (issue 19; docs/protocol.md §14.5): the
 * reservation on our relay is not back yet, so the node's addresses lack
 * the relayed one. A record made from them replaced the good one at a
 * contact behind another NAT, who then had no way left to reach us (the NAT
 * rig's first-message bench hung for a minute). The last record's relayed
 * addresses are kept for a while after a start instead.
 */

const dbs: TempDatabase[] = [];
afterEach(() => {
  for (const t of dbs.splice(0)) t.dispose();
});

const CY = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE';

function book(deviceKey: Uint8Array, addresses: { now: string[] }, now: { t: number }, t: TempDatabase) {
  const peerId = peerIdOfDeviceKey(deviceKey);
  const node = {
    peerId,
    addresses: () => addresses.now.map((a) => `${a}/p2p/${peerId}`),
    beacon: null,
    onPeer: () => () => undefined,
    connectedPeers: () => [],
    isConnected: () => false,
    freshAddresses: async () => undefined,
    addAddresses: async () => undefined,
    onAddressesChanged: () => () => undefined,
    isRunning: true,
    services: { address: { exchange: async () => ({ reachable: [] }) } },
  } as unknown as AddressBookNode;
  return new AddressBook({
    node,
    repo: new AddressRepository(t.db),
    deviceKey,
    isOnline: () => false,
    onChange: () => undefined,
    logger: silentLogger,
    now: () => now.t,
    refreshMs: 60_000,
  });
}

describe('our record just after a start (issue 19)', () => {
  it('keeps the last relayed address until the reservation is back, for a while', async () => {
    const t = tempDatabase();
    dbs.push(t);
    const relayed = `/ip4/11.0.0.3/tcp/4001/p2p/${CY}/p2p-circuit`;
    const now = { t: 1_000_000 };
    const addresses = { now: ['/ip4/10.0.1.2/tcp/4001', relayed] };
    const deviceKey = await generateDeviceKey();
    const first = book(deviceKey, addresses, now, t);
    await first.start();
    expect(first.ownRecord()?.addresses).toContain(relayed);
    await first.stop();

    // Started again: not reserved yet.
    addresses.now = ['/ip4/10.0.1.2/tcp/4001'];
    now.t += 60_000;
    const again = book(deviceKey, addresses, now, t);
    await again.start();
    expect(again.ownRecord()?.addresses).toContain(relayed);

    // Long after the start with no reservation: the relay is really gone from the record.
    now.t += 31_000;
    await again.refreshOwnRecord();
    expect(again.ownRecord()?.addresses).not.toContain(relayed);
    await again.stop();
  });
});
