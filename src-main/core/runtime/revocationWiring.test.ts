import { describe, expect, it } from 'vitest';
import { linkTestDevice, removeSignedBy } from '../devices/testing/ownListHelpers';
import { until } from './testing/messagingPeer';
import { contractCores, type ContractCore } from './testing/contractCore';
import { REMOVED_DEVICE_PROBLEM } from './messagingHost';

/**
 * Revocation and names through the contract (docs/protocol.md §13.8,
 * §13.10), two real cores on 127.0.0.1: "Remove device" reaches a connected
 * contact by push and the contact forgets the device; a device removed while
 * its app was closed learns it on its next start, goes offline, wipes its
 * keys and MLS states and keeps its history readable; "Unlink this device";
 * the limit of five; names; and the errors a user can cause.
 */

const makeCore = contractCores('revoke');
const PASS = 'correct horse battery';

async function befriend(a: ContractCore, b: ContractCore): Promise<number> {
  const invite = await a.call('contacts.createInvite', {});
  const { conversationId } = await b.call('contacts.acceptInvite', { invite: invite.link });
  await until(() => a.core.store().conversations.list({}).length === 1, 20_000, 'the DM at both');
  return conversationId;
}

const ikOf = (c: ContractCore) => new Uint8Array(c.core.store().self().publicKey);
const headAt = (at: ContractCore, of: ContractCore) => at.core.store().deviceLists.head(ikOf(of))?.seq ?? -1;
const saw = (c: ContractCore, name: string) => c.events.some((e) => e.name === name);

