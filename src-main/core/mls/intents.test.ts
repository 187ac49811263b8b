import { describe, expect, it } from 'vitest';
import { addMembers, createGroup } from './groupEngine';
import { keyPackageDevice, stillWanted } from './intents';
import { keyPackageFor, makeUser } from './testing/mlsFixtures';

describe('stillWanted', () => {
  it('keeps only what the group does not already have', async () => {
    const [a, b, c] = [makeUser('a'), makeUser('b'), makeUser('c')];
    const kb = await keyPackageFor(b, 'classic');
    const kc = await keyPackageFor(c, 'classic');
    const { state } = await addMembers(await createGroup(a.device, { suite: 'classic', name: 'g' }), [
      kb.keyPackage,
    ]);
    expect(keyPackageDevice(kc.keyPackage)?.peerId).toBe(c.device.peerId);
    expect(keyPackageDevice(new Uint8Array([1, 2, 3]))).toBeNull();

    // Adding b again would give its device a second leaf: only c is left to add.
    expect(stillWanted(state, { type: 'add', keyPackages: [kb.keyPackage, kc.keyPackage] })).toEqual({
      type: 'add',
      keyPackages: [kc.keyPackage],
    });
    expect(stillWanted(state, { type: 'add', keyPackages: [kb.keyPackage] })).toBeNull();
    expect(stillWanted(state, { type: 'remove', identityKeys: [c.identity.publicKey] })).toBeNull();
    expect(stillWanted(state, { type: 'remove', identityKeys: [b.identity.publicKey] })).not.toBeNull();
    expect(stillWanted(state, { type: 'rename', name: 'g' })).toBeNull();
    expect(stillWanted(state, { type: 'rename', name: 'h' })).not.toBeNull();
    expect(
      stillWanted(state, { type: 'setRole', identityKey: b.identity.publicKey, role: 'member' }),
    ).toBeNull();
    expect(
      stillWanted(state, { type: 'setRole', identityKey: b.identity.publicKey, role: 'admin' }),
    ).not.toBeNull();
    expect(stillWanted(state, { type: 'commitPending' })).toBeNull();
    expect(stillWanted(state, { type: 'selfUpdate' })).toEqual({ type: 'selfUpdate' });
  });
});
