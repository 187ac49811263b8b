import { describe, expect, it } from 'vitest';
import { contractCores } from '../runtime/testing/contractCore';

/**
 * Settings → Devices and a contact's devices through the contract (issue 18),
 * with real cores on 127.0.0.1: each profile lists its own device (entry 0
 * signed at its first start), a contact's device arrives with the head of the
 * address exchange, and bad params get a clear error.
 */

const makeCore = contractCores('devices');

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('devices.list and devices.ofContact', () => {
  it('lists this device, then the contact’s device once its list arrived, and tells every window', async () => {
    const ann = await makeCore('Ann');
    const bob = await makeCore('Bob');
    const own = await ann.call('devices.list', {});
    expect(own.forks).toEqual([]);
    expect(own.devices).toHaveLength(1);
    expect(own.devices[0]).toMatchObject({ thisDevice: true, name: null, lastSeenAt: null });
    expect(own.devices[0]?.shortId).toHaveLength(8);
    expect(own.devices[0]?.peerId.endsWith(own.devices[0]?.shortId ?? '?')).toBe(true);

    const { contactId } = await bob.call('contacts.acceptInvite', {
      invite: (await ann.call('contacts.createInvite', {})).link,
    });
    await until(
      async () => (await bob.call('devices.ofContact', { contactId })).devices.length === 1,
      20_000,
      'Ann’s device at Bob',
    );
    const hers = await bob.call('devices.ofContact', { contactId });
    expect(hers.devices[0]).toMatchObject({ peerId: own.devices[0]?.peerId, thisDevice: false });
    expect(bob.events.some((e) => e.name === 'devices.changed')).toBe(true);
  }, 60_000);

  it('refuses a contact that does not exist and bad params, with words', async () => {
    const ann = await makeCore('Ann', { network: false });
    expect(await ann.fail('devices.ofContact', { contactId: 99 })).toMatchObject({
      code: 'INVALID_PARAMS',
      message: 'That contact is not in your contacts.',
    });
    expect((await ann.fail('devices.ofContact', { contactId: 'x' })).code).toBe('INVALID_PARAMS');
    // Networking off: no device key yet, so no list yet; an empty answer, not an error.
    expect(await ann.call('devices.list', {})).toEqual({ devices: [], forks: [] });
  });
});
