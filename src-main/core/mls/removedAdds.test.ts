import { afterEach, describe, expect, it } from 'vitest';
import { registerDeviceDirectory } from './deviceDirectory';
import { addMembers, commitPending, createGroup, proposeAdd } from './groupEngine';
import { processMessage } from './incoming';
import { generateKeyPackage } from './keyPackages';
import { ListedPerson, TestDirectory, type ListedDevice } from './testing/listedUsers';
import { join, keyPackageFor, makeUser, type TestUser } from './testing/mlsFixtures';

/**
 * docs/protocol.md §13.6/§13.8: this device never commits an Add of a device
 * that a list it holds removed, whether it adds the KeyPackage itself or
 * commits another member's Add proposal, and whatever the credential
 * version (a removed device 0 still holds a version 1 credential signed by
 * the identity key).
 */

/** A verifier's lists that also answer "was this device removed?" (DeviceLists does). */
class RemovalsDirectory extends TestDirectory {
  constructor(private readonly people: ListedPerson[]) {
    super();
    for (const p of people) this.learn(p);
  }
  isRemovedDevice(peerId: string): boolean {
    return this.people.some((p) =>
      p.list.entries.some((e) => e.op === 'remove' && e.subjectPeerId === peerId),
    );
  }
}

const offs: (() => void)[] = [];
afterEach(() => {
  for (const off of offs.splice(0)) off();
});

async function packageOf(d: ListedDevice) {
  return generateKeyPackage(d.device, { suite: 'classic', lastResort: false, now: Date.now() });
}

describe('Adds of removed devices (§13.8)', () => {
  it('refuses to add a removed device 0 (version 1) and a removed linked device (version 2)', async () => {
    const ann = new ListedPerson('ann');
    const first = ann.devices[0] as ListedDevice;
    const laptop = ann.link();
    const phone = ann.link();
    ann.unlist(phone, laptop);
    ann.unlist(phone, first);
    const bob = makeUser('bob');
    offs.push(registerDeviceDirectory(bob.device.signaturePublicKey, new RemovalsDirectory([ann])));
    const group = await createGroup(bob.device, { suite: 'classic', name: 'Crew' });
    await expect(addMembers(group, [(await packageOf(first)).keyPackage])).rejects.toThrow(/removed/);
    await expect(addMembers(group, [(await packageOf(laptop)).keyPackage])).rejects.toThrow(/removed/);
    // The device still active is added.
    const added = await addMembers(group, [(await packageOf(phone)).keyPackage]);
    expect(added.state.members.map((m) => m.peerId)).toContain(phone.device.peerId);
  });

  it("leaves a member's pending Add of a removed device out of the admin's commit", async () => {
    const ann = new ListedPerson('ann');
    const first = ann.devices[0] as ListedDevice;
    const phone = ann.link();
    const [alice, carl]: TestUser[] = [makeUser('alice'), makeUser('carl')];
    // Alice (owner) and Carl (member); Carl holds Ann's list before the removal.
    let a = await createGroup(alice!.device, { suite: 'classic', name: 'Crew' });
    const kc = await keyPackageFor(carl!, 'classic');
    const added = await addMembers(a, [kc.keyPackage]);
    a = added.state;
    const c = await join(carl!, kc, added);
    ann.unlist(phone, first);
    offs.push(registerDeviceDirectory(alice!.device.signaturePublicKey, new RemovalsDirectory([ann])));
    const proposal = await proposeAdd(c, (await packageOf(first)).keyPackage);
    a = (await processMessage(a, proposal.proposal)).state;
    expect(a.pendingProposals).toBe(1);
    // Alice has nothing she may commit: the proposal adds a device her list removed.
    expect(await commitPending(a)).toBeNull();
  });
});
