import { createCommit, defaultAuthenticationService, type Proposal } from 'ts-mls';
import { afterEach, describe, expect, it } from 'vitest';
import { entryHash } from '../identity/deviceListEntry';
import { contextProposal } from './commitProposals';
import type { MlsDeviceIdentity } from './credentials';
import { registerDeviceDirectory } from './deviceDirectory';
import {
  decodeDeviceHeads,
  encodeDeviceHeads,
  encodeRemovalHeads,
  findDeviceHeads,
  type PinnedHead,
} from './extensions';
import { addMembers, createGroup, encrypt, removeOwnDevices, rename } from './groupEngine';
import { MlsGroupState, unwrapState } from './groupState';
import { processMessage } from './incoming';
import { generateKeyPackage } from './keyPackages';
import { isMlsRejection, type MlsRejection } from './rejection';
import { suiteImpl } from './suites';
import { decodeKeyPackage, encodeMessage } from './wire';
import { ListedPerson, TestDirectory, type ListedDevice } from './testing/listedUsers';
import { hex, join, makeUser, str, text, type TestUser } from './testing/mlsFixtures';

/**
 * The device-list rules of the role policy (docs/protocol.md §13.6): heads
 * pinned in 0xFA03 decide which of a person's devices may hold a leaf, and a
 * plain member may add and remove its own person's devices. One violating
 * vector per rule; each is refused by a member with the state unchanged.
 */

const offs: (() => void)[] = [];
afterEach(() => {
  for (const off of offs.splice(0)) off();
});

const kpOf = (d: MlsDeviceIdentity) =>
  generateKeyPackage(d, { suite: 'classic', lastResort: false, now: Date.now() });

function headOf(p: ListedPerson, count = p.list.entries.length): PinnedHead {
  const e = p.list.entries[count - 1]!;
  return { seq: e.seq, hash: entryHash(e.bytes) };
}

/**
 * Carol (owner, no list) with Ann (device 0, a plain member) and Bob (a plain
 * member with a list). Everyone's view holds every list in full.
 */
async function group(): Promise<{
  carol: TestUser;
  ann: ListedPerson;
  bob: ListedPerson;
  dir: TestDirectory;
  c: MlsGroupState;
  a: MlsGroupState;
  b: MlsGroupState;
}> {
  const carol = makeUser('carol');
  const ann = new ListedPerson('ann');
  const bob = new ListedPerson('bob');
  const dir = new TestDirectory().learn(ann).learn(bob);
  for (const d of [carol.device, ann.devices[0]!.device, bob.devices[0]!.device])
    offs.push(registerDeviceDirectory(d.signaturePublicKey, dir));
  const c0 = await createGroup(carol.device, { suite: 'classic', name: 'Devices' });
  const ka = await kpOf(ann.devices[0]!.device);
  const kb = await kpOf(bob.devices[0]!.device);
  const added = await addMembers(c0, [ka.keyPackage, kb.keyPackage]);
  return {
    carol,
    ann,
    bob,
    dir,
    c: added.state,
    a: await join(ann.devices[0]!, ka, added),
    b: await join(bob.devices[0]!, kb, added),
  };
}

/** Links a device and lets every registered verifier (one shared view) learn it. */
function link(p: ListedPerson, dir: TestDirectory): ListedDevice {
  const d = p.link();
  dir.learn(p);
  offs.push(registerDeviceDirectory(d.device.signaturePublicKey, dir));
  return d;
}

/** A commit made with ts-mls alone (no Parley checks on the author's side): what a modified client sends. */
async function forged(
  state: MlsGroupState,
  proposals: (c: ReturnType<typeof unwrapState>) => Proposal[],
  authenticatedData?: Uint8Array,
) {
  // On a copy: ts-mls's createCommit is not guaranteed to leave the state it is given untouched.
  const c = unwrapState(MlsGroupState.deserialize(state.serialize()));
  const r = await createCommit(
    {
      state: { ...c, clientConfig: { ...c.clientConfig, authService: defaultAuthenticationService } },
      cipherSuite: await suiteImpl('classic'),
    },
    { extraProposals: proposals(c), ...(authenticatedData ? { authenticatedData } : {}) },
  );
  return encodeMessage(r.commit);
}

