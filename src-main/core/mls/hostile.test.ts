import { createCommit, defaultAuthenticationService, type Proposal } from 'ts-mls';
import { beforeEach, describe, expect, it } from 'vitest';
import { certifyDevice, encodeDeviceCredential } from '../identity/credential';
import { generateIdentityKey } from '../identity/identityKey';
import { generateEd25519 } from './crypto/nodeCryptoProvider';
import type { MlsDeviceIdentity } from './credentials';
import { GROUP_METADATA_EXTENSION, metadataExtension } from './extensions';
import { addMembers, createGroup, encrypt, removeMembers, leave } from './groupEngine';
import { unwrapState, type MlsGroupState } from './groupState';
import { processMessage } from './incoming';
import { isMlsRejection, type MlsRejectReason } from './rejection';
import { suiteImpl } from './suites';
import { decodeKeyPackage, encodeMessage } from './wire';
import { hex, join, keyPackageFor, makeUser, testPeerId, text, type TestUser } from './testing/mlsFixtures';

/**
 * Hostile input (issue 4): every case is refused with a reason, and the
 * state it was processed against is unchanged (byte for byte).
 */
async function expectRejected(
  state: MlsGroupState,
  message: Uint8Array,
  reasons: MlsRejectReason[],
): Promise<string> {
  const before = state.serialize();
  const err = await processMessage(state, message).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'the message was accepted').not.toBeNull();
  expect(isMlsRejection(err), `not a rejection: ${String(err)}`).toBe(true);
  const reason = isMlsRejection(err) ? err.reason : 'invalid';
  expect(reasons).toContain(reason);
  expect(hex(state.serialize())).toBe(hex(before));
  return reason;
}

/** A commit built with ts-mls directly, bypassing Parley's own checks: what a modified client could send. */
async function forgeCommit(state: MlsGroupState, proposals: Proposal[]): Promise<Uint8Array> {
  const c = unwrapState(state);
  const impl = await suiteImpl('classic');
  const permissive = { ...c.clientConfig, authService: defaultAuthenticationService };
  const r = await createCommit(
    { state: { ...c, clientConfig: permissive }, cipherSuite: impl },
    { extraProposals: proposals },
  );
  return encodeMessage(r.commit);
}

interface Group {
  alice: TestUser;
  bob: TestUser;
  carol: TestUser;
  a: MlsGroupState;
  b: MlsGroupState;
  c: MlsGroupState;
}

async function threeMembers(): Promise<Group> {
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(makeUser) as [TestUser, TestUser, TestUser];
  const a0 = await createGroup(alice.device, { suite: 'classic', name: 'Hostile' });
  const kb = await keyPackageFor(bob, 'classic');
  const kc = await keyPackageFor(carol, 'classic');
  const added = await addMembers(a0, [kb.keyPackage, kc.keyPackage]);
  return {
    alice,
    bob,
    carol,
    a: added.state,
    b: await join(bob, kb, added),
    c: await join(carol, kc, added),
  };
}

