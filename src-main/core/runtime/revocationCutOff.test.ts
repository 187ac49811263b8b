import { describe, expect, it } from 'vitest';
import { linkTestDevice, removeSignedBy } from '../devices/testing/ownListHelpers';
import { contractCores, TEST_TUNING, type ContractCore } from './testing/contractCore';
import { until } from './testing/messagingPeer';

/**
 * docs/protocol.md §13.8 step 3 on the network, two real cores on
 * 127.0.0.1: Cy relays for her contacts (a public address), Ann's laptop
 * holds a reservation on Cy; when Cy takes the entry that removes the laptop
 * from Ann's list, the reservation ends at once, Cy hangs up on it and never
 * grants it another, and the laptop still learns of its removal (it asks Cy
 * as a stranger) and goes offline.
 */

const makeCore = contractCores('cutoff');

async function befriend(a: ContractCore, b: ContractCore): Promise<void> {
  const invite = await a.call('contacts.createInvite', {});
  await b.call('contacts.acceptInvite', { invite: invite.link });
  await until(() => a.core.store().conversations.list({}).length === 1, 20_000, 'the DM at both');
}

const ikOf = (c: ContractCore) => new Uint8Array(c.core.store().self().publicKey);

describe('a removed device is relayed no more (§13.8 step 3)', () => {
  it('its reservation on a contact’s relay ends when the contact takes the entry; it cannot reserve again', async () => {
    // Cy's announced address is never dialled here: it only makes her node run the relay.
    const cy = await makeCore('Cy', {
      tuning: { node: { ...TEST_TUNING.node, publicAddresses: ['/ip4/127.0.0.1/tcp/9'] } },
    });
    const ann = await makeCore('Ann');
    await befriend(cy, ann);
    const cRun = await cy.core.messaging.running();
    const aRun = await ann.core.messaging.running();
    const laptop = aRun.node.peerId;
    await until(() => cRun.node.relayReservations().includes(laptop), 20_000, 'the laptop reserved on Cy');

    // Ann's phone (only in the list) removes the laptop; Cy takes the entry.
    const phone = linkTestDevice(aRun.devices);
    await until(() => (cRun.devices.headOf(ikOf(ann))?.seq ?? -1) === 1, 20_000, 'Cy holds the phone');
    const cutOff: boolean[] = [];
    cRun.node.onPeer((e) => {
      if (e.peerId === laptop && !e.connected) cutOff.push(true);
    });
    const removal = removeSignedBy(cRun.devices, ikOf(ann), phone, laptop);
    expect(cRun.devices.accept(ikOf(ann), [removal.bytes], phone.peerId).status).toBe('extended');
    // At once: no reservation, so nobody is connected to it through Cy.
    expect(cRun.node.relayReservations()).not.toContain(laptop);
    await until(() => cutOff.length > 0, 10_000, 'Cy hung up on the laptop');

    // The laptop learns it (from Cy, as a stranger now) and goes offline.
    await until(
      () => ann.events.some((e) => e.name === 'devices.removed'),
      20_000,
      'the laptop learned it was removed',
    );
    expect(cRun.node.relayReservations()).not.toContain(laptop);
    expect(cy.core.store().devices.exists(laptop)).toBe(false);
  }, 90_000);
});