const add = (kp: Uint8Array): Proposal => ({
  proposalType: 'add',
  add: { keyPackage: decodeKeyPackage(kp) },
});
const pin = (c: ReturnType<typeof unwrapState>, p: ListedPerson, head: PinnedHead) =>
  contextProposal(c, { heads: new Map([[hex(p.identityKey), head]]) });

async function refused(state: MlsGroupState, message: Uint8Array): Promise<MlsRejection> {
  const before = hex(state.serialize());
  const err = await processMessage(state, message).then(
    () => null,
    (e: unknown) => e,
  );
  if (!isMlsRejection(err)) throw new Error(`expected a rejection, got ${String(err)}`);
  expect(hex(state.serialize())).toBe(before);
  return err;
}

describe('0xFA03 pinned heads', () => {
  it('encode canonically and refuse what is not', () => {
    const heads = new Map([
      ['bb'.repeat(32), { seq: 2, hash: new Uint8Array(32).fill(2) }],
      ['aa'.repeat(32), { seq: 1, hash: new Uint8Array(32).fill(1) }],
    ]);
    const bytes = encodeDeviceHeads(heads);
    expect([...decodeDeviceHeads(bytes)!.keys()]).toEqual(['aa'.repeat(32), 'bb'.repeat(32)]);
    const swapped = new Uint8Array([
      ...bytes.subarray(0, 3),
      ...bytes.subarray(71),
      ...bytes.subarray(3, 71),
    ]);
    expect(decodeDeviceHeads(swapped)).toBeNull(); // unsorted
    expect(decodeDeviceHeads(bytes.subarray(0, bytes.length - 1))).toBeNull();
    expect(decodeDeviceHeads(new Uint8Array([...bytes, 0]))).toBeNull();
    expect(decodeDeviceHeads(new Uint8Array([2, 0, 0]))).toBeNull(); // version
    expect(findDeviceHeads([])?.size).toBe(0);
  });
});