describe('revocation through the contract (§13.8)', () => {
  it('removes another device: a connected contact gets the entry by push and forgets it; names; errors', async () => {
    const ann = await makeCore('Ann');
    const bob = await makeCore('Bob');
    await befriend(ann, bob);
    await until(() => headAt(bob, ann) === 0, 20_000, 'Bob holds Ann entry 0');
    const aRun = await ann.core.messaging.running();
    const bRun = await bob.core.messaging.running();
    const phone = linkTestDevice(aRun.devices);
    await until(() => headAt(bob, ann) === 1, 10_000, 'Bob got the phone');
    // Bob talks to the phone (what a group add does) and has something queued for it.
    bRun.directory.upsertDevice({ peerId: phone.peerId, identityKey: ikOf(ann) });
    bRun.outbox.enqueue({
      conversationId: null,
      messageId: null,
      recipient: phone.peerId,
      payload: new Uint8Array(8),
    });

    // Names are local and one line.
    const renamed = await ann.call('devices.rename', { peerId: phone.peerId, name: '  Phone  ' });
    expect(renamed.devices.find((d) => d.peerId === phone.peerId)?.name).toBe('Phone');
    expect((await ann.fail('devices.rename', { peerId: phone.peerId, name: 'two\nlines' })).code).toBe(
      'INVALID_PARAMS',
    );
    expect((await ann.fail('devices.rename', { peerId: phone.peerId, name: 'x'.repeat(41) })).code).toBe(
      'INVALID_PARAMS',
    );
    expect((await ann.fail('devices.rename', { peerId: 'nobody', name: 'Laptop' })).code).toBe(
      'INVALID_PARAMS',
    );
    const cleared = await ann.call('devices.rename', { peerId: phone.peerId, name: '' });
    expect(cleared.devices.find((d) => d.peerId === phone.peerId)?.name).toBeNull();

    // The device the user is on is unlinked, not removed; an unknown one is refused.
    expect((await ann.fail('devices.remove', { peerId: aRun.node.peerId })).code).toBe('INVALID_PARAMS');
    expect((await ann.fail('devices.remove', { peerId: 'nobody' })).code).toBe('INVALID_PARAMS');

    const after = await ann.call('devices.remove', { peerId: phone.peerId });
    expect(after.devices.map((d) => d.peerId)).toEqual([aRun.node.peerId]);
    await until(() => headAt(bob, ann) === 2, 10_000, 'Bob got the removal by push');
    expect(bRun.devices.isRemovedDevice(phone.peerId)).toBe(true);
    expect(bob.core.store().devices.exists(phone.peerId)).toBe(false);
    expect(bob.core.store().outbox.deleteForRecipient(phone.peerId)).toBe(0);
    expect(bob.events.some((e) => e.name === 'devices.changed')).toBe(true);
    // Removed once is removed: a second remove is refused.
    expect((await ann.fail('devices.remove', { peerId: phone.peerId })).code).toBe('INVALID_PARAMS');
  }, 90_000);

  it('the limit of five: no link code at five, and a sixth add is refused', async () => {
    const ann = await makeCore('Ann');
    const aRun = await ann.core.messaging.running();
    for (let i = 0; i < 4; i += 1) linkTestDevice(aRun.devices);
    expect((await ann.call('devices.list', {})).devices).toHaveLength(5);
    const refused = await ann.fail('devices.linkCode', {});
    expect(refused.code).toBe('INVALID_STATE');
    expect(refused.message).toMatch(/5 devices/);
    expect(() => linkTestDevice(aRun.devices)).toThrow(/5 devices/);
    // Removing one makes room again.
    const [, second] = (await ann.call('devices.list', {})).devices;
    await ann.call('devices.remove', { peerId: second?.peerId ?? '' });
    expect((await ann.call('devices.linkCode', {})).code).not.toBeNull();
    await ann.call('devices.cancelLink', {});
  }, 60_000);

  it('a device removed while its app was closed learns it at its next start: offline, keys wiped, history readable', async () => {
    const ann = await makeCore('Ann');
    const bob = await makeCore('Bob');
    const dm = await befriend(ann, bob);
    await ann.call('messages.send', { conversationId: dm, text: 'kept on the laptop' });
    await until(() => headAt(bob, ann) === 0, 20_000, 'Bob holds Ann entry 0');
    const aRun = await ann.core.messaging.running();
    const laptop = aRun.node.peerId;
    const phone = linkTestDevice(aRun.devices);
    await until(() => headAt(bob, ann) === 1, 10_000, 'Bob got the phone');

    // The laptop's app is closed; the phone removes it; Bob takes the entry.
    const annKey = ikOf(ann);
    await ann.call('profile.lock', {});
    const bRun = await bob.core.messaging.running();
    const removal = removeSignedBy(bRun.devices, annKey, phone, laptop);
    expect(bRun.devices.accept(annKey, [removal.bytes], phone.peerId).status).toBe('extended');

    // Next start: it asks Bob, learns it, stops and wipes.
    await ann.call('profile.unlock', { passphrase: PASS });
    await until(() => saw(ann, 'devices.removed'), 20_000, 'the laptop learned it was removed');
    const view = await ann.call('devices.thisDevice', {});
    expect(view.removed).toMatchObject({
      reason: 'removed',
      at: removal.at,
      by: { shortId: phone.peerId.slice(-8), name: null },
      personName: 'Ann',
    });
    const s = ann.core.store();
    expect(s.deviceSecrets.get()).toBeNull();
    expect(s.mlsDevice.get()).toBeNull();
    expect(s.identity.withPrivateKey()?.privateKey.length).toBe(0);
    expect(s.resync.groupStates()).toEqual([]);
    expect(s.groups.leftAt(dm)).not.toBeNull();
    // Its history stays readable.
    const page = await ann.call('messages.page', { conversationId: dm, at: { latest: true } });
    expect(page.messages.map((m) => m.body)).toContain('kept on the laptop');
    // It changes nothing more, and stays offline after a restart.
    expect((await ann.fail('devices.rename', { peerId: phone.peerId, name: 'x' })).code).toBe('FORBIDDEN');
    await ann.call('profile.lock', {});
    await ann.call('profile.unlock', { passphrase: PASS });
    expect(await ann.core.messaging.runningOrNull()).toBeNull();
    expect(ann.core.messaging.problem()).toBe(REMOVED_DEVICE_PROBLEM);
    expect((await ann.call('devices.thisDevice', {})).removed?.reason).toBe('removed');
  }, 90_000);

  it('"Unlink this device": the entry reaches the contact, then the device goes offline; the last device cannot', async () => {
    const ann = await makeCore('Ann');
    const bob = await makeCore('Bob');
    await befriend(ann, bob);
    await until(() => headAt(bob, ann) === 0, 20_000, 'Bob holds Ann entry 0');
    // Alone, a device cannot unlink itself (a person always has one).
    expect((await ann.fail('devices.unlink', {})).code).toBe('INVALID_STATE');
    const aRun = await ann.core.messaging.running();
    const laptop = aRun.node.peerId;
    linkTestDevice(aRun.devices);
    await until(() => headAt(bob, ann) === 1, 10_000, 'Bob got the phone');
    const unlinked = await ann.call('devices.unlink', {});
    expect(unlinked.removed?.reason).toBe('unlinked');
    await until(() => headAt(bob, ann) === 2, 10_000, 'Bob got the unlink by push');
    await until(() => saw(ann, 'devices.removed'), 10_000, 'the laptop went offline');
    const bRun = await bob.core.messaging.running();
    expect(bRun.devices.isRemovedDevice(laptop)).toBe(true);
    expect(bob.core.store().devices.exists(laptop)).toBe(false);
    expect(ann.core.store().deviceSecrets.get()).toBeNull();
  }, 90_000);
});
