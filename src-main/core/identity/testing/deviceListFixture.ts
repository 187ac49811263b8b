import { generateKeyPairSync } from 'node:crypto';
import { privateKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { type Ed25519Sign, ed25519SignerFromPkcs8, ed25519SignerFromSeed } from '../../util/ed25519';
import { issueDeviceCertificate } from '../deviceCertificate';
import { buildAddEntry, buildFirstEntry, buildRemoveEntry, signPossession } from '../deviceListBuild';
import {
  type DeviceListEntry,
  type DeviceListHead,
  type DevicePlatform,
  deviceListHead,
  type RemoveReason,
} from '../deviceListEntry';
import { generateIdentityKey, type IdentityKeyPair } from '../identityKey';

/**
 * Test helper: real keys and validly signed device lists, so that tests of
 * every layer (verification, storage, the protocol, linking) can build a
 * chain, a fork (two entries at one seq) or a violation of exactly one rule.
 */

export interface TestDevice {
  peerId: string;
  /** libp2p's raw private key form (seed ‖ public key), as the node would hold it. */
  deviceKey: Uint8Array;
  sign: Ed25519Sign;
  mlsSignatureKey: Uint8Array;
  mlsSign: Ed25519Sign;
}

function rawEd25519(): { seed: Uint8Array; pub: Uint8Array } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    seed: new Uint8Array(pkcs8.subarray(pkcs8.length - 32)),
    pub: new Uint8Array(pub.subarray(pub.length - 32)),
  };
}

export function makeTestDevice(): TestDevice {
  const device = rawEd25519();
  const deviceKey = new Uint8Array([...device.seed, ...device.pub]);
  const mls = rawEd25519();
  return {
    peerId: peerIdFromPrivateKey(privateKeyFromRaw(deviceKey)).toString(),
    deviceKey,
    sign: ed25519SignerFromSeed(device.seed),
    mlsSignatureKey: mls.pub,
    mlsSign: ed25519SignerFromSeed(mls.seed),
  };
}

/** A person's list under construction; every method appends a valid entry unless told otherwise. */
export class TestDeviceList {
  readonly identity: IdentityKeyPair;
  readonly entries: DeviceListEntry[] = [];
  readonly first: TestDevice;
  at: number;

  constructor(
    options: { identity?: IdentityKeyPair; first?: TestDevice; at?: number; platform?: DevicePlatform } = {},
  ) {
    this.identity = options.identity ?? generateIdentityKey();
    this.first = options.first ?? makeTestDevice();
    this.at = options.at ?? 1_764_950_400_000;
    const ik = new Uint8Array(this.identity.publicKey);
    this.entries.push(
      buildFirstEntry({
        identityKey: ik,
        identitySign: ed25519SignerFromPkcs8(this.identity.privateKey),
        at: this.at,
        peerId: this.first.peerId,
        certificate: issueDeviceCertificate(this.identity.privateKey, ik, this.first.peerId, this.at - 1000),
        mlsSignatureKey: this.first.mlsSignatureKey,
        platform: options.platform ?? 'linux',
        possession: signPossession({
          identityKey: ik,
          seq: 0,
          prev: new Uint8Array(32),
          subjectPeerId: this.first.peerId,
          mlsSignatureKey: this.first.mlsSignatureKey,
          deviceSign: this.first.sign,
          mlsSign: this.first.mlsSign,
        }),
      }),
    );
  }

  get identityKey(): Uint8Array {
    return new Uint8Array(this.identity.publicKey);
  }

  get head(): DeviceListHead {
    return deviceListHead(this.entries);
  }

  bytes(): Uint8Array[] {
    return this.entries.map((e) => e.bytes);
  }

  /** Signs an add of `subject` (a new device unless given) by `by`, after `head` (the current one unless given). */
  makeAdd(
    by: TestDevice,
    subject: TestDevice = makeTestDevice(),
    options: { head?: DeviceListHead; at?: number; platform?: DevicePlatform } = {},
  ): DeviceListEntry {
    const head = options.head ?? this.head;
    const at = options.at ?? this.at + 60_000;
    return buildAddEntry({
      identityKey: this.identityKey,
      head,
      at,
      signerPeerId: by.peerId,
      signerSign: by.sign,
      subjectPeerId: subject.peerId,
      mlsSignatureKey: subject.mlsSignatureKey,
      platform: options.platform ?? 'macos',
      possession: signPossession({
        identityKey: this.identityKey,
        seq: head.seq + 1,
        prev: head.hash,
        subjectPeerId: subject.peerId,
        mlsSignatureKey: subject.mlsSignatureKey,
        deviceSign: subject.sign,
        mlsSign: subject.mlsSign,
      }),
    });
  }

  makeRemove(
    by: TestDevice,
    subject: TestDevice,
    options: { head?: DeviceListHead; at?: number; reason?: RemoveReason } = {},
  ): DeviceListEntry {
    return buildRemoveEntry({
      identityKey: this.identityKey,
      head: options.head ?? this.head,
      at: options.at ?? this.at + 60_000,
      signerPeerId: by.peerId,
      signerSign: by.sign,
      subjectPeerId: subject.peerId,
      reason: options.reason ?? 'removed',
    });
  }

  /** Appends an entry (made by makeAdd/makeRemove) and moves the clock on. */
  push(entry: DeviceListEntry): DeviceListEntry {
    this.entries.push(entry);
    this.at = entry.at;
    return entry;
  }

  add(by: TestDevice = this.first, subject: TestDevice = makeTestDevice()): TestDevice {
    this.push(this.makeAdd(by, subject));
    return subject;
  }

  remove(by: TestDevice, subject: TestDevice, reason: RemoveReason = 'removed'): void {
    this.push(this.makeRemove(by, subject, { reason }));
  }
}