describe('own devices, whatever the role (§13.6)', () => {
  it('a plain member adds its linked device with its head pinned; the device joins on its Welcome and is read by all', async () => {
    const { carol, ann, dir, c, a, b } = await group();
    const ann2 = link(ann, dir);
    const kp = await kpOf(ann2.device);
    const out = await addMembers(a, [kp.keyPackage]);
    expect(
      findDeviceHeads(unwrapState(out.state).groupContext.extensions)?.get(hex(ann.identityKey)),
    ).toEqual(headOf(ann));
    const c2 = (await processMessage(c, out.commit)).state;
    const b2 = (await processMessage(b, out.commit)).state;
    // The Welcome is signed by a plain member: the joiner accepts it because that member is its own person.
    const n = await join(ann2, kp, out);
    const sent = await encrypt(n, text('hello from the second device'));
    for (const s of [c2, b2, out.state]) {
      const got = await processMessage(s, sent.message);
      expect(got.kind === 'application' && str(got.plaintext)).toBe('hello from the second device');
    }
    expect(carol.device.credential[0]).toBe(1);
  });

  it('rule: an own-device Add without the head pinned in the same commit is refused', async () => {
    const { ann, dir, c, a } = await group();
    const ann2 = link(ann, dir);
    const kp = await kpOf(ann2.device);
    const r = await refused(c, await forged(a, () => [add(kp.keyPackage)]));
    expect(r.reason).toBe('not-authorized');
  });

  it('rule: an Add of a device not active at the pinned head is refused (removed since)', async () => {
    const { ann, dir, c, a } = await group();
    const ann2 = link(ann, dir);
    ann.unlist(ann.devices[0]!, ann2);
    dir.learn(ann);
    const kp = await kpOf(ann2.device);
    const r = await refused(c, await forged(a, (s) => [add(kp.keyPackage), pin(s, ann, headOf(ann))]));
    expect(r.message).toMatch(/not active/);
  });

  it("rule: a plain member cannot add another person's device, even with that person's head pinned", async () => {
    const { bob, dir, c, a } = await group();
    const bob2 = link(bob, dir);
    const kp = await kpOf(bob2.device);
    const r = await refused(c, await forged(a, (s) => [add(kp.keyPackage), pin(s, bob, headOf(bob))]));
    expect(r.message).toMatch(/only an admin can add/);
  });

  it("rule: a plain member cannot move another person's pinned head", async () => {
    const { bob, dir, c, a } = await group();
    link(bob, dir);
    const r = await refused(c, await forged(a, (s) => [pin(s, bob, headOf(bob))]));
    expect(r.message).toMatch(/own device moves its device-list head/);
  });

  it('rule: the GroupContextExtensions of an own-device Add copies 0xFA01 unchanged (no rename by a member)', async () => {
    const { ann, dir, c, a } = await group();
    const ann2 = link(ann, dir);
    const kp = await kpOf(ann2.device);
    const renamed = await rename(c, 'x'); // a metadata the member may not set
    const meta = unwrapState(renamed.state).groupContext.extensions.find((e) => e.extensionType === 0xfa01)!;
    const r = await refused(
      c,
      await forged(a, (s) => {
        const p = pin(s, ann, headOf(ann));
        if (p.proposalType !== 'group_context_extensions') throw new Error('not a GCE');
        const extensions = p.groupContextExtensions.extensions.map((e) =>
          e.extensionType === 0xfa01 ? meta : e,
        );
        return [
          add(kp.keyPackage),
          { proposalType: 'group_context_extensions', groupContextExtensions: { extensions } },
        ];
      }),
    );
    expect(r.message).toMatch(/only an admin can rename/);
  });

  it('rule: a pinned head may only move forward, along the list the member holds (no fork)', async () => {
    const { ann, dir, c, a } = await group();
    const ann2 = link(ann, dir);
    const kp = await kpOf(ann2.device);
    const out = await addMembers(a, [kp.keyPackage]);
    const c2 = (await processMessage(c, out.commit)).state;
    const a2 = out.state;
    const back = await refused(c2, await forged(a2, (s) => [pin(s, ann, headOf(ann, 1))]));
    expect(back.message).toMatch(/only move forward/);
    // Another version of entry 2, validly signed by Ann's device 0, that the member never accepted.
    const other = ann.list.makeAdd(ann.devices[0]!.listed);
    const forkHead = { seq: other.seq, hash: entryHash(other.bytes) };
    ann.link();
    dir.learn(ann);
    const fork = await refused(c2, await forged(a2, (s) => [pin(s, ann, forkHead)]));
    expect(fork.message).toMatch(/fork/);
  });

  it('a plain member removes its own removed device (pinning the removal); without the removal pinned it is refused', async () => {
    const { ann, dir, c, a, b } = await group();
    const ann2 = link(ann, dir);
    const kp = await kpOf(ann2.device);
    const out = await addMembers(a, [kp.keyPackage]);
    const c2 = (await processMessage(c, out.commit)).state;
    const b2 = (await processMessage(b, out.commit)).state;
    // Still active in the pinned head: a member may not remove it.
    const early = await refused(
      c2,
      await forged(out.state, () => [
        { proposalType: 'remove', remove: { removed: leafOf(out.state, ann2) } },
      ]),
    );
    expect(early.message).toMatch(/still active|only an admin/);
    // Claiming in authenticated_data a head at which it is still active changes nothing.
    const stillActive = await refused(
      c2,
      await forged(
        out.state,
        () => [{ proposalType: 'remove', remove: { removed: leafOf(out.state, ann2) } }],
        encodeRemovalHeads(new Map([[hex(ann.identityKey), headOf(ann)]])),
      ),
    );
    expect(stillActive.message).toMatch(/still active/);
    ann.unlist(ann.devices[0]!, ann2);
    dir.learn(ann);
    const removed = await removeOwnDevices(out.state, [ann2.device.peerId]);
    const selfCheck = await processMessage(b2, removed.commit).catch((e: unknown) => e);
    console.log('bob', String(selfCheck instanceof Error ? selfCheck.message : 'ok'));
    const c3 = await processMessage(c2, removed.commit);
    expect(c3.kind === 'commit' && c3.changes.removed.map((m) => m.peerId)).toEqual([ann2.device.peerId]);
    expect((await processMessage(b2, removed.commit)).kind).toBe('commit');
  });

  it('rule: a commit that leaves a removed device in the tree is refused', async () => {
    const { ann, dir, c, a } = await group();
    const ann2 = link(ann, dir);
    const kp = await kpOf(ann2.device);
    const out = await addMembers(a, [kp.keyPackage]);
    const c2 = (await processMessage(c, out.commit)).state;
    ann.unlist(ann.devices[0]!, ann2);
    dir.learn(ann);
    // Pins the head that removes Ann's second device, but keeps its leaf.
    const r = await refused(c2, await forged(out.state, (s) => [pin(s, ann, headOf(ann))]));
    expect(r.message).toMatch(/not active/);
  });

  it("rule: a plain member cannot remove another person's device", async () => {
    const { c, a } = await group();
    const bobLeaf =
      unwrapState(c).ratchetTree.findIndex((n, i) => i > 0 && n?.nodeType === 'leaf' && i === 4) / 2;
    const r = await refused(
      c,
      await forged(a, () => [{ proposalType: 'remove', remove: { removed: bobLeaf } }]),
    );
    expect(r.message).toMatch(/only an admin can remove/);
  });
});

