import { certifiedDevice } from './credentials';
import { directoryFor, ownSignatureKey } from './deviceDirectory';
import { unwrapState } from './groupState';
import type { MlsGroupState } from './groupState';
import { isMlsRejection } from './rejection';
import type { CommitIntent } from './commitIntent';
import { decodeKeyPackage } from './wire';

/**
 * Whether a change of this member is still wanted in the group as it is now:
 * a commit that lost to another for its epoch (docs/protocol.md §10), or one
 * queued until the epoch was accepted, is made again only for what the
 * winner did not already do. Adding a device that is already in the group
 * would give it a second leaf; removing someone already gone would fail.
 */

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * The certified device a KeyPackage (MLSMessage bytes) is for, or null. A
 * version 2 credential is judged by the device lists of `verifier` (this
 * device's MLS signature key, deviceDirectory.ts); without one, only version 1.
 */
export function keyPackageDevice(
  keyPackage: Uint8Array,
  verifier?: Uint8Array,
): { identityKey: Uint8Array; peerId: string; signatureKey: Uint8Array } | null {
  try {
    const kp = decodeKeyPackage(keyPackage);
    const directory = verifier ? directoryFor(verifier) : undefined;
    const d = certifiedDevice(kp.leafNode.credential, kp.leafNode.signaturePublicKey, directory);
    return d
      ? { identityKey: d.identityKey, peerId: d.peerId, signatureKey: kp.leafNode.signaturePublicKey }
      : null;
  } catch (err) {
    if (isMlsRejection(err)) return null;
    throw err;
  }
}

/** The part of `intent` still to do in `state`, or null when nothing is left. */
export function stillWanted(state: MlsGroupState, intent: CommitIntent): CommitIntent | null {
  if (!state.active) return null;
  const members = state.members;
  const verifier = ownSignatureKey(unwrapState(state));
  switch (intent.type) {
    case 'add':
    case 'addOwnDevice': {
      const present = new Set(members.map((m) => m.peerId));
      const keyPackages = intent.keyPackages.filter((kp) => {
        const d = keyPackageDevice(kp, verifier);
        return d !== null && !present.has(d.peerId);
      });
      return keyPackages.length > 0 ? { type: intent.type, keyPackages } : null;
    }
    case 'removeOwnDevice': {
      const present = new Set(members.filter((m) => !m.isSelf).map((m) => m.peerId));
      const peerIds = intent.peerIds.filter((p) => present.has(p));
      return peerIds.length > 0 ? { type: 'removeOwnDevice', peerIds } : null;
    }
    case 'remove': {
      const present = new Set(members.filter((m) => !m.isSelf).map((m) => hex(m.identityKey)));
      const identityKeys = intent.identityKeys.filter((k) => present.has(hex(k)));
      return identityKeys.length > 0 ? { type: 'remove', identityKeys } : null;
    }
    case 'rename':
      return state.name === intent.name ? null : intent;
    case 'setRole': {
      const target = members.find((m) => hex(m.identityKey) === hex(intent.identityKey));
      return target && target.role !== intent.role ? intent : null;
    }
    case 'selfUpdate':
      return intent;
    case 'commitPending':
      return state.pendingProposals > 0 ? intent : null;
  }
}
