import { emptyPskIndex, joinGroup as mlsJoinGroup, type ClientState } from 'ts-mls';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { decryptGroupInfo, decryptGroupSecrets } from 'ts-mls/welcome.js';
import { leafIdentity, type MlsDeviceIdentity } from './credentials';
import { findGroupMetadata, roleOf } from './extensions';
import { wiper, type Consumed } from './groupEngine';
import { configFor, type MissingEntries } from './deviceDirectory';
import { parleyClientConfig, wrapState, type MlsGroupState } from './groupState';
import { missingOr } from './incoming';
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
  /** The identity key of the member whose commit added this device (it signed the Welcome's GroupInfo). */
  readonly addedBy: Uint8Array;
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
  let signer: number;
  const missing: MissingEntries[] = [];
  try {
    signer = await welcomeSigner(w, kp, keys.init, impl);
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
      configFor(parleyClientConfig, device.signaturePublicKey, missing),
    );
    client = { ...client, clientConfig: parleyClientConfig };
  } catch (err) {
    throw missingOr(missing, err);
  }
  const meta = findGroupMetadata(client.groupContext.extensions);
  if (!meta) {
    throw new MlsRejection('invalid', 'not a Parley group (no group metadata)');
  }
  // Only owners and admins commit Adds (rolePolicy.ts). The members already in
  // the group refuse a plain member's Add commit, but the joiner has no
  // earlier epoch to check it against: it checks that the GroupInfo's signer
  // (RFC 9420 §12.4.3: the committer signs the GroupInfo it sends with the
  // Welcome, and ts-mls verified that signature above) holds an admin role.
  const signerNode = client.ratchetTree[signer * 2];
  const signerId = signerNode?.nodeType === 'leaf' ? leafIdentity(signerNode.leaf.credential) : null;
  if (!signerId) throw new MlsRejection('invalid', 'the Welcome was signed by an unknown member');
  const signerRole = roleOf(meta.roles, signerId.identityKey);
  // §13.6: a device of the joiner's own person may add it whatever its role
  // (the members checked that the commit pins a head listing this device).
  const ownPerson = Buffer.from(signerId.identityKey).equals(Buffer.from(device.identityKey));
  if (signerRole !== 'owner' && signerRole !== 'admin' && !ownPerson) {
    throw new MlsRejection(
      'not-authorized',
      'the Welcome was sent by a member who is not an owner or admin of the group',
    );
  }
  if (client.groupContext.epoch > BigInt(Number.MAX_SAFE_INTEGER))
    throw new MlsRejection('invalid', 'epoch out of range');
  return {
    state: wrapState(client, null),
    addedBy: new Uint8Array(signerId.identityKey),
    wipeConsumed: wiper([keys.init]),
  };
}

/**
 * The leaf index of the member that signed the Welcome's GroupInfo (its
 * committer). ts-mls's join keeps the GroupInfo to itself, so it is decrypted
 * once more here (RFC 9420 §12.4.3.1 steps 1–3). Parley uses no PSKs, so the
 * PSK secret is all zeroes (§8.4). It runs before the join, so a Welcome not
 * for us or not decryptable is refused here with the same reasons.
 */
async function welcomeSigner(
  w: ReturnType<typeof decodeWelcome>,
  kp: ReturnType<typeof decodeKeyPackage>,
  initPrivateKey: Uint8Array,
  impl: Awaited<ReturnType<typeof suiteImpl>>,
): Promise<number> {
  const ref = await makeKeyPackageRef(kp, impl.hash);
  const key = await impl.hpke.importPrivateKey(initPrivateKey);
  const secrets = await decryptGroupSecrets(key, ref, w, impl.hpke);
  if (!secrets) throw new MlsRejection('unknown-key-package', 'the Welcome is not for this KeyPackage');
  if (secrets.psks.length > 0) throw new MlsRejection('unsupported', 'Parley groups use no pre-shared keys');
  const gi = await decryptGroupInfo(w, secrets.joinerSecret, new Uint8Array(impl.kdf.size), impl);
  if (!gi) throw new MlsRejection('invalid', "the Welcome's GroupInfo cannot be decrypted");
  return gi.signer;
}