describe("another person's devices (§13.6)", () => {
  it("an admin adds another person's linked device and the commit pins that person's head", async () => {
    const { bob, dir, c, a } = await group();
    const bob2 = link(bob, dir);
    const kp = await kpOf(bob2.device);
    const out = await addMembers(c, [kp.keyPackage]);
    expect(
      findDeviceHeads(unwrapState(out.state).groupContext.extensions)?.get(hex(bob.identityKey)),
    ).toEqual(headOf(bob));
    expect((await processMessage(a, out.commit)).kind).toBe('commit');
  });

  it("rule: a linked device without its person's head pinned is refused, even from an admin", async () => {
    const { bob, dir, c, a } = await group();
    const bob2 = link(bob, dir);
    const kp = await kpOf(bob2.device);
    const r = await refused(a, await forged(c, () => [add(kp.keyPackage)]));
    expect(r.message).toMatch(/head pinned/);
  });

  it('a member lacking the entries of a pinned head holds the commit (missing-entries)', async () => {
    const { ann, dir, c, a } = await group();
    const ann2 = link(ann, dir);
    const kp = await kpOf(ann2.device);
    const out = await addMembers(a, [kp.keyPackage]);
    // Carol's own view stops at entry 0.
    const carolView = new TestDirectory().learn(ann, 1);
    offs.unshift(
      registerDeviceDirectory(
        unwrapState(c).ratchetTree[0]!.nodeType === 'leaf' ? selfKey(c) : new Uint8Array(),
        carolView,
      ),
    );
    const r = await refused(c, out.commit);
    expect(r.reason).toBe('missing-entries');
  });
});

function leafOf(state: MlsGroupState, d: ListedDevice): number {
  const m = state.members.find((x) => x.peerId === d.device.peerId);
  if (!m) throw new Error('not a member');
  return m.leafIndex;
}

function selfKey(state: MlsGroupState): Uint8Array {
  return state.self.signatureKey;
}
