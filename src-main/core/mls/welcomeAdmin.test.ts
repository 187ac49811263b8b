import { createCommit, defaultAuthenticationService, type Proposal } from 'ts-mls';
import { describe, expect, it } from 'vitest';
import { addMembers, createGroup, exportRatchetTree, setRole } from './groupEngine';
import { unwrapState, type MlsGroupState } from './groupState';
import { processMessage } from './incoming';
import { joinGroup } from './join';
import { isMlsRejection } from './rejection';
import { suiteImpl } from './suites';
import { decodeKeyPackage, encodeTree, encodeWelcome } from './wire';
import { hex, join, keyPackageFor, makeUser, type TestUser } from './testing/mlsFixtures';

/**
 * A Welcome is accepted only from an owner or admin of the group (issue #7
 * item 5): the joiner checks the role of the member that signed the
 * Welcome's GroupInfo, because it cannot see the commit the others refuse.
 */

/** An Add committed with ts-mls directly, bypassing Parley's role checks: what a modified client could send. */
async function forgeAdd(state: MlsGroupState, keyPackage: Uint8Array) {
  const c = unwrapState(state);
  const impl = await suiteImpl('classic');
  const permissive = { ...c.clientConfig, authService: defaultAuthenticationService };
  const proposal: Proposal = { proposalType: 'add', add: { keyPackage: decodeKeyPackage(keyPackage) } };
  const r = await createCommit(
    { state: { ...c, clientConfig: permissive }, cipherSuite: impl },
    { extraProposals: [proposal] },
  );
  if (!r.welcome) throw new Error('no welcome');
  return { welcome: encodeWelcome(r.welcome), tree: encodeTree(r.newState.ratchetTree) };
}

async function groupWithMember(): Promise<{
  alice: TestUser;
  bob: TestUser;
  a: MlsGroupState;
  b: MlsGroupState;
}> {
  const alice = makeUser('alice');
  const bob = makeUser('bob');
  const group = await createGroup(alice.device, { suite: 'classic', name: 'Roles' });
  const kb = await keyPackageFor(bob, 'classic');
  const added = await addMembers(group, [kb.keyPackage]);
  return { alice, bob, a: added.state, b: await join(bob, kb, added) };
}

describe('Welcome admin check', () => {
  it('joins a group from a Welcome the owner sent', async () => {
    const { a } = await groupWithMember();
    const carol = makeUser('carol');
    const kc = await keyPackageFor(carol, 'classic');
    const added = await addMembers(a, [kc.keyPackage]);
    const joined = await join(carol, kc, added);
    expect(joined.members.map((m) => m.identityKey).map(hex)).toContain(hex(carol.identity.publicKey));
  });

  it('joins from a Welcome an admin sent', async () => {
    const { a, b, bob } = await groupWithMember();
    const promoted = await setRole(a, bob.identity.publicKey, 'admin');
    // Bob follows the role change, then adds Carol himself.
    const b2 = (await processMessage(b, promoted.commit)).state;
    const carol = makeUser('carol');
    const kc = await keyPackageFor(carol, 'classic');
    const added = await addMembers(b2, [kc.keyPackage]);
    await expect(join(carol, kc, added)).resolves.toBeDefined();
  });

  it('refuses a Welcome from a plain member, with a clear reason', async () => {
    const { b } = await groupWithMember();
    const carol = makeUser('carol');
    const kc = await keyPackageFor(carol, 'classic');
    const forged = await forgeAdd(b, kc.keyPackage);
    const err = await joinGroup(
      carol.device,
      forged.welcome,
      { keyPackage: kc.keyPackage, privateKeys: kc.privateKeys },
      forged.tree,
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMlsRejection(err, 'not-authorized')).toBe(true);
    expect(String((err as Error).message)).toMatch(/not an owner or admin/);
  });

  it('still refuses it without a separate ratchet tree (tree carried nowhere else)', async () => {
    const { b } = await groupWithMember();
    const carol = makeUser('carol');
    const kc = await keyPackageFor(carol, 'classic');
    const forged = await forgeAdd(b, kc.keyPackage);
    const err = await joinGroup(
      carol.device,
      forged.welcome,
      { keyPackage: kc.keyPackage, privateKeys: kc.privateKeys },
      exportRatchetTree(b),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    // The wrong (old) tree fails the tree-hash check before any role is read: refused either way.
    expect(isMlsRejection(err)).toBe(true);
  });
});
