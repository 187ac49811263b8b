import type { Role } from './extensions';
import { unwrapState, type MlsGroupState, type MlsMember } from './groupState';
import type { CommitChanges } from './incoming';

/**
 * What a commit changed, in the terms a chat shows ("Ada added Bob", "Bob
 * left", "Ada renamed the group to X", "Ada made Bob an admin"), computed
 * from the states before and after it. Both states are values every member
 * holds alike, so every member describes a commit the same way.
 */
export interface CommitSummary {
  /** The group name after the commit. */
  readonly name: string;
  /**
   * Users removed by a commit of their own leave proposal (RFC 9420
   * §12.1.3: a member proposes removing its own leaf), identity keys.
   */
  readonly leavers: readonly Uint8Array[];
  /** Users in the group before and after whose role changed, with the new role. */
  readonly roleChanges: readonly { readonly identityKey: Uint8Array; readonly role: Role }[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const deviceKey = (m: MlsMember) => `${m.leafIndex}/${hex(m.signatureKey)}`;

/** Leaves that proposed their own removal in this state's pending proposals. */
export function pendingSelfRemovals(state: MlsGroupState): Set<number> {
  const out = new Set<number>();
  for (const p of Object.values(unwrapState(state).unappliedProposals)) {
    if (p.proposal.proposalType === 'remove' && p.proposal.remove.removed === p.senderLeafIndex) {
      out.add(p.senderLeafIndex);
    }
  }
  return out;
}

export function summarize(
  before: MlsGroupState,
  after: MlsGroupState,
  changes: CommitChanges,
): CommitSummary {
  const selfRemovals = pendingSelfRemovals(before);
  const leavers = new Map<string, Uint8Array>();
  for (const m of changes.removed) {
    if (selfRemovals.has(m.leafIndex)) leavers.set(hex(m.identityKey), m.identityKey);
  }
  const rolesBefore = new Map(before.members.map((m) => [hex(m.identityKey), m.role]));
  const roleChanges = new Map<string, { identityKey: Uint8Array; role: Role }>();
  // A removed member keeps no view of the group's roles after the commit.
  if (after.active) {
    for (const m of after.members) {
      const was = rolesBefore.get(hex(m.identityKey));
      if (was !== undefined && was !== m.role) {
        roleChanges.set(hex(m.identityKey), { identityKey: m.identityKey, role: m.role });
      }
    }
  }
  return { name: after.name, leavers: [...leavers.values()], roleChanges: [...roleChanges.values()] };
}

/**
 * The changes of a commit this member made itself (the engine returns only
 * the new state): devices added and removed, by leaf and signature key.
 */
export function ownCommitChanges(
  before: MlsGroupState,
  after: MlsGroupState,
  refreshedOwnKeys: boolean,
): CommitChanges {
  const was = new Map(before.members.map((m) => [deviceKey(m), m]));
  const now = new Map(after.members.map((m) => [deviceKey(m), m]));
  const rolesKey = (s: MlsGroupState) =>
    s.members
      .map((m) => `${hex(m.identityKey)}:${m.role}`)
      .sort()
      .join(',');
  return {
    added: [...now].filter(([k]) => !was.has(k)).map(([, m]) => m),
    removed: [...was].filter(([k]) => !now.has(k)).map(([, m]) => m),
    updated: refreshedOwnKeys ? [after.ownLeafIndex] : [],
    renamed: before.name !== after.name,
    rolesChanged: rolesKey(before) !== rolesKey(after),
    removedSelf: false,
  };
}

/** Proposals of this device still waiting in the current epoch for someone to commit them. */
export function ownPendingProposals(state: MlsGroupState): number {
  const me = state.ownLeafIndex;
  return Object.values(unwrapState(state).unappliedProposals).filter((p) => p.senderLeafIndex === me).length;
}
