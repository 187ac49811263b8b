import type { ClientState, Extension, Proposal, ProposalWithSender } from 'ts-mls';
import { directoryFor, ownSignatureKey, type MissingEntries } from './deviceDirectory';
import {
  checkHeadChanges,
  checkLeavesActive,
  devicesView,
  headsAfter,
  keyPackageDevice,
  leafDevice,
  ownDeviceAddAllowed,
  ownDeviceRemoveAllowed,
  PINNED_BY_PARLEY,
  type DeviceView,
  type LeafDevice,
} from './devicePolicy';
import {
  findDeviceHeads,
  findGroupMetadata,
  GROUP_METADATA_EXTENSION,
  type GroupMetadata,
  type PinnedHeads,
  type Role,
} from './extensions';

/**
 * Who may do what in a Parley group. MLS itself lets any member commit any
 * valid proposal (RFC 9420 §12.2); Parley narrows that with roles kept in the
 * GroupContext (extensions.ts), and every member checks every proposal and
 * commit against the roles *before* the commit (RFC 9420 §12.1: the
 * application may reject proposals; §12.4.2 step "validate"). A commit that
 * breaks a rule is rejected by all honest members alike, so a forged commit
 * from a member forks off only its author.
 *
 *  - Add, Remove of others, and GroupContextExtensions (name, roles) are
 *    committed only by an owner or admin; members propose them.
 *  - Anyone may commit a member's own removal (leaving, proposed by that
 *    member), Updates, and an empty commit (self-update, RFC 9420 §12.4).
 *  - The owner can only leave; an admin is removed, and roles are changed,
 *    only by the owner, or by any admin when the owner is no longer in the
 *    group.
 *  - At most one owner; a DM never has more than two users (devices of the
 *    same user are fine); a self group only devices of its owner (§13.6).
 *  - PSK, ReInit and custom proposals are not used by Parley and refused;
 *    an external commit is accepted only as a resync of a user already in
 *    the group (checked on the result, groupEngine.ts).
 */

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Leaves of a DM at most: two people × 5 devices (docs/protocol.md §13.3 rule 3, §13.6). */
export const MAX_DM_LEAVES = 10;

/** The pre-commit facts a decision depends on. */
export interface PolicyView {
  readonly meta: GroupMetadata;
  /** Hex identity key of each occupied leaf. */
  readonly leaves: ReadonlyMap<number, string>;
  readonly extensions: readonly Extension[];
  /** Device lists: the pinned heads (0xFA03) and each leaf's device (devicePolicy.ts, §13.6). */
  readonly devices: DeviceView;
}

/**
 * The facts before a commit, as this device judges them; `missing` collects
 * the device-list entries it lacked (the message is then held, §13.6).
 */
export function policyView(state: ClientState, missing: MissingEntries[] = []): PolicyView | null {
  const meta = findGroupMetadata(state.groupContext.extensions);
  if (!meta) return null;
  const leaves = new Map<number, string>();
  const devices = new Map<number, LeafDevice>();
  const tree = state.ratchetTree;
  for (let node = 0; node < tree.length; node += 2) {
    const n = tree[node];
    if (n?.nodeType !== 'leaf') continue;
    const d = leafDevice(n.leaf);
    if (!d) continue;
    leaves.set(node / 2, d.user);
    devices.set(node / 2, d);
  }
  const directory = directoryFor(ownSignatureKey(state));
  return {
    meta,
    leaves,
    extensions: state.groupContext.extensions,
    devices: devicesView(state.groupContext.extensions, devices, directory, missing),
  };
}

function roleOfIdentity(view: PolicyView, identity: string | undefined): Role {
  return identity === undefined ? 'member' : (view.meta.roles.get(identity) ?? 'member');
}

function roleOfLeaf(view: PolicyView, leaf: number | undefined): Role {
  return leaf === undefined ? 'member' : roleOfIdentity(view, view.leaves.get(leaf));
}

const isAdmin = (r: Role) => r === 'owner' || r === 'admin';

/** Who may change roles: the owner while present, otherwise every admin. */
function holdsAuthority(view: PolicyView, leaf: number | undefined): boolean {
  const ownerPresent = [...view.leaves.values()].some((id) => view.meta.roles.get(id) === 'owner');
  const role = roleOfLeaf(view, leaf);
  return ownerPresent ? role === 'owner' : isAdmin(role);
}

