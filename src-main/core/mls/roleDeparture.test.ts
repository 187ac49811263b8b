import { describe, expect, it } from 'vitest';
import { addMembers, createGroup, removeMembers, setRole } from './groupEngine';
import { processMessage } from './incoming';
import { hex, join, keyPackageFor, makeUser, type TestUser } from './testing/mlsFixtures';

/**
 * Removing a member who holds a role. ts-mls 1.6.4 cannot make a readable
 * commit with both a Remove (which needs an UpdatePath) and a
 * GroupContextExtensions (extensions.ts says why), so the role is not dropped
 * in the removal any more: the other members must be able to read it (they
 * could not before: the group forked). The role goes when the user is added
 * again, in the Add's commit, so they come back as a member.
 */
describe('removing a member with a role', () => {
  it('the others read the removal, and a user added again comes back as a member', async () => {
    const [carol, ann, bob] = ['carol', 'ann', 'bob'].map(makeUser) as [TestUser, TestUser, TestUser];
    const c0 = await createGroup(carol.device, { suite: 'classic', name: 'Crew' });
    const ka = await keyPackageFor(ann, 'classic');
    const kb = await keyPackageFor(bob, 'classic');
    const added = await addMembers(c0, [ka.keyPackage, kb.keyPackage]);
    let a = await join(ann, ka, added);
    const promoted = await setRole(added.state, bob.identity.publicKey, 'admin');
    a = (await processMessage(a, promoted.commit)).state;

    const removed = await removeMembers(promoted.state, [bob.identity.publicKey]);
    const atAnn = await processMessage(a, removed.commit);
    expect(atAnn.kind === 'commit' && atAnn.changes.removed.map((m) => hex(m.identityKey))).toEqual([
      hex(bob.identity.publicKey),
    ]);
    expect(hex(atAnn.state.epochAuthenticator)).toBe(hex(removed.state.epochAuthenticator));

    const again = await keyPackageFor(bob, 'classic');
    const readded = await addMembers(removed.state, [again.keyPackage]);
    const atAnn2 = await processMessage(atAnn.state, readded.commit);
    expect(atAnn2.state.roleOf(bob.identity.publicKey)).toBe('member');
    expect(readded.state.roleOf(bob.identity.publicKey)).toBe('member');
  });
});
