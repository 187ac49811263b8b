import { describe, expect, it } from 'vitest';
import { isParleyError } from '../errors';
import {
  addMembers,
  commitPending,
  createGroup,
  encrypt,
  leave,
  proposeAdd,
  removeMembers,
  rename,
  selfUpdate,
  setRole,
  startDm,
  type CommitOutcome,
} from './groupEngine';
import { MlsGroupState } from './groupState';
import { processMessage, type ProcessOutcome } from './incoming';
import { suiteInfo, type MlsSuiteName } from './suites';
import {
  anotherDevice,
  hex,
  join,
  keyPackageFor,
  makeUser,
  str,
  text,
  type TestUser,
} from './testing/mlsFixtures';

/** Applies a commit at every other member and checks they all agree with the committer. */
async function everyoneProcesses(
  outcome: CommitOutcome,
  others: Map<string, MlsGroupState>,
): Promise<Map<string, ProcessOutcome>> {
  const results = new Map<string, ProcessOutcome>();
  for (const [name, state] of others) {
    const r = await processMessage(state, outcome.commit);
    expect(r.kind).toBe('commit');
    others.set(name, r.state);
    results.set(name, r);
    if (r.state.active) {
      expect(r.state.epoch).toBe(outcome.state.epoch);
      expect(hex(r.state.epochAuthenticator)).toBe(hex(outcome.state.epochAuthenticator));
    }
  }
  return results;
}

async function expectDenied(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isParleyError(err)).toBe(true);
  expect((err as Error).message).toMatch(pattern);
}