function canRemove(view: PolicyView, actor: number | undefined, target: number): string | null {
  const targetId = view.leaves.get(target);
  if (targetId === undefined) return 'the removed leaf is empty';
  if (!isAdmin(roleOfLeaf(view, actor))) return 'only an admin can remove a member';
  if (actor !== undefined && view.leaves.get(actor) === targetId) return null; // another device of the same user
  const targetRole = roleOfIdentity(view, targetId);
  if (targetRole === 'owner') return 'the owner can only leave, not be removed';
  if (targetRole === 'admin' && !holdsAuthority(view, actor)) return 'only the owner can remove an admin';
  return null;
}

function extensionKey(e: Extension): string {
  return `${String(e.extensionType)}:${hex(e.extensionData)}`;
}

function canChangeMetadata(
  view: PolicyView,
  actor: number | undefined,
  extensions: readonly Extension[],
  departing: ReadonlySet<string>,
): string | null {
  // 0xFA01 is judged below, 0xFA03 by devicePolicy.ts; nothing else may change.
  const others = (list: readonly Extension[]) =>
    list
      .filter((e) => e.extensionType !== GROUP_METADATA_EXTENSION && !PINNED_BY_PARLEY.has(e.extensionType))
      .map(extensionKey)
      .join('|');
  if (others(extensions) !== others(view.extensions)) return 'only the group metadata may change';
  const next = findGroupMetadata(extensions);
  if (!next) return 'the new group metadata is malformed';
  if (next.kind !== view.meta.kind) return 'a group cannot change kind';
  if ([...next.roles.values()].filter((r) => r === 'owner').length > 1)
    return 'a group has at most one owner';
  let roleChange = false;
  const present = new Set(view.leaves.values());
  for (const id of new Set([...view.meta.roles.keys(), ...next.roles.keys()])) {
    const before = view.meta.roles.get(id);
    const after = next.roles.get(id);
    // Dropping the role of a user who leaves in this very commit, or who has
    // no leaf any more (left earlier), is housekeeping anyone may do.
    if (before !== after && !(after === undefined && (departing.has(id) || !present.has(id))))
      roleChange = true;
  }
  if ((roleChange || next.name !== view.meta.name) && !isAdmin(roleOfLeaf(view, actor))) {
    return 'only an admin can rename the group or change roles';
  }
  if (roleChange && !holdsAuthority(view, actor)) return 'only the owner can change roles';
  return null;
}

function proposalName(p: Proposal): string {
  return typeof p.proposalType === 'number' ? `custom (${p.proposalType})` : p.proposalType;
}

/** A proposal received from a member (RFC 9420 §12.1); null when it may be kept. */
export function checkProposal(view: PolicyView, sender: number | undefined, p: Proposal): string | null {
  if (sender === undefined) return 'proposals from outside the group are not accepted';
  switch (p.proposalType) {
    case 'add':
    case 'update':
      return null;
    case 'remove':
      return p.remove.removed === sender ? null : canRemove(view, sender, p.remove.removed);
    case 'group_context_extensions': {
      const next = findDeviceHeads(p.groupContextExtensions.extensions);
      if (!next) return 'the pinned device-list heads are malformed';
      return (
        canChangeMetadata(view, sender, p.groupContextExtensions.extensions, new Set()) ??
        checkHeadChanges(
          view.devices,
          next,
          view.leaves.get(sender),
          isAdmin(roleOfLeaf(view, sender)),
          new Set(),
          new Set(),
        )
      );
    }
    default:
      return `${proposalName(p)} proposals are not used by Parley`;
  }
}

/**
 * A commit (RFC 9420 §12.4) with all its proposals, by value or by reference;
 * `addedIdentities` are the users named by the Add proposals' KeyPackages.
 * Null when every member must accept it.
 */
