import type { ConversationInfo, GroupMemberView } from '../../../src-shared/contract/areas/conversations';
import { ParleyError } from '../errors';
import { reaching } from './reaching';
import { MlsStore, ownPendingProposals, suiteById, type MlsGroupState } from '../mls';
import type { ConversationDetails } from '../store/repositories/conversationRepository';
import type { Store } from '../store/store';
import type { GroupRequestName, HandlerDeps, HandlersFor } from './deps';

/**
 * Handlers of the group requests of contract/areas/conversations.ts: the info panel and group changes
 * (groups/groupOps.ts). Who may do what is decided in the core
 * (FORBIDDEN with a sentence the user can act on); a member's add is sent as
 * a proposal (`committed: false`); a contact's device that cannot be reached
 * for its KeyPackage is UNREACHABLE.
 */

const keyOf = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));

function conversation(s: Store, conversationId: number): ConversationDetails {
  const row = s.conversations.details(conversationId);
  if (!row) throw new ParleyError('INVALID_PARAMS', 'No such conversation.');
  return row;
}

function requireGroup(s: Store, conversationId: number): ConversationDetails {
  const row = conversation(s, conversationId);
  if (row.kind !== 'group') throw new ParleyError('INVALID_PARAMS', 'That is not a group.');
  if (row.leftAt !== null) throw new ParleyError('INVALID_STATE', 'You are no longer in this group.');
  return row;
}

export function groupsHandlers({ store, messaging }: HandlerDeps): HandlersFor<GroupRequestName> {
  /** The group state as this device holds it: from running messaging, else from disk. */
  const stateOf = async (s: Store, conversationId: number): Promise<MlsGroupState | null> => {
    const m = await messaging.runningOrNull();
    if (m) return m.service.groups.state(conversationId);
    return new MlsStore(s.mlsGroups, s.tx).load(conversationId);
  };

  return {
    'conversations.info': async ({ conversationId }): Promise<ConversationInfo> => {
      const s = store();
      const c = conversation(s, conversationId);
      const self = s.self();
      const rows = s.members.withContacts(conversationId);
      const members: GroupMemberView[] = rows.map((r) => {
        const isSelf = r.identityKey.equals(self.publicKey);
        const hex = r.identityKey.toString('hex');
        return {
          identityKey: hex,
          name: isSelf ? self.displayName : (r.contactName ?? `Member ${hex.slice(0, 8)}`),
          role: r.role,
          self: isSelf,
          contactId: isSelf ? null : r.contactId,
          verified: r.verifiedAt !== null,
        };
      });
      const rank = { owner: 0, admin: 1, member: 2 } as const;
      members.sort((a, b) => rank[a.role] - rank[b.role] || a.name.localeCompare(b.name));
      const state = await stateOf(s, conversationId);
      const suiteId = c.ciphersuite ?? state?.suite.id ?? 0;
      const mine = members.find((m) => m.self);
      return {
        id: c.id,
        kind: c.kind,
        title: c.kind === 'group' ? (c.name ?? 'Group') : (c.contactName ?? c.name ?? 'Unknown'),
        name: c.kind === 'group' ? c.name : null,
        members,
        myRole: c.leftAt === null && mine ? mine.role : null,
        ciphersuite: { id: suiteId, name: suiteById(suiteId)?.label ?? `MLS ciphersuite ${suiteId}` },
        epoch: state?.epoch ?? 0,
        createdAt: c.createdAt,
        leftAt: c.leftAt,
        pendingProposals: state && state.active ? ownPendingProposals(state) : 0,
      };
    },
    'conversations.addMembers': async ({ conversationId, contactIds }) => {
      const s = store();
      requireGroup(s, conversationId);
      const known = new Set(s.contacts.list().map((k) => k.id));
      if (!contactIds.every((id) => known.has(id)))
        throw new ParleyError('INVALID_PARAMS', 'No such contact.');
      const m = await messaging.running();
      return reaching('One of those contacts', () => m.service.addMembers(conversationId, contactIds));
    },
    'conversations.removeMember': async ({ conversationId, identityKey }) => {
      requireGroup(store(), conversationId);
      const m = await messaging.running();
      return m.service.removeMember(conversationId, keyOf(identityKey));
    },
    'conversations.rename': async ({ conversationId, name }) => {
      requireGroup(store(), conversationId);
      const m = await messaging.running();
      return m.service.rename(conversationId, name);
    },
    'conversations.setRole': async ({ conversationId, identityKey, role }) => {
      requireGroup(store(), conversationId);
      const m = await messaging.running();
      return m.service.setRole(conversationId, keyOf(identityKey), role);
    },
    'conversations.leave': async ({ conversationId }) => {
      const s = store();
      const c = conversation(s, conversationId);
      if (c.kind !== 'group') throw new ParleyError('INVALID_PARAMS', 'Only a group can be left.');
      if (c.leftAt !== null) return {};
      const m = await messaging.running();
      await m.service.leave(conversationId);
      return {};
    },
  };
}
