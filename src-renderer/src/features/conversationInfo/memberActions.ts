import type { GroupMemberView, Role } from '../../../../src-preload/contract/areas/groups';

/**
 * What this user may do to a group member, mirroring the core's role policy
 * (src-main/core/mls/rolePolicy.ts) so the panel only offers what an honest
 * member's device would accept: owners and admins remove members; admins are
 * removed, and roles changed, only by the owner, or by any admin once the
 * owner has left. The owner can only leave. The core checks again.
 */
export interface MemberActions {
  canRemove: boolean;
  canMakeAdmin: boolean;
  canMakeMember: boolean;
}

const isAdmin = (r: Role | null) => r === 'owner' || r === 'admin';

/** Owner while present, otherwise every admin. */
export function holdsAuthority(myRole: Role | null, members: readonly GroupMemberView[]): boolean {
  const ownerPresent = members.some((m) => m.role === 'owner');
  return ownerPresent ? myRole === 'owner' : isAdmin(myRole);
}

export function memberActions(
  myRole: Role | null,
  member: GroupMemberView,
  members: readonly GroupMemberView[],
): MemberActions {
  const none = { canRemove: false, canMakeAdmin: false, canMakeMember: false };
  if (member.self || member.role === 'owner' || !isAdmin(myRole)) return none;
  const authority = holdsAuthority(myRole, members);
  return {
    canRemove: member.role === 'member' || authority,
    canMakeAdmin: authority && member.role === 'member',
    canMakeMember: authority && member.role === 'admin',
  };
}

/** Labels for roles, as the panel shows them. */
export const ROLE_LABEL: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

/** What an Ack means for the user: done now, or waiting for an admin's device. */
export function ackMessage(committed: boolean, done: string): string {
  return committed ? done : 'Sent as a proposal: an admin’s device will apply it.';
}
