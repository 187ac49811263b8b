import { createCommit, defaultAuthenticationService, type Proposal } from 'ts-mls';
import { afterEach, describe, expect, it } from 'vitest';
import type { MlsDeviceIdentity } from './credentials';
import { registerDeviceDirectory } from './deviceDirectory';
import { decodeGroupMetadata, encodeGroupMetadata, findGroupMetadata } from './extensions';
import { addMembers, createGroup, encrypt } from './groupEngine';
import { MlsGroupState, unwrapState } from './groupState';
import { processMessage } from './incoming';
import { generateKeyPackage } from './keyPackages';
import { isMlsRejection } from './rejection';
import { suiteImpl } from './suites';
import { ListedPerson, TestDirectory } from './testing/listedUsers';
import { hex, join, makeUser, str, text } from './testing/mlsFixtures';
import { decodeKeyPackage, encodeMessage } from './wire';

/**
 * The self group (docs/protocol.md §13.6): a group of kind `self` (0xFA01
 * kind 2) holds only the devices of its one person, the owner. Own devices
 * join it like any group; a leaf of anyone else is refused by every member,
 * whoever commits it (one violating vector), and Parley's own client never
 * makes such a commit.
 */

const offs: (() => void)[] = [];
afterEach(() => {
  for (const off of offs.splice(0)) off();
});

const kpOf = (d: MlsDeviceIdentity) =>
  generateKeyPackage(d, { suite: 'classic', lastResort: false, now: Date.now() });

async function selfGroup() {
  const ann = new ListedPerson('ann');
  const bob = new ListedPerson('bob');
  const dir = new TestDirectory().learn(ann).learn(bob);
  const ann2 = ann.link();
  dir.learn(ann);
  for (const d of [ann.devices[0]!.device, ann2.device, bob.devices[0]!.device])
    offs.push(registerDeviceDirectory(d.signaturePublicKey, dir));
  const a0 = await createGroup(ann.devices[0]!.device, { suite: 'classic', kind: 'self' });
  const k2 = await kpOf(ann2.device);
  const added = await addMembers(a0, [k2.keyPackage]);
  return { ann, bob, a: added.state, a2: await join(ann2, k2, added) };
}

describe('the self group (kind 2)', () => {
  it('encodes kind 2 and refuses an unknown kind', () => {
    const bytes = encodeGroupMetadata({ kind: 'self', name: '', roles: new Map() });
    expect(bytes[1]).toBe(2);
    expect(decodeGroupMetadata(bytes)?.kind).toBe('self');
    expect(decodeGroupMetadata(new Uint8Array([1, 3, 0, 0, 0, 0]))).toBeNull();
  });

  it("holds a person's own devices: the second device joins and reads what the first sends", async () => {
    const { a, a2 } = await selfGroup();
    expect(findGroupMetadata(unwrapState(a2).groupContext.extensions)?.kind).toBe('self');
    const sent = await encrypt(a, text('{"type":"sync.read"}'));
    const got = await processMessage(a2, sent.message);
    expect(got.kind === 'application' && str(got.plaintext)).toBe('{"type":"sync.read"}');
  });

  it("Parley's own client refuses to add another person's device", async () => {
    const { a, bob } = await selfGroup();
    const kb = await kpOf(bob.devices[0]!.device);
    await expect(addMembers(a, [kb.keyPackage])).rejects.toThrow(/only its person's own devices/);
  });

  it("rule: a forged commit adding another person's device is refused by the other own device", async () => {
    const { a, a2, bob } = await selfGroup();
    const kb = await kpOf(bob.devices[0]!.device);
    const c = unwrapState(MlsGroupState.deserialize(a.serialize()));
    const add: Proposal = { proposalType: 'add', add: { keyPackage: decodeKeyPackage(kb.keyPackage) } };
    const forged = await createCommit(
      {
        state: { ...c, clientConfig: { ...c.clientConfig, authService: defaultAuthenticationService } },
        cipherSuite: await suiteImpl('classic'),
      },
      { extraProposals: [add] },
    );
    const before = hex(a2.serialize());
    const err = await processMessage(a2, encodeMessage(forged.commit)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMlsRejection(err) && err.reason).toBe('not-authorized');
    expect(isMlsRejection(err) && err.message).toMatch(/only its person's own devices/);
    expect(hex(a2.serialize())).toBe(before);
  });

  it('a user without a list can still hold a self group of one device (kind survives a round trip)', async () => {
    const carol = makeUser('carol');
    const g = await createGroup(carol.device, { suite: 'classic', kind: 'self' });
    expect(MlsGroupState.deserialize(g.serialize()).kind).toBe('self');
  });
});
