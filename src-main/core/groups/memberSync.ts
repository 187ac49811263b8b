import type { Directory } from '../contacts/directory';
import type { MlsGroupState } from '../mls';
import type { GroupMemberRepository } from '../store/repositories/groupMemberRepository';

/**
 * Mirrors a group state's members (users, with roles) into `members`, and
 * their devices into the directory as known peers, inside the caller's
 * transaction: the MLS state is the truth, the tables are what the rest of
 * the app (roles, names, file access, search filters) reads.
 */
export function syncMembers(
  deps: { members: Pick<GroupMemberRepository, 'replace'>; directory: Pick<Directory, 'upsertDevice'> },
  conversationId: number,
  state: MlsGroupState,
  now: number,
): void {
  deps.members.replace(conversationId, state.members, now);
  for (const m of state.members) {
    if (!m.isSelf) deps.directory.upsertDevice({ peerId: m.peerId, identityKey: m.identityKey });
  }
}
