import type { Extension, KeyPackage, ProposalWithSender } from 'ts-mls';
import { leafIdentity } from './credentials';
import type { DeviceDirectory, DirectoryDevice, MissingEntries } from './deviceDirectory';
import { DEVICE_HEADS_EXTENSION, findDeviceHeads, type PinnedHead, type PinnedHeads } from './extensions';

/**
 * The device-list rules of the role policy (docs/protocol.md §13.6, on top
 * of §6): the heads pinned in the GroupContext (0xFA03) decide which of a
 * person's devices may hold a leaf, and let a plain member add and remove
 * the devices of its own person. Every member judges with the pinned head,
 * not the head it happens to hold, so all decide alike; a verifier that lacks
 * the entries of a pinned head reports them as missing (the message is held
 * and retried, like a version 2 credential it cannot judge yet).
 */

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A leaf's device as the policy needs it. */
export interface LeafDevice {
  readonly user: string;
  readonly identityKey: Uint8Array;
  readonly peerId: string;
  readonly signatureKey: Uint8Array;
  /** Credential version 2: certified by its person's list, so it must be active at the pinned head. */
  readonly listed: boolean;
}

export function leafDevice(leaf: {
  credential: Parameters<typeof leafIdentity>[0];
  signaturePublicKey: Uint8Array;
}): LeafDevice | null {
  const id = leafIdentity(leaf.credential);
  if (!id) return null;
  const c = leaf.credential;
  const listed = c.credentialType === 'basic' && c.identity[0] === 2;
  return {
    user: id.user,
    identityKey: id.identityKey,
    peerId: id.peerId,
    signatureKey: leaf.signaturePublicKey,
    listed,
  };
}

export const keyPackageDevice = (kp: KeyPackage): LeafDevice | null => leafDevice(kp.leafNode);

/** What the device rules read of the group before the commit. */
export interface DeviceView {
  readonly heads: PinnedHeads;
  readonly devices: ReadonlyMap<number, LeafDevice>;
  readonly directory: DeviceDirectory | undefined;
  /** Filled with the entries this verifier lacked (the caller holds the message and fetches). */
  readonly missing: MissingEntries[];
}

type Active = 'active' | 'inactive' | 'missing' | 'other';

/** Whether `d` is active at `head` of its person's list, as this verifier can tell. */
function activeAt(view: DeviceView, d: LeafDevice, head: PinnedHead): Active {
  if (!view.directory) return 'missing';
  const active = view.directory.activeAt(d.identityKey, head);
  if (active === 'missing') {
    view.missing.push({ identityKey: d.identityKey, seq: head.seq });
    return 'missing';
  }
  if (active === 'other') return 'other';
  return active.some((a) => sameDevice(a, d)) ? 'active' : 'inactive';
}

const sameDevice = (a: DirectoryDevice, d: LeafDevice) =>
  a.peerId === d.peerId && Buffer.from(a.mlsSignatureKey).equals(Buffer.from(d.signatureKey));

const sameHead = (a: PinnedHead | undefined, b: PinnedHead | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.seq === b.seq && hex(a.hash) === hex(b.hash));

/** `next` extends `prev` in the list this verifier holds (or is the first head pinned for the person). */
function extendsHead(
  view: DeviceView,
  identityKey: Uint8Array,
  prev: PinnedHead | undefined,
  next: PinnedHead,
) {
  if (prev && next.seq < prev.seq) return 'a device-list head may only move forward';
  for (const h of prev ? [prev, next] : [next]) {
    const at = view.directory?.activeAt(identityKey, h) ?? 'missing';
    if (at === 'missing') {
      view.missing.push({ identityKey, seq: next.seq });
      return 'device list entries are missing';
    }
    if (at === 'other') return 'the pinned device-list head is not on the list this member holds (a fork)';
  }
  return null;
}

/** The heads after the commit: its GroupContextExtensions proposal's, or the ones pinned now. */
export function headsAfter(view: DeviceView, proposals: readonly ProposalWithSender[]): PinnedHeads | null {
  const gce = proposals.find((p) => p.proposal.proposalType === 'group_context_extensions');
  if (!gce || gce.proposal.proposalType !== 'group_context_extensions') return view.heads;
  return findDeviceHeads(gce.proposal.groupContextExtensions.extensions);
}

