import type { KeyPackageRepository } from '../store/repositories/keyPackageRepository';
import type { MlsDeviceRepository } from '../store/repositories/mlsDeviceRepository';
import { ParleyError } from '../errors';
import { decodeDeviceCredential } from '../identity/credential';
import { createDeviceIdentity, listedDeviceIdentity, type MlsDeviceIdentity } from './credentials';
import { welcomeKeyPackageRefs, type JoinKeyMaterial } from './join';
import { generateKeyPackage, type GeneratedKeyPackage } from './keyPackages';
import { MlsRejection } from './rejection';
import { DEFAULT_SUITE, suiteInfo, type MlsSuiteName } from './suites';

/**
 * This device's KeyPackages (RFC 9420 §10, §16.8) in `key_packages`:
 *
 *  - a pool of one-time packages: each is handed out at most once (the
 *    UPDATE that marks it is the same statement that picks it), and its
 *    private keys are deleted when a Welcome uses it;
 *  - one last-resort package (extensions.ts LAST_RESORT_EXTENSION), handed
 *    out only when the pool is empty and kept after use, so a device is
 *    never unreachable; it is rotated before it expires.
 *
 * This module offers the pool; the network layer (`keypackage` protocol)
 * serves takeForPeer() to peers and calls replenish() when it runs low.
 */

export const DEFAULT_POOL_SIZE = 20;
/** A package is not handed out when it would expire within this margin. */
const HAND_OUT_MARGIN_MS = 24 * 3600_000;
/** The last-resort package is replaced this long before it expires. */
const LAST_RESORT_ROTATE_MS = 14 * 24 * 3600_000;

export interface HandedOutKeyPackage {
  readonly ref: Uint8Array;
  /** MLSMessage(KeyPackage) bytes for the peer. */
  readonly keyPackage: Uint8Array;
  readonly lastResort: boolean;
}

export interface PoolCounts {
  /** One-time packages not handed out yet. */
  readonly available: number;
  /** Handed out, not used by a Welcome yet. */
  readonly handedOut: number;
  readonly consumed: number;
  /** Valid last-resort packages (normally 1). */
  readonly lastResort: number;
}

export class KeyPackagePool {
  constructor(
    private readonly packages: KeyPackageRepository,
    private readonly device: MlsDeviceIdentity,
    private readonly now: () => number = Date.now,
  ) {}

  private async insert(count: number, suite: MlsSuiteName, lastResort: boolean): Promise<void> {
    const generated: GeneratedKeyPackage[] = [];
    for (let i = 0; i < count; i++) {
      generated.push(await generateKeyPackage(this.device, { suite, lastResort, now: this.now() }));
    }
    this.packages.insert(generated, suiteInfo(suite).id, lastResort, this.now());
    for (const g of generated) g.privateKeys.fill(0);
  }

  /** Adds `count` one-time packages. */
  async generate(count: number, suite: MlsSuiteName = DEFAULT_SUITE): Promise<void> {
    await this.insert(count, suite, false);
  }

  /**
   * Keeps the pool usable: forgets expired packages (and their keys), makes
   * sure a last-resort package is valid for a while yet, and tops the
   * one-time packages not handed out up to `target`. Returns how many
   * packages were generated.
   */
  async replenish(target: number = DEFAULT_POOL_SIZE, suite: MlsSuiteName = DEFAULT_SUITE): Promise<number> {
    const id = suiteInfo(suite).id;
    const now = this.now();
    this.packages.deleteExpired(now);
    const lastResortOk = this.packages.hasLastResortAfter(id, now + LAST_RESORT_ROTATE_MS);
    let generated = 0;
    if (!lastResortOk) {
      await this.insert(1, suite, true);
      generated++;
    }
    const n = this.packages.countFresh(id, now + HAND_OUT_MARGIN_MS);
    if (n < target) {
      await this.insert(target - n, suite, false);
      generated += target - n;
    }
    return generated;
  }

  /**
   * A package for a peer who wants to add this device: a one-time package
   * never handed out before, or, when there is none, the last-resort one.
   * Null when the pool is empty and there is no last-resort package.
   */
  takeForPeer(suite: MlsSuiteName = DEFAULT_SUITE): HandedOutKeyPackage | null {
    const id = suiteInfo(suite).id;
    const now = this.now();
    const taken = this.packages.take(id, now, now + HAND_OUT_MARGIN_MS);
    return taken
      ? {
          ref: new Uint8Array(taken.ref),
          keyPackage: new Uint8Array(taken.keyPackage),
          lastResort: taken.lastResort,
        }
      : null;
  }

