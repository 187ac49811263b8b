import { privateKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { certifyDevice, encodeDeviceCredential } from '../../identity/credential';
import { verifyDeviceList, type DeviceListState } from '../../identity/deviceListVerify';
import { TestDeviceList, type TestDevice } from '../../identity/testing/deviceListFixture';
import { ed25519SignerFromSeed } from '../../util/ed25519';
import { generateEd25519 } from '../crypto/nodeCryptoProvider';
import { listedDeviceIdentity, type MlsDeviceIdentity } from '../credentials';
import { entryHash } from '../../identity/deviceListEntry';
import type { DeviceDirectory, DirectoryDevice, DirectoryHead } from '../deviceDirectory';
import type { TestUser } from './mlsFixtures';

/**
 * Test helper for several devices per person (docs/protocol.md §13.6): a
 * person with a real, validly signed device list whose device 0 holds a
 * version 1 credential (the identity key) and whose later devices hold
 * version 2 credentials naming their `add` entry; and a directory that holds
 * only what a test gives it, as a verifier's stored lists would.
 */

export interface ListedDevice extends TestUser {
  readonly listed: TestDevice;
  readonly addedSeq: number;
}

/** A device's keys with the MLS seed kept (the list fixture keeps only signers). */
function testDeviceWithSeed(): { test: TestDevice; mlsSeed: Uint8Array } {
  const d = generateEd25519();
  const m = generateEd25519();
  const deviceKey = new Uint8Array([...d.signKey, ...d.publicKey]);
  return {
    test: {
      peerId: peerIdFromPrivateKey(privateKeyFromRaw(deviceKey)).toString(),
      deviceKey,
      sign: ed25519SignerFromSeed(d.signKey),
      mlsSignatureKey: m.publicKey,
      mlsSign: ed25519SignerFromSeed(m.signKey),
    },
    mlsSeed: m.signKey,
  };
}

export class ListedPerson {
  readonly list: TestDeviceList;
  readonly devices: ListedDevice[] = [];

  constructor(readonly name: string) {
    const first = testDeviceWithSeed();
    this.list = new TestDeviceList({ first: first.test });
    // Device 0's leaves use the MLS key entry 0 lists, certified by the identity key (version 1).
    const ik = this.list.identityKey;
    const device: MlsDeviceIdentity = {
      identityKey: ik,
      peerId: first.test.peerId,
      signaturePublicKey: first.test.mlsSignatureKey,
      signaturePrivateKey: first.mlsSeed,
      credential: encodeDeviceCredential(
        certifyDevice(this.list.identity.privateKey, ik, first.test.peerId, first.test.mlsSignatureKey),
      ),
    };
    this.devices.push({ name, identity: this.list.identity, device, listed: first.test, addedSeq: 0 });
  }

  get identityKey(): Uint8Array {
    return this.list.identityKey;
  }

  /** Links a new device: an `add` entry signed by `by` (device 0 unless given), version 2 credential. */
  link(by: ListedDevice = this.devices[0]!): ListedDevice {
    const made = testDeviceWithSeed();
    this.list.add(by.listed, made.test);
    const addedSeq = this.list.head.seq;
    const device = listedDeviceIdentity({
      identityKey: this.identityKey,
      peerId: made.test.peerId,
      signaturePublicKey: made.test.mlsSignatureKey,
      signaturePrivateKey: made.mlsSeed,
      addedSeq,
    });
    const d: ListedDevice = {
      name: `${this.name}-${this.devices.length + 1}`,
      identity: this.list.identity,
      device,
      listed: made.test,
      addedSeq,
    };
    this.devices.push(d);
    return d;
  }

  /** Removes a device from the list, signed by `by`. */
  unlist(by: ListedDevice, subject: ListedDevice): void {
    this.list.remove(by.listed, subject.listed);
  }
}

/** A verifier's stored lists: only the entries a test handed to it (`learn`). */
export class TestDirectory implements DeviceDirectory {
  private readonly states = new Map<string, DeviceListState>();
  private readonly entries = new Map<string, Uint8Array[]>();

  /** Takes the first `count` entries of a person's list (all when omitted), as a fetch would. */
  learn(person: ListedPerson, count = person.list.entries.length): this {
    const verdict = verifyDeviceList(person.list.bytes().slice(0, count));
    if (!verdict.ok) throw new Error(`test list does not verify: ${verdict.reason}`);
    const key = Buffer.from(person.identityKey).toString('hex');
    this.states.set(key, verdict.state);
    this.entries.set(key, person.list.bytes().slice(0, count));
    return this;
  }

  activeAt(identityKey: Uint8Array, head: DirectoryHead): DirectoryDevice[] | 'missing' | 'other' {
    const key = Buffer.from(identityKey).toString('hex');
    const s = this.states.get(key);
    if (!s || head.seq > s.head.seq) return 'missing';
    const entry = this.entries.get(key)?.[head.seq];
    if (!entry || !Buffer.from(entryHash(entry)).equals(Buffer.from(head.hash))) return 'other';
    return s.devices
      .filter((d) => d.addedSeq <= head.seq && (d.removedSeq === undefined || d.removedSeq > head.seq))
      .map((d) => ({ peerId: d.peerId, mlsSignatureKey: d.mlsSignatureKey }));
  }

  headOf(identityKey: Uint8Array): DirectoryHead | null {
    return this.states.get(Buffer.from(identityKey).toString('hex'))?.head ?? null;
  }

  addedAt(identityKey: Uint8Array, seq: number): DirectoryDevice | 'missing' | null {
    const s = this.states.get(Buffer.from(identityKey).toString('hex'));
    if (!s || seq > s.head.seq) return 'missing';
    const d = s.devices.find((x) => x.addedSeq === seq);
    return d ? { peerId: d.peerId, mlsSignatureKey: d.mlsSignatureKey } : null;
  }
}
