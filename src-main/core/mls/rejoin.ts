import {
  createGroupInfoWithExternalPubAndRatchetTree,
  decodeMlsMessage,
  encodeMlsMessage,
  joinGroupExternal,
  type ClientState,
  type GroupInfo,
} from 'ts-mls';
import { leafIdentity, type MlsDeviceIdentity } from './credentials';
import { findGroupMetadata } from './extensions';
import { configFor } from './deviceDirectory';
import { parleyClientConfig, suiteNameOf, unwrapState, wrapState, type MlsGroupState } from './groupState';
import { rejection } from './incoming';
import { deviceKeyPackage } from './keyPackages';
import { MlsRejection } from './rejection';
import { suiteFromMlsName, suiteImpl } from './suites';
import { MAX_MLS_MESSAGE_BYTES } from './wire';

/**
 * Re-joining a group by external commit (RFC 9420 §12.4.3.2) when this
 * device's state is lost or too far behind for the commit log to bring it
 * up to date (docs/protocol.md §10). Any current member hands out a GroupInfo
 * carrying the external_pub and ratchet_tree extensions; the device commits
 * itself back in with `resync`, which removes its old leaf (same signature
 * key) in the same commit, as rolePolicy requires of an external commit.
 */

/** MLSMessage(GroupInfo) with external_pub and the ratchet tree, signed by this member. */
export async function exportGroupInfo(state: MlsGroupState): Promise<Uint8Array> {
  const impl = await suiteImpl(suiteNameOf(state));
  const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(unwrapState(state), [], impl);
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo });
}

function decodeGroupInfo(bytes: Uint8Array): GroupInfo {
  if (bytes.length === 0 || bytes.length > MAX_MLS_MESSAGE_BYTES)
    throw new MlsRejection('malformed', 'GroupInfo size');
  let decoded: ReturnType<typeof decodeMlsMessage>;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (err) {
    throw new MlsRejection('malformed', 'not an MLS message', { cause: err });
  }
  if (!decoded || decoded[1] !== bytes.length || decoded[0].wireformat !== 'mls_group_info') {
    throw new MlsRejection('malformed', 'not a GroupInfo');
  }
  return decoded[0].groupInfo;
}

export interface RejoinOutcome {
  readonly state: MlsGroupState;
  /** MLSMessage (PublicMessage, external commit) for every member. */
  readonly commit: Uint8Array;
}

/**
 * Commits this device back into the group described by `groupInfo`,
 * replacing its old leaf. The commit competes with other commits of the
 * same epoch like any other (GroupSequencer): an external commit ranks
 * lowest, so if it loses the device fetches a fresh GroupInfo and retries.
 */
export async function rejoinByExternalCommit(
  device: MlsDeviceIdentity,
  groupInfo: Uint8Array,
  now: number = Date.now(),
  /**
   * The PeerId of the leaf this device replaces when it is not its own
   * signature key: a profile restored from a backup is a new device (new
   * PeerId and signature key) taking over the leaf of the device it was
   * backed up from (groups/resync.ts). Only a leaf of the same user matches.
   */
  replacing?: string,
): Promise<RejoinOutcome> {
  const gi = decodeGroupInfo(groupInfo);
  const suite = suiteFromMlsName(gi.groupContext.cipherSuite);
  if (!suite) throw new MlsRejection('unsupported', `ciphersuite ${gi.groupContext.cipherSuite}`);
  if (!findGroupMetadata(gi.groupContext.extensions)) {
    throw new MlsRejection('invalid', 'not a Parley group (no group metadata)');
  }
  const impl = await suiteImpl(suite.name);
  const { publicPackage, privatePackage } = await deviceKeyPackage(device, impl, [], now);
  let client: ClientState;
  let commit: Uint8Array;
  try {
    const user = Buffer.from(device.identityKey).toString('hex');
    const config: typeof parleyClientConfig =
      replacing === undefined
        ? parleyClientConfig
        : {
            ...parleyClientConfig,
            keyPackageEqualityConfig: {
              ...parleyClientConfig.keyPackageEqualityConfig,
              // ts-mls removes the leaf this says equals the joiner's KeyPackage (resync).
              compareKeyPackageToLeafNode: (_kp, leaf) => {
                const id = leafIdentity(leaf.credential);
                return id !== null && id.peerId === replacing && id.user === user;
              },
            },
          };
    const joined = await joinGroupExternal(
      gi,
      publicPackage,
      privatePackage,
      true,
      impl,
      undefined,
      configFor(config, device.signaturePublicKey, []),
    );
    // The special equality was for finding the replaced leaf only; the state keeps the normal config.
    client = { ...joined.newState, clientConfig: parleyClientConfig };
    commit = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_public_message',
      publicMessage: joined.publicMessage,
    });
  } catch (err) {
    throw rejection(err);
  } finally {
    privatePackage.initPrivateKey.fill(0);
  }
  return { state: wrapState(client, null), commit };
}
