import { createCommit, defaultAuthenticationService, type Proposal } from 'ts-mls';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeListedDeviceCredential,
  encodeListedDeviceCredential,
  type ListedDeviceCredential,
} from '../identity/credential';
import { generateEd25519 } from './crypto/nodeCryptoProvider';
import { listedDeviceIdentity, type MlsDeviceIdentity } from './credentials';
import { registerDeviceDirectory } from './deviceDirectory';
import { addMembers, createGroup, encrypt } from './groupEngine';
import { unwrapState, type MlsGroupState } from './groupState';
import { processMessage } from './incoming';
import { generateKeyPackage } from './keyPackages';
import { isMlsRejection, type MlsRejection } from './rejection';
import { GroupSequencer } from './sequencer';
import { MISSING_ENTRIES_WAIT_MS } from './sequencerTypes';
import { suiteImpl } from './suites';
import { decodeKeyPackage, encodeMessage } from './wire';
import { ListedPerson, TestDirectory, type ListedDevice } from './testing/listedUsers';
import { hex, join, keyPackageFor, makeUser, str, text, type TestUser } from './testing/mlsFixtures';

/**
 * Credential version 2 and the authentication service (docs/protocol.md
 * §13.6, RFC 9420 §5.3.1): a device other than device 0 is certified by the
 * `add` entry of its person's device list that its credential names; a
 * verifier lacking that entry holds the message and fetches, and refuses it
 * as `uncertified` after 30 s.
 */

function decodedOf(d: ListedDevice): ListedDeviceCredential {
  const c = decodeListedDeviceCredential(d.device.credential);
  if (!c) throw new Error('not a version 2 credential');
  return c;
}
const decodedOrNull = (b: Uint8Array) => decodeListedDeviceCredential(b);

const offs: (() => void)[] = [];
afterEach(() => {
  for (const off of offs.splice(0)) off();
});

/** Gives `device` the verifier's view `dir` (what runtime/startMessaging registers). */
function verifierOf(device: MlsDeviceIdentity, dir: TestDirectory): TestDirectory {
  offs.push(registerDeviceDirectory(device.signaturePublicKey, dir));
  return dir;
}

async function rejectionOf(p: Promise<unknown>): Promise<MlsRejection> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isMlsRejection(err)) throw new Error(`expected a rejection, got ${String(err)}`);
  return err;
}

/** Ann (device 0, with a list) and Bob (no list: version 1 only) in one group. */
async function annAndBob(): Promise<{
  ann: ListedPerson;
  bob: TestUser;
  a: MlsGroupState;
  b: MlsGroupState;
}> {
  const ann = new ListedPerson('ann');
  const bob = makeUser('bob');
  const a0 = await createGroup(ann.devices[0]!.device, { suite: 'classic', name: 'Two devices' });
  const kb = await keyPackageFor(bob, 'classic');
  const added = await addMembers(a0, [kb.keyPackage]);
  return { ann, bob, a: added.state, b: await join(bob, kb, added) };
}

/** A commit adding `kp` made with ts-mls alone: what a modified client could send. */
async function forgedAdd(state: MlsGroupState, keyPackage: Uint8Array): Promise<Uint8Array> {
  const c = unwrapState(state);
  const proposal: Proposal = { proposalType: 'add', add: { keyPackage: decodeKeyPackage(keyPackage) } };
  const r = await createCommit(
    {
      state: { ...c, clientConfig: { ...c.clientConfig, authService: defaultAuthenticationService } },
      cipherSuite: await suiteImpl('classic'),
    },
    { extraProposals: [proposal] },
  );
  return encodeMessage(r.commit);
}

/** A device whose version 2 credential claims `claim` (identity, seq) over its own keys. */
function claimingDevice(claim: {
  identityKey: Uint8Array;
  addedSeq: number;
  peerId: string;
}): MlsDeviceIdentity {
  const { signKey, publicKey } = generateEd25519();
  return listedDeviceIdentity({ ...claim, signaturePublicKey: publicKey, signaturePrivateKey: signKey });
}