describe('hostile input', () => {
  let g: Group;
  beforeEach(async () => {
    g = await threeMembers();
  });

  it('a commit by a non-admin is rejected by every member', async () => {
    const dave = makeUser('dave');
    const kd = decodeKeyPackage((await keyPackageFor(dave, 'classic')).keyPackage);
    const forgedAdd = await forgeCommit(g.b, [{ proposalType: 'add', add: { keyPackage: kd } }]);
    for (const s of [g.a, g.c]) await expectRejected(s, forgedAdd, ['not-authorized']);

    const forgedRemove = await forgeCommit(g.b, [
      { proposalType: 'remove', remove: { removed: g.c.ownLeafIndex } },
    ]);
    for (const s of [g.a, g.c]) await expectRejected(s, forgedRemove, ['not-authorized']);

    // Bob makes himself owner: a metadata change by a member.
    const c = unwrapState(g.b);
    const roles = new Map([[hex(g.bob.identity.publicKey), 'owner' as const]]);
    const extensions = c.groupContext.extensions.map((e) =>
      e.extensionType === GROUP_METADATA_EXTENSION
        ? metadataExtension({ kind: 'group', name: 'Mine', roles })
        : e,
    );
    const forgedRoles = await forgeCommit(g.b, [
      { proposalType: 'group_context_extensions', groupContextExtensions: { extensions } },
    ]);
    for (const s of [g.a, g.c]) await expectRejected(s, forgedRoles, ['not-authorized']);
  });

  it('an admin cannot bring in an uncertified device', async () => {
    const mallory = generateIdentityKey();
    const device = makeUser('victim').device;
    // A credential that claims the victim's identity, "certified" by Mallory's key.
    const { signKey, publicKey } = generateEd25519();
    const cert = certifyDevice(mallory.privateKey, device.identityKey, testPeerId(), publicKey);
    const forged: MlsDeviceIdentity = {
      ...device,
      signaturePublicKey: publicKey,
      signaturePrivateKey: signKey,
      credential: encodeDeviceCredential(cert),
    };
    const kp = await keyPackageFor({ name: 'forged', identity: mallory, device: forged }, 'classic');
    const refused = await addMembers(g.a, [kp.keyPackage]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMlsRejection(refused, 'uncertified')).toBe(true);
    const forgedCommit = await forgeCommit(g.a, [
      { proposalType: 'add', add: { keyPackage: decodeKeyPackage(kp.keyPackage) } },
    ]);
    for (const s of [g.b, g.c]) await expectRejected(s, forgedCommit, ['uncertified']);
  });

  it('a replayed message is refused as a replay', async () => {
    const sent = await encrypt(g.b, text('once'));
    const got = await processMessage(g.a, sent.message);
    await expectRejected(got.state, sent.message, ['replay']);

    const proposal = await leave(g.c);
    const seen = await processMessage(g.a, proposal.proposal);
    await expectRejected(seen.state, proposal.proposal, ['replay']);
  });

  it('a commit already applied is refused, not applied twice', async () => {
    const kd = await keyPackageFor(makeUser('dave'), 'classic');
    const added = await addMembers(g.a, [kd.keyPackage]);
    const atBob = await processMessage(g.b, added.commit);
    await expectRejected(atBob.state, added.commit, ['stale-epoch']);
    await expectRejected(added.state, added.commit, ['stale-epoch']);
  });

  it('a removed member cannot be heard any more', async () => {
    const removed = await removeMembers(g.a, [g.carol.identity.publicKey]);
    const a = removed.state;
    const b = (await processMessage(g.b, removed.commit)).state;
    // Carol still has the previous epoch's keys; she writes before seeing her removal.
    const late = await encrypt(g.c, text('you cannot remove me'));
    await expectRejected(a, late.message, ['unknown-sender']);
    await expectRejected(b, late.message, ['unknown-sender']);
    // Nor can she commit in the old epoch.
    const stale = await forgeCommit(g.c, []);
    await expectRejected(a, stale, ['stale-epoch']);
    // Once she processed her removal, her device refuses to send at all.
    const atCarol = await processMessage(g.c, removed.commit);
    expect(atCarol.state.active).toBe(false);
    await expect(encrypt(atCarol.state, text('x'))).rejects.toThrow(/no longer a member/);
    await expect(processMessage(atCarol.state, late.message)).rejects.toThrow(/not-member/);
  });

  it('a late message from a member who stays is still read after the commit', async () => {
    const late = await encrypt(g.b, text('sent before the commit'));
    const kd = await keyPackageFor(makeUser('dave'), 'classic');
    const added = await addMembers(g.a, [kd.keyPackage]);
    const got = await processMessage(added.state, late.message);
    expect(got.kind).toBe('application');
    expect(got.epoch).toBe(g.a.epoch);
  });

  it('truncated, extended or bit-flipped messages are refused, whatever byte is hit', async () => {
    const sent = await encrypt(g.b, text('integrity'));
    const m = sent.message;
    const reasons = new Set<string>();
    for (let cut = 0; cut < m.length; cut += 3) {
      reasons.add(await expectRejected(g.a, m.subarray(0, cut), ['malformed']));
    }
    await expectRejected(g.a, new Uint8Array([...m, 0]), ['malformed']);
    const allowed: MlsRejectReason[] = [
      'malformed',
      'authentication',
      'wrong-group',
      'future-epoch',
      'stale-epoch',
      'unsupported',
      'unknown-sender',
      'invalid',
    ];
    for (let i = 0; i < m.length; i++) {
      const flipped = m.slice();
      flipped[i]! ^= 1 << (i % 8);
      reasons.add(await expectRejected(g.a, flipped, allowed));
    }
    expect(reasons).toContain('authentication');
    // The untouched message still decrypts: nothing above consumed its key.
    const got = await processMessage(g.a, m);
    expect(got.kind).toBe('application');
  });

  it('garbage and other wire formats are malformed, not crashes', async () => {
    await expectRejected(g.a, new Uint8Array(0), ['malformed']);
    await expectRejected(g.a, new Uint8Array(300).fill(7), ['malformed', 'unsupported']);
    const kp = await keyPackageFor(makeUser('x'), 'classic');
    await expectRejected(g.a, kp.keyPackage, ['malformed']);
  });
});