describe.each<MlsSuiteName>(['xwing', 'classic'])('MLS groups (%s)', (suite) => {
  it('creates a group, adds members, and every member decrypts every message', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const carol = makeUser('carol');
    let a = await createGroup(alice.device, { name: 'Team', suite });
    expect(a.suite).toEqual(suiteInfo(suite));
    expect(a.epoch).toBe(0);
    expect(a.members).toHaveLength(1);
    expect(a.self.role).toBe('owner');

    const kb = await keyPackageFor(bob, suite);
    const kc = await keyPackageFor(carol, suite);
    const added = await addMembers(a, [kb.keyPackage, kc.keyPackage]);
    a = added.state;
    expect(a.epoch).toBe(1);
    const b = await join(bob, kb, added);
    const c = await join(carol, kc, added);
    for (const s of [b, c]) {
      expect(s.epoch).toBe(1);
      expect(hex(s.epochAuthenticator)).toBe(hex(a.epochAuthenticator));
      expect(s.name).toBe('Team');
      expect(s.suite.id).toBe(a.suite.id);
      expect(s.members.map((m) => [hex(m.identityKey), m.role])).toEqual(
        a.members.map((m) => [hex(m.identityKey), m.role]),
      );
    }
    expect(b.roleOf(alice.identity.publicKey)).toBe('owner');
    expect(b.self.role).toBe('member');

    const sent = await encrypt(b, text('hi from bob'));
    for (const s of [a, c]) {
      const r = await processMessage(s, sent.message);
      expect(r.kind).toBe('application');
      if (r.kind !== 'application') continue;
      expect(str(r.plaintext)).toBe('hi from bob');
      expect(hex(r.sender.identityKey)).toBe(hex(bob.identity.publicKey));
      expect(r.sender.peerId).toBe(bob.device.peerId);
    }
    expect(c.epoch).toBe(1);
  });

  it('renames, changes roles, removes, and lets a member leave', async () => {
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(makeUser) as [TestUser, TestUser, TestUser];
    let a = await createGroup(alice.device, { name: 'Old', suite });
    const kb = await keyPackageFor(bob, suite);
    const kc = await keyPackageFor(carol, suite);
    const added = await addMembers(a, [kb.keyPackage, kc.keyPackage]);
    a = added.state;
    const others = new Map([
      ['bob', await join(bob, kb, added)],
      ['carol', await join(carol, kc, added)],
    ]);

    const renamed = await rename(a, 'New name');
    a = renamed.state;
    const r1 = await everyoneProcesses(renamed, others);
    expect(others.get('bob')!.name).toBe('New name');
    const change = r1.get('bob');
    expect(change?.kind === 'commit' && change.changes.renamed).toBe(true);

    const promoted = await setRole(a, bob.identity.publicKey, 'admin');
    a = promoted.state;
    await everyoneProcesses(promoted, others);
    expect(others.get('carol')!.roleOf(bob.identity.publicKey)).toBe('admin');

    // Bob, now an admin, removes Carol.
    const removed = await removeMembers(others.get('bob')!, [carol.identity.publicKey]);
    others.set('bob', removed.state);
    const atAlice = await processMessage(a, removed.commit);
    a = atAlice.state;
    const atCarol = await processMessage(others.get('carol')!, removed.commit);
    expect(atCarol.kind === 'commit' && atCarol.changes.removedSelf).toBe(true);
    expect(atCarol.state.active).toBe(false);
    expect(a.members.map((m) => hex(m.identityKey))).not.toContain(hex(carol.identity.publicKey));
    expect(hex(a.epochAuthenticator)).toBe(hex(removed.state.epochAuthenticator));
    others.delete('carol');

    // Bob leaves: a proposal; Alice commits it.
    const leaving = await leave(others.get('bob')!);
    const proposalAtAlice = await processMessage(a, leaving.proposal);
    expect(proposalAtAlice.kind).toBe('proposal');
    if (proposalAtAlice.kind === 'proposal') {
      expect(proposalAtAlice.proposal).toMatchObject({ type: 'remove', selfRemoval: true });
    }
    a = proposalAtAlice.state;
    expect(a.pendingProposals).toBe(1);
    const committed = await commitPending(a);
    expect(committed).not.toBeNull();
    a = committed!.state;
    const atBob = await processMessage(leaving.state, committed!.commit);
    expect(atBob.state.active).toBe(false);
    expect(a.members).toHaveLength(1);
    // Bob's admin role went with him.
    expect(a.roleOf(bob.identity.publicKey)).toBe('member');
  });

  it('self-update refreshes keys and everyone follows (post-compromise security)', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    let a = await createGroup(alice.device, { suite });
    const kb = await keyPackageFor(bob, suite);
    const added = await addMembers(a, [kb.keyPackage]);
    a = added.state;
    let b = await join(bob, kb, added);
    const before = b.members.find((m) => m.isSelf)!;
    const updated = await selfUpdate(b);
    expect(updated.refreshedOwnKeys).toBe(true);
    b = updated.state;
    const atAlice = await processMessage(a, updated.commit);
    a = atAlice.state;
    expect(atAlice.kind === 'commit' && atAlice.changes.updated).toEqual([before.leafIndex]);
    expect(hex(a.epochAuthenticator)).toBe(hex(b.epochAuthenticator));
    const msg = await encrypt(a, text('after update'));
    const got = await processMessage(b, msg.message);
    expect(got.kind === 'application' && str(got.plaintext)).toBe('after update');
  });

  it('members propose, admins commit; a member may still talk meanwhile', async () => {
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(makeUser) as [TestUser, TestUser, TestUser];
    let a = await createGroup(alice.device, { suite });
    const kb = await keyPackageFor(bob, suite);
    const added = await addMembers(a, [kb.keyPackage]);
    a = added.state;
    let b = await join(bob, kb, added);

    const kc = await keyPackageFor(carol, suite);
    await expectDenied(addMembers(b, [kc.keyPackage]), /only an admin can add/);
    const proposal = await proposeAdd(b, kc.keyPackage);
    b = proposal.state;
    const atAlice = await processMessage(a, proposal.proposal);
    a = atAlice.state;
    expect(atAlice.kind === 'proposal' && atAlice.proposal.type).toBe('add');

    // Bob has a proposal pending that only an admin may commit, and can still send.
    const chat = await encrypt(b, text('still here'));
    b = chat.state;
    expect(b.pendingProposals).toBe(1);
    const heard = await processMessage(a, chat.message);
    a = heard.state;
    expect(heard.kind === 'application' && str(heard.plaintext)).toBe('still here');
    // Bob cannot commit it.
    expect(await commitPending(b)).toBeNull();

    const committed = await commitPending(a);
    const atBob = await processMessage(b, committed!.commit);
    b = atBob.state;
    expect(atBob.kind === 'commit' && atBob.changes.added.map((m) => m.peerId)).toEqual([
      carol.device.peerId,
    ]);
    const c = await join(carol, kc, committed!);
    expect(hex(c.epochAuthenticator)).toBe(hex(b.epochAuthenticator));
  });
});

describe('direct conversations', () => {
  it('are a group of two where both users are admins, and stay two users', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const kb = await keyPackageFor(bob, 'xwing');
    const dm = await startDm(alice.device, kb.keyPackage);
    const a = dm.state;
    const b = await join(bob, kb, dm);
    expect(b.kind).toBe('dm');
    expect(b.roleOf(alice.identity.publicKey)).toBe('owner');
    expect(b.self.role).toBe('admin');

    const carol = makeUser('carol');
    await expectDenied(
      addMembers(a, [(await keyPackageFor(carol, 'xwing')).keyPackage]),
      /exactly two people/,
    );
    // Bob's second device is fine, and Bob may add it himself.
    const laptop = anotherDevice(bob);
    const kl = await keyPackageFor(laptop, 'xwing');
    const addedLaptop = await addMembers(b, [kl.keyPackage]);
    const atAlice = await processMessage(a, addedLaptop.commit);
    expect(atAlice.state.members).toHaveLength(3);
    const l = await join(laptop, kl, addedLaptop);
    expect(l.self.role).toBe('admin');
  });
});

