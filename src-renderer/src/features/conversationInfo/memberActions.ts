import type { MessageView } from '../../../../src-shared/contract';
import type { GroupMemberView, Role } from '../../../../src-shared/contract/areas/conversations';

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

/**
 * The id of the newest system line ("Ada made Bob an admin", "Ada removed Cy")
 * among a chat's loaded messages, or null. Every group change shows up as one,
 * including this user's own queued change once it is applied, so the open info
 * panel reloads when it changes instead of showing stale roles and members.
 */
export function lastSystemMessageId(
  messages: readonly Pick<MessageView, 'id' | 'kind'>[] | undefined,
): number | null {
  if (!messages) return null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.kind === 'system') return m.id;
  }
  return null;
}

/** Labels for roles, as the panel shows them. */
export const ROLE_LABEL: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

/**
 * What an Ack means for the user. Not committed means two different things:
 * a member's change is a proposal an admin's device applies; an owner's or
 * admin's change made while the previous one is unconfirmed is queued and
 * committed once it is accepted (docs/protocol.md §10: when every member
 * acked it, at once with everyone online; at most the 60 s acceptance
 * window when someone is offline). Without `myRole` the member's reading is assumed.
 */
export function ackMessage(committed: boolean, done: string, myRole: Role | null = null): string {
  if (committed) return done;
  return isAdmin(myRole)
    ? 'Saved: it applies as soon as the group has confirmed the previous change (a minute at most if someone is offline).'
    : 'Sent as a proposal: an admin’s device will apply it.';
}
