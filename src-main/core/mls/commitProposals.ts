import type { ClientState, Extension, Proposal } from 'ts-mls';
import { ParleyError } from '../errors';
import { certifiedFor } from './credentials';
import { directoryFor, ownSignatureKey } from './deviceDirectory';
import { keyPackageDevice, leafDevice, type LeafDevice } from './devicePolicy';
import {
  DEVICE_HEADS_EXTENSION,
  deviceHeadsExtension,
  findDeviceHeads,
  findGroupMetadata,
  GROUP_METADATA_EXTENSION,
  metadataExtension,
  type GroupMetadata,
  type PinnedHead,
} from './extensions';
import { MlsRejection } from './rejection';
import { decodeKeyPackage } from './wire';

/**
 * The proposals this device's commits are made of (groupEngine.ts): Adds of
 * certified KeyPackages, and the one GroupContextExtensions proposal a
 * commit may carry (RFC 9420 §12.1.7: it replaces all extensions, so every
 * other extension is copied unchanged), with the group metadata (0xFA01)
 * and the pinned device-list heads (0xFA03, docs/protocol.md §13.6).
 */

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function currentMetadata(c: ClientState): GroupMetadata {
  const meta = findGroupMetadata(c.groupContext.extensions);
  if (!meta) throw new ParleyError('INVALID_STATE', 'The group has no Parley metadata.');
  return meta;
}

/** One GroupContextExtensions proposal setting the metadata and/or some users' pinned heads. */
export function contextProposal(
  c: ClientState,
  change: { meta?: GroupMetadata; heads?: ReadonlyMap<string, PinnedHead> },
): Proposal {
  let extensions: Extension[] = c.groupContext.extensions.map((e) =>
    e.extensionType === GROUP_METADATA_EXTENSION && change.meta ? metadataExtension(change.meta) : e,
  );
  if (change.heads && change.heads.size > 0) {
    const heads = new Map(findDeviceHeads(c.groupContext.extensions) ?? []);
    for (const [user, head] of change.heads) heads.set(user, head);
    extensions = [
      ...extensions.filter((e) => e.extensionType !== DEVICE_HEADS_EXTENSION),
      deviceHeadsExtension(heads),
    ];
  }
  return { proposalType: 'group_context_extensions', groupContextExtensions: { extensions } };
}

export function metadataProposal(c: ClientState, meta: GroupMetadata): Proposal {
  return contextProposal(c, { meta });
}

/** Add proposals for certified KeyPackages of this group's suite, with the devices they add. */
export function addProposals(
  c: ClientState,
  keyPackages: readonly Uint8Array[],
): { proposals: Proposal[]; users: string[]; devices: LeafDevice[] } {
  const proposals: Proposal[] = [];
  const users: string[] = [];
  const devices: LeafDevice[] = [];
  for (const bytes of keyPackages) {
    const kp = decodeKeyPackage(bytes);
    if (kp.cipherSuite !== c.groupContext.cipherSuite) {
      throw new MlsRejection(
        'unsupported',
        `the KeyPackage is for ${kp.cipherSuite}, the group uses ${c.groupContext.cipherSuite}`,
      );
    }
    const device = certifiedFor(ownSignatureKey(c), kp.leafNode.credential, kp.leafNode.signaturePublicKey);
    if (!device) throw new MlsRejection('uncertified', 'the KeyPackage is not certified by its identity key');
    if (removedHere(c, device.peerId))
      throw new MlsRejection('uncertified', 'the KeyPackage is of a device removed from its device list');
    proposals.push({ proposalType: 'add', add: { keyPackage: kp } });
    users.push(hex(device.identityKey));
    const d = keyPackageDevice(kp);
    if (d) devices.push(d);
  }
  return { proposals, users, devices };
}

/** A device some list held by this state's device removed (§13.8: it is never added again). */
export function removedHere(c: ClientState, peerId: string): boolean {
  return directoryFor(ownSignatureKey(c))?.isRemovedDevice?.(peerId) ?? false;
}

/** An Add proposal (someone else's, pending) of a device removed from its list as held here. */
export function addsRemovedDevice(c: ClientState, p: Proposal): boolean {
  if (p.proposalType !== 'add') return false;
  const d = keyPackageDevice(p.add.keyPackage);
  return d !== null && removedHere(c, d.peerId);
}

/**
 * The heads to pin for these added devices (§13.6): a linked device (version
 * 2) is judged against its person's pinned head, and a device of this
 * device's own person may be added by a plain member only with it. The head
 * pinned is the one this device holds; none when it is already pinned.
 */
export function headsToPin(c: ClientState, devices: readonly LeafDevice[]): Map<string, PinnedHead> {
  const directory = directoryFor(ownSignatureKey(c));
  const pinned = findDeviceHeads(c.groupContext.extensions) ?? new Map<string, PinnedHead>();
  const own = ownUser(c);
  const out = new Map<string, PinnedHead>();
  for (const d of devices) {
    if (!d.listed && d.user !== own) continue;
    const held = directory?.headOf(d.identityKey);
    if (!held) continue;
    const now = pinned.get(d.user);
    if (now && now.seq === held.seq && hex(now.hash) === hex(held.hash)) continue;
    out.set(d.user, { seq: held.seq, hash: new Uint8Array(held.hash) });
  }
  return out;
}

/** The hex identity key of this device's own leaf. */
export function ownUser(c: ClientState): string | undefined {
  const n = c.ratchetTree[c.privatePath.leafIndex * 2];
  if (n?.nodeType !== 'leaf') return undefined;
  return leafDevice(n.leaf)?.user;
}
