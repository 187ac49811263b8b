import { emptyPskIndex, joinGroup as mlsJoinGroup, type ClientState } from 'ts-mls';
import type { MlsDeviceIdentity } from './credentials';
import { findGroupMetadata } from './extensions';
import { wiper, type Consumed } from './groupEngine';
import { parleyClientConfig, wrapState, type MlsGroupState } from './groupState';
import { rejection } from './incoming';
import { decodePrivateKeys } from './keyPackages';
import { MlsRejection } from './rejection';
import { suiteFromMlsName, suiteImpl } from './suites';
import { decodeKeyPackage, decodeTree, decodeWelcome } from './wire';

/**
 * Joining by Welcome (RFC 9420 §12.4.3.1). ts-mls checks the GroupInfo
 * signature, the confirmation tag, the tree hash and every leaf of the
 * ratchet tree, calling Parley's authentication service for each, so a
 * group with an uncertified member cannot be joined.
 */

/** The KeyPackageRefs a Welcome is addressed to (RFC 9420 §12.4.3.1), to find ours. */
export function welcomeKeyPackageRefs(welcome: Uint8Array): Uint8Array[] {
  return decodeWelcome(welcome).secrets.map((s) => new Uint8Array(s.newMember));
}

export interface JoinKeyMaterial {
  /** MLSMessage(KeyPackage) bytes, as handed out. */
  readonly keyPackage: Uint8Array;
  /** Its private keys (keyPackages.ts encodePrivateKeys). */
  readonly privateKeys: Uint8Array;
}

export interface JoinOutcome extends Consumed {
  readonly state: MlsGroupState;
}

export async function joinGroup(
  device: MlsDeviceIdentity,
  welcome: Uint8Array,
  material: JoinKeyMaterial,
  ratchetTree: Uint8Array | null = null,
): Promise<JoinOutcome> {
  const w = decodeWelcome(welcome);
  const suite = suiteFromMlsName(w.cipherSuite);
  if (!suite) throw new MlsRejection('unsupported', `ciphersuite ${w.cipherSuite} is not used by Parley`);
  const kp = decodeKeyPackage(material.keyPackage);
  const keys = decodePrivateKeys(material.privateKeys);
  if (!keys) throw new MlsRejection('unknown-key-package', 'the stored private keys are damaged');
  if (!Buffer.from(kp.leafNode.signaturePublicKey).equals(Buffer.from(device.signaturePublicKey))) {
    throw new MlsRejection('unknown-key-package', 'the KeyPackage belongs to another device key');
  }
  const tree = ratchetTree ? decodeTree(ratchetTree) : undefined;
  const impl = await suiteImpl(suite.name);
  let client: ClientState;
  try {
    client = await mlsJoinGroup(
      w,
      kp,
      {
        initPrivateKey: keys.init,
        hpkePrivateKey: keys.hpke,
        signaturePrivateKey: device.signaturePrivateKey.slice(),
      },
      emptyPskIndex,
      impl,
      tree,
      undefined,
      parleyClientConfig,
    );
  } catch (err) {
    throw rejection(err);
  }
  if (!findGroupMetadata(client.groupContext.extensions)) {
    throw new MlsRejection('invalid', 'not a Parley group (no group metadata)');
  }
  if (client.groupContext.epoch > BigInt(Number.MAX_SAFE_INTEGER))
    throw new MlsRejection('invalid', 'epoch out of range');
  return { state: wrapState(client, null), wipeConsumed: wiper([keys.init]) };
}