describe('credential version 2 (§13.6)', () => {
  it('encodes canonically and refuses malformed bytes', () => {
    const ann = new ListedPerson('ann');
    const d = ann.link();
    const bytes = d.device.credential;
    expect(bytes[0]).toBe(2);
    expect(() => encodeListedDeviceCredential({ ...decodedOf(d), addedSeq: -1 })).toThrow();
    for (let cut = 0; cut < bytes.length; cut++)
      expect(decodedOrNull(bytes.subarray(0, cut)), `cut at ${cut}`).toBeNull();
    expect(decodedOrNull(new Uint8Array([...bytes, 0]))).toBeNull();
  });

  it('a linked device is added, joins, and every member reads it (accept)', async () => {
    const { ann, bob, a, b } = await annAndBob();
    const ann2 = ann.link();
    const everyone = new TestDirectory().learn(ann);
    verifierOf(ann.devices[0]!.device, everyone);
    verifierOf(bob.device, everyone);
    verifierOf(ann2.device, everyone);
    const kp = await generateKeyPackage(ann2.device, {
      suite: 'classic',
      lastResort: false,
      now: Date.now(),
    });
    const added = await addMembers(a, [kp.keyPackage]);
    const b2 = (await processMessage(b, added.commit)).state;
    const n = await join(ann2, kp, added);
    const sent = await encrypt(n, text('from the laptop'));
    const atBob = await processMessage(b2, sent.message);
    expect(atBob.kind === 'application' && str(atBob.plaintext)).toBe('from the laptop');
    if (atBob.kind !== 'application') return;
    expect(hex(atBob.sender.identityKey)).toBe(hex(ann.identityKey));
    expect(atBob.sender.peerId).toBe(ann2.device.peerId);
    const atAnn = await processMessage(added.state, sent.message);
    expect(atAnn.kind).toBe('application');
  });

  it('refuses a credential naming the wrong seq (an entry that adds another device)', async () => {
    const { ann, bob, a, b } = await annAndBob();
    ann.link();
    const forged = claimingDevice({
      identityKey: ann.identityKey,
      addedSeq: 0,
      peerId: ann.devices[1]!.device.peerId,
    });
    const honest = new TestDirectory().learn(ann);
    verifierOf(bob.device, honest);
    verifierOf(ann.devices[0]!.device, honest);
    const kp = await generateKeyPackage(forged, { suite: 'classic', lastResort: false, now: Date.now() });
    // Ann's own client refuses to commit it…
    expect(await rejectionOf(addMembers(a, [kp.keyPackage]))).toMatchObject({ reason: 'uncertified' });
    // …and a modified client's commit is refused by every member, state unchanged.
    const before = hex(b.serialize());
    expect((await rejectionOf(processMessage(b, await forgedAdd(a, kp.keyPackage)))).reason).toBe(
      'uncertified',
    );
    expect(hex(b.serialize())).toBe(before);
  });

  it("refuses a credential whose MLS key is not the one the list's entry names (key mismatch)", async () => {
    const { ann, bob, a, b } = await annAndBob();
    const ann2 = ann.link();
    verifierOf(bob.device, new TestDirectory().learn(ann));
    // The right PeerId and seq, but a key the device never consented to in the list.
    const forged = claimingDevice({
      identityKey: ann.identityKey,
      addedSeq: ann2.addedSeq,
      peerId: ann2.device.peerId,
    });
    const kp = await generateKeyPackage(forged, { suite: 'classic', lastResort: false, now: Date.now() });
    expect((await rejectionOf(processMessage(b, await forgedAdd(a, kp.keyPackage)))).reason).toBe(
      'uncertified',
    );
  });

  it("refuses a device claimed through someone else's chain", async () => {
    const { ann, bob, a, b } = await annAndBob();
    ann.link();
    const mallory = new ListedPerson('mallory');
    const m2: ListedDevice = mallory.link();
    const dir = new TestDirectory().learn(ann).learn(mallory);
    verifierOf(bob.device, dir);
    // Mallory's device, listed at seq 1 of HER list, claims to be Ann's device at seq 1.
    const forged = listedDeviceIdentity({
      identityKey: ann.identityKey,
      peerId: m2.device.peerId,
      signaturePublicKey: m2.device.signaturePublicKey,
      signaturePrivateKey: m2.device.signaturePrivateKey,
      addedSeq: m2.addedSeq,
    });
    const kp = await generateKeyPackage(forged, { suite: 'classic', lastResort: false, now: Date.now() });
    expect((await rejectionOf(processMessage(b, await forgedAdd(a, kp.keyPackage)))).reason).toBe(
      'uncertified',
    );
  });

  it('a verifier lacking the entry holds the message, fetches, and takes it (missing then fetched)', async () => {
    const { ann, bob, a, b } = await annAndBob();
    const ann2 = ann.link();
    verifierOf(ann.devices[0]!.device, new TestDirectory().learn(ann));
    const bobsView = verifierOf(bob.device, new TestDirectory().learn(ann, 1)); // entry 0 only
    const kp = await generateKeyPackage(ann2.device, {
      suite: 'classic',
      lastResort: false,
      now: Date.now(),
    });
    const added = await addMembers(a, [kp.keyPackage]);

    const direct = await rejectionOf(processMessage(b, added.commit));
    expect(direct.reason).toBe('missing-entries');
    expect(direct.missing.map((m) => [hex(m.identityKey), m.seq])).toEqual([[hex(ann.identityKey), 1]]);

    const seq = new GroupSequencer(b);
    const t0 = 1_000_000;
    const held = await seq.receive(added.commit, t0);
    expect(held.rejected).toBeNull();
    expect(held.commits).toHaveLength(0);
    expect(held.missingEntries.map((m) => m.seq)).toEqual([1]);
    expect(seq.epoch).toBe(b.epoch);

    bobsView.learn(ann); // the fetch over /parley/devices/1.0.0 brought entry 1
    const retried = await seq.retryHeld(t0 + 2_000);
    expect(retried.rejected).toBeNull();
    expect(retried.commits).toHaveLength(1);
    expect(retried.commits[0]!.changes.added.map((m) => m.peerId)).toEqual([ann2.device.peerId]);
    expect(seq.epoch).toBe(b.epoch + 1);
  });

  it('a message whose entries never come is refused as uncertified after 30 s (missing then timeout)', async () => {
    const { ann, bob, a, b } = await annAndBob();
    const ann2 = ann.link();
    verifierOf(ann.devices[0]!.device, new TestDirectory().learn(ann));
    verifierOf(bob.device, new TestDirectory().learn(ann, 1));
    const kp = await generateKeyPackage(ann2.device, {
      suite: 'classic',
      lastResort: false,
      now: Date.now(),
    });
    const added = await addMembers(a, [kp.keyPackage]);
    const seq = new GroupSequencer(b);
    const t0 = 1_000_000;
    await seq.receive(added.commit, t0);
    const early = await seq.retryHeld(t0 + MISSING_ENTRIES_WAIT_MS - 1);
    expect(early.rejected).toBeNull();
    expect(seq.heldCount).toBe(1);
    const late = await seq.retryHeld(t0 + MISSING_ENTRIES_WAIT_MS);
    expect(late.rejected?.reason).toBe('uncertified');
    expect(late.commits).toHaveLength(0);
    expect(seq.heldCount).toBe(0);
    expect(seq.epoch).toBe(b.epoch);
  });

  it('a linked device whose own view lacks its entry cannot join yet (missing-entries, not a failure)', async () => {
    const { ann, a } = await annAndBob();
    const ann2 = ann.link();
    verifierOf(ann.devices[0]!.device, new TestDirectory().learn(ann));
    verifierOf(ann2.device, new TestDirectory().learn(ann, 1));
    const kp = await generateKeyPackage(ann2.device, {
      suite: 'classic',
      lastResort: false,
      now: Date.now(),
    });
    const added = await addMembers(a, [kp.keyPackage]);
    const err = await rejectionOf(join(ann2, kp, added));
    expect(err.reason).toBe('missing-entries');
  });

  it('version 1 stays valid for device 0 and people without a list, with no directory at all', async () => {
    const { a, b, bob } = await annAndBob();
    const sent = await encrypt(b, text('hi'));
    expect((await processMessage(a, sent.message)).kind).toBe('application');
    expect(bob.device.credential[0]).toBe(1);
  });
});