describe('group state values', () => {
  it('processing never changes the input state, and states survive serialization', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    let a = await createGroup(alice.device, { suite: 'xwing', name: 'values' });
    const kb = await keyPackageFor(bob, 'xwing');
    const added = await addMembers(a, [kb.keyPackage]);
    a = added.state;
    const b = await join(bob, kb, added);
    const bBytes = b.serialize();

    const sent = await encrypt(a, text('one'));
    const first = await processMessage(b, sent.message);
    expect(b.serialize()).toEqual(bBytes);
    // The same input state decrypts the same message again: it is a value.
    const second = await processMessage(b, sent.message);
    expect(first.kind === 'application' && str(first.plaintext)).toBe('one');
    expect(second.kind === 'application' && str(second.plaintext)).toBe('one');

    // Lossless round trip, and the reloaded state keeps working.
    const reloaded = MlsGroupState.deserialize(first.state.serialize());
    expect(reloaded.serialize()).toEqual(first.state.serialize());
    expect(reloaded.epoch).toBe(first.state.epoch);
    expect(hex(reloaded.epochAuthenticator)).toBe(hex(first.state.epochAuthenticator));
    const next = await encrypt(sent.state, text('two'));
    const got = await processMessage(reloaded, next.message);
    expect(got.kind === 'application' && str(got.plaintext)).toBe('two');

    // Encrypting twice from one state would reuse a message key: refused.
    await expectDenied(encrypt(a, text('again')), /already produced a message/);

    expect(() => MlsGroupState.deserialize(bBytes.subarray(0, 100))).toThrow(/damaged/);
    expect(() => MlsGroupState.deserialize(new Uint8Array(10))).toThrow(/Not a Parley/);
  });
});

describe('roles', () => {
  it('owner and admins have distinct powers; a leave completes without an admin', async () => {
    const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map(makeUser) as [
      TestUser,
      TestUser,
      TestUser,
      TestUser,
    ];
    const kps = await Promise.all([bob, carol, dave].map((u) => keyPackageFor(u, 'classic')));
    const added = await addMembers(
      await createGroup(alice.device, { suite: 'classic' }),
      kps.map((k) => k.keyPackage),
    );
    let a = added.state;
    const others = new Map([
      ['bob', await join(bob, kps[0]!, added)],
      ['carol', await join(carol, kps[1]!, added)],
      ['dave', await join(dave, kps[2]!, added)],
    ]);
    const promoted = await setRole(a, bob.identity.publicKey, 'admin');
    a = promoted.state;
    await everyoneProcesses(promoted, others);

    const b = others.get('bob')!;
    await expectDenied(removeMembers(b, [alice.identity.publicKey]), /owner can only leave/);
    await expectDenied(setRole(b, carol.identity.publicKey, 'admin'), /only the owner can change roles/);
    await expectDenied(setRole(others.get('carol')!, carol.identity.publicKey, 'admin'), /only an admin/);
    await expectDenied(rename(others.get('carol')!, 'mine'), /only an admin/);

    // Dave leaves; Carol, a plain member, commits it.
    const leaving = await leave(others.get('dave')!);
    const atCarol = await processMessage(others.get('carol')!, leaving.proposal);
    const committed = await commitPending(atCarol.state);
    expect(committed).not.toBeNull();
    const atAlice = await processMessage(a, leaving.proposal);
    const applied = await processMessage(atAlice.state, committed!.commit);
    a = applied.state;
    expect(a.members.map((m) => hex(m.identityKey))).not.toContain(hex(dave.identity.publicKey));

    // Ownership moves to Bob; Alice becomes an admin.
    const handed = await setRole(a, bob.identity.publicKey, 'owner');
    expect(handed.state.roleOf(bob.identity.publicKey)).toBe('owner');
    expect(handed.state.roleOf(alice.identity.publicKey)).toBe('admin');
    await expectDenied(setRole(handed.state, carol.identity.publicKey, 'admin'), /only the owner/);
  });
});

describe('pending proposals', () => {
  it('a member who asked to leave cannot commit its own removal, and waits for another member', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const kb = await keyPackageFor(bob, 'classic');
    const added = await addMembers(await createGroup(alice.device, { suite: 'classic' }), [kb.keyPackage]);
    const b = await join(bob, kb, added);
    const leaving = await leave(b);
    expect(leaving.state.pendingProposals).toBe(1);
    expect(await commitPending(leaving.state)).toBeNull();
    // Bob's self-update leaves his own removal out; Alice commits it later.
    const update = await selfUpdate(leaving.state);
    const atAlice = await processMessage(added.state, leaving.proposal);
    const applied = await processMessage(atAlice.state, update.commit);
    expect(applied.state.members).toHaveLength(2);
  });
});