export function devicesView(
  extensions: readonly Extension[],
  devices: ReadonlyMap<number, LeafDevice>,
  directory: DeviceDirectory | undefined,
  missing: MissingEntries[],
): DeviceView {
  return { heads: findDeviceHeads(extensions) ?? new Map(), devices, directory, missing };
}

/** Is a head change by this committer allowed (§13.6 table)? Null when it is. */
export function checkHeadChanges(
  view: DeviceView,
  next: PinnedHeads,
  committerUser: string | undefined,
  committerIsAdmin: boolean,
  /** Users added or losing leaves in this commit: an admin sets their heads. */
  touched: ReadonlySet<string>,
  departing: ReadonlySet<string>,
): string | null {
  for (const user of new Set([...view.heads.keys(), ...next.keys()])) {
    const before = view.heads.get(user);
    const after = next.get(user);
    if (sameHead(before, after)) continue;
    if (after === undefined) {
      if (departing.has(user)) continue;
      return 'a pinned device-list head is only dropped with its person';
    }
    const own = user === committerUser;
    if (!own && !(committerIsAdmin && touched.has(user)))
      return "only a person's own device moves its device-list head";
    const why = extendsHead(view, Buffer.from(user, 'hex'), before, after);
    if (why) return why;
  }
  return null;
}

/**
 * After the commit, every listed (version 2) leaf of a person must be active
 * at that person's pinned head; checked for the people whose head or leaves
 * this commit changes (the others were checked when their leaves came in).
 */
export function checkLeavesActive(
  view: DeviceView,
  next: PinnedHeads,
  remaining: readonly LeafDevice[],
  added: readonly LeafDevice[],
): string | null {
  const changed = new Set([
    ...added.map((d) => d.user),
    ...[...new Set([...view.heads.keys(), ...next.keys()])].filter(
      (u) => !sameHead(view.heads.get(u), next.get(u)),
    ),
  ]);
  for (const d of [...remaining, ...added]) {
    if (!changed.has(d.user) || !d.listed) continue;
    const head = next.get(d.user);
    if (!head) return "a linked device needs its person's device-list head pinned in the group";
    const state = activeAt(view, d, head);
    if (state === 'missing') return 'device list entries are missing';
    if (state !== 'active') return 'a device not active in its device list cannot be in the group';
  }
  return null;
}

/** An Add of a device of the committer's own person by a member without a role (§13.6). */
export function ownDeviceAddAllowed(view: DeviceView, next: PinnedHeads, d: LeafDevice): string | null {
  const head = next.get(d.user);
  if (!head) return 'only an admin can add members';
  const state = activeAt(view, d, head);
  if (state === 'missing') return 'device list entries are missing';
  return state === 'active' ? null : 'the added device is not active at the pinned device-list head';
}

/**
 * A Remove of another device of the committer's own person by a member
 * without a role (§13.6): the device is removed at the head pinned after the
 * commit, or at the head the commit's authenticated_data names
 * (extensions.ts, `encodeRemovalHeads`), which must extend the pinned one.
 */
export function ownDeviceRemoveAllowed(
  view: DeviceView,
  next: PinnedHeads,
  claimed: PinnedHeads,
  d: LeafDevice,
): string | null {
  const pinned = next.get(d.user);
  const stated = claimed.get(d.user);
  const head = stated ?? pinned;
  if (!head) return 'only an admin can remove a member';
  if (stated) {
    const why = extendsHead(view, d.identityKey, pinned, stated);
    if (why) return why;
  }
  const state = activeAt(view, d, head);
  if (state === 'missing') return 'device list entries are missing';
  if (state === 'other') return 'the device-list head is not on the list this member holds (a fork)';
  return state === 'inactive' ? null : 'the removed device is still active in its device list';
}

/** Extensions other than these two may not change in a GroupContextExtensions proposal. */
export const PINNED_BY_PARLEY = new Set<unknown>([DEVICE_HEADS_EXTENSION]);