export function checkCommit(
  view: PolicyView,
  committer: number | undefined,
  proposals: readonly ProposalWithSender[],
  addedIdentities: readonly string[],
  /** Heads the commit's authenticated_data names for removing own devices (extensions.ts). */
  claimed: PinnedHeads = new Map(),
): string | null {
  if (committer === undefined) {
    // An external commit (RFC 9420 §12.4.3.2): only ExternalInit and the
    // removal of the joiner's old leaf; whose leaf is checked on the result.
    const ok = proposals.every(
      (p) => p.proposal.proposalType === 'external_init' || p.proposal.proposalType === 'remove',
    );
    return ok ? null : 'an external commit may only re-join a member';
  }
  const removed = new Set<number>();
  for (const { proposal } of proposals)
    if (proposal.proposalType === 'remove') removed.add(proposal.remove.removed);
  const remaining = new Set([...view.leaves].filter(([leaf]) => !removed.has(leaf)).map(([, id]) => id));
  const departing = new Set([...view.leaves.values()].filter((id) => !remaining.has(id)));
  const next = headsAfter(view.devices, proposals);
  if (!next) return 'the pinned device-list heads are malformed';
  const committerUser = view.leaves.get(committer);
  const admin = isAdmin(roleOfLeaf(view, committer));
  const added: LeafDevice[] = [];

  for (const { proposal: p, senderLeafIndex: proposer } of proposals) {
    let why: string | null;
    switch (p.proposalType) {
      case 'add': {
        const d = keyPackageDevice(p.add.keyPackage);
        if (d) added.push(d);
        // §13.6: anyone adds a device of its own person that the commit's pinned head lists.
        if (admin) why = null;
        else if (d && d.user === committerUser) why = ownDeviceAddAllowed(view.devices, next, d);
        else why = 'only an admin can add members';
        break;
      }
      case 'update':
        why =
          proposer !== undefined && proposer !== committer ? null : 'an update must come from its own leaf';
        break;
      case 'remove':
        // A member's own removal (leaving) may be committed by anyone, so a
        // leave completes even when no admin is online.
        why =
          proposer !== undefined && proposer !== committer && p.remove.removed === proposer
            ? null
            : canRemoveDevice(view, committer, p.remove.removed, next, claimed);
        break;
      case 'group_context_extensions': {
        const touched = new Set([...addedIdentities, ...departing, ...removedUsers(view, removed)]);
        why =
          canChangeMetadata(view, committer, p.groupContextExtensions.extensions, departing) ??
          checkHeadChanges(view.devices, next, committerUser, admin, touched, departing);
        break;
      }
      default:
        why = `${proposalName(p)} proposals are not used by Parley`;
    }
    if (why) return why;
  }
  if (view.meta.kind === 'dm' && new Set([...remaining, ...addedIdentities]).size > 2) {
    return 'a direct conversation has exactly two people';
  }
  // §13.6: two people of at most 5 devices each, so a DM never holds more than 10 leaves.
  const adds = proposals.filter((p) => p.proposal.proposalType === 'add').length;
  if (view.meta.kind === 'dm' && view.leaves.size - removed.size + adds > MAX_DM_LEAVES) {
    return `a direct conversation has at most ${MAX_DM_LEAVES} devices`;
  }
  if (view.meta.kind === 'self') {
    // §13.6 "The self group": only devices of its one person, the owner.
    const owner = [...view.meta.roles].find(([, r]) => r === 'owner')?.[0];
    if ([...remaining, ...addedIdentities].some((id) => id !== owner))
      return "a self group holds only its person's own devices";
  }
  const stay = [...view.devices.devices].filter(([leaf]) => !removed.has(leaf)).map(([, d]) => d);
  return checkLeavesActive(view.devices, next, stay, added);
}

/** Users who lose a leaf in this commit. */
function removedUsers(view: PolicyView, removed: ReadonlySet<number>): string[] {
  return [...removed].flatMap((l) => {
    const u = view.leaves.get(l);
    return u === undefined ? [] : [u];
  });
}

/**
 * §6's Remove rule, and §13.6's addition: any device removes another device
 * of its own person when the heads after the commit no longer list it.
 */
function canRemoveDevice(
  view: PolicyView,
  committer: number,
  target: number,
  next: PinnedHeads,
  claimed: PinnedHeads,
): string | null {
  const why = canRemove(view, committer, target);
  if (why === null) return null;
  const d = view.devices.devices.get(target);
  if (!d || d.user !== view.leaves.get(committer)) return why;
  return ownDeviceRemoveAllowed(view.devices, next, claimed, d);
}