  /**
   * Which of our packages a Welcome is for, with its private keys. A
   * Welcome for a package already used (keys deleted) is a replay.
   */
  findForWelcome(welcome: Uint8Array): { ref: Uint8Array; material: JoinKeyMaterial; lastResort: boolean } {
    const refs = welcomeKeyPackageRefs(welcome);
    let used = false;
    for (const ref of refs) {
      const row = this.packages.byRef(ref);
      if (!row) continue;
      if (!row.privateKeys) {
        used = true;
        continue;
      }
      return {
        ref: new Uint8Array(row.ref),
        material: {
          keyPackage: new Uint8Array(row.keyPackage),
          privateKeys: new Uint8Array(row.privateKeys),
        },
        lastResort: row.lastResort,
      };
    }
    throw new MlsRejection(
      used ? 'replay' : 'unknown-key-package',
      used ? 'the Welcome is for a KeyPackage already used' : 'the Welcome is for none of our KeyPackages',
    );
  }

  /**
   * Marks a package used and deletes its private keys (the last-resort one
   * keeps them). Call inside the transaction that stores the joined group,
   * so a crash either keeps both the keys and no group, or neither.
   */
  consume(ref: Uint8Array): void {
    if (!this.packages.consume(ref, this.now()))
      throw new ParleyError('INVALID_STATE', 'No such KeyPackage.');
  }

  counts(suite: MlsSuiteName = DEFAULT_SUITE): PoolCounts {
    return this.packages.counts(suiteInfo(suite).id, this.now());
  }
}

/**
 * This device's MLS signing identity from `mls_device`, created (and
 * certified by the identity key) on first use, or again when the identity
 * key or PeerId changed.
 */
export function loadOrCreateDeviceIdentity(
  devices: MlsDeviceRepository,
  identity: { publicKey: Uint8Array; privateKey: Uint8Array },
  peerId: string,
  now: number = Date.now(),
): MlsDeviceIdentity {
  const row = devices.get();
  if (row && row.peerId === peerId) {
    const device: MlsDeviceIdentity = {
      identityKey: new Uint8Array(identity.publicKey),
      peerId,
      signaturePublicKey: new Uint8Array(row.signaturePublicKey),
      signaturePrivateKey: new Uint8Array(row.signaturePrivateKey),
      credential: new Uint8Array(row.credential),
    };
    // The credential names the identity key: if that changed, certify anew.
    const certified = decodeDeviceCredential(row.credential);
    if (certified && Buffer.from(certified.identityKey).equals(Buffer.from(identity.publicKey)))
      return device;
  }
  const device = createDeviceIdentity(identity.privateKey, identity.publicKey, peerId);
  devices.put({ ...device, now });
  return device;
}

/**
 * The MLS signing identity of a linked device (docs/protocol.md §13.2,
 * §13.6): it holds no identity private key, so its credential is version 2,
 * bound to the person's device list by the `add` entry at `addedSeq` (the
 * entry that lists this PeerId with this MLS signature key). The key pair
 * was made on this device at linking (linking/grantImport.ts stores it with
 * an empty credential); the credential is written on first start. Throws
 * INVALID_STATE when the stored key is not the one the list names.
 */
export function loadListedDeviceIdentity(
  devices: MlsDeviceRepository,
  identityKey: Uint8Array,
  peerId: string,
  listed: { addedSeq: number; mlsSignatureKey: Uint8Array },
  now: number = Date.now(),
): MlsDeviceIdentity {
  const row = devices.get();
  if (!row || row.peerId !== peerId || !row.signaturePublicKey.equals(Buffer.from(listed.mlsSignatureKey))) {
    throw new ParleyError(
      'INVALID_STATE',
      'This device’s keys do not match your device list. Link it again from your other device.',
    );
  }
  const device = listedDeviceIdentity({
    identityKey,
    peerId,
    signaturePublicKey: row.signaturePublicKey,
    signaturePrivateKey: row.signaturePrivateKey,
    addedSeq: listed.addedSeq,
  });
  if (!row.credential.equals(Buffer.from(device.credential))) devices.put({ ...device, now });
  return device;
}
