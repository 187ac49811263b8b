import { describe, expect, it } from 'vitest';
import { addMembers, startDm } from './groupEngine';
import { MAX_DM_LEAVES } from './rolePolicy';
import { anotherDevice, keyPackageFor, makeUser } from './testing/mlsFixtures';

/**
 * docs/protocol.md §13.6: a DM is two people of at most 5 devices each, so
 * it never holds more than 10 leaves; every member refuses a commit that
 * would make an 11th (the violating vector of the rule).
 */
describe('a DM holds at most 10 devices', () => {
  it('takes two people with 10 devices in its first commit, and refuses an 11th leaf', async () => {
    const ann = makeUser('ann');
    const bob = makeUser('bob');
    const annsOthers = Array.from({ length: 4 }, (_, i) => anotherDevice(ann, `ann-${i + 2}`));
    const bobs = [bob, ...Array.from({ length: 4 }, (_, i) => anotherDevice(bob, `bob-${i + 2}`))];
    const packages = await Promise.all(
      [...annsOthers, ...bobs].map(async (u) => (await keyPackageFor(u, 'classic')).keyPackage),
    );
    const dm = await startDm(ann.device, packages, { suite: 'classic' });
    expect(dm.state.members).toHaveLength(MAX_DM_LEAVES);
    const eleventh = (await keyPackageFor(anotherDevice(bob, 'bob-6'), 'classic')).keyPackage;
    await expect(addMembers(dm.state, [eleventh])).rejects.toThrow(/at most 10 devices/);
  });
});
