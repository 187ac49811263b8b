import { z } from 'zod';
import { GROUP_NAME_MAX_LENGTH } from '../net';
import type { EventTable, RequestTable } from './table';

/**
 * Group changes after creation: members, roles, rename, leave, info
 * (issues #4 and #6). Only owners and admins commit membership changes; a
 * member's add or remove is sent as a proposal that an admin's device commits
 * (docs/protocol.md). Every change shows up in the chat as a system message.
 */

export const Role = z.enum(['owner', 'admin', 'member']);
export type Role = z.infer<typeof Role>;

export const GroupMemberView = z.object({
  /** Identity key, hex. */
  identityKey: z.string(),
  name: z.string(),
  role: Role,
  self: z.boolean(),
  /** The member is one of our contacts (else: only known through this group). */
  contactId: z.number().int().nullable(),
  verified: z.boolean(),
});
export type GroupMemberView = z.infer<typeof GroupMemberView>;

export const ConversationInfo = z.object({
  id: z.number().int(),
  kind: z.enum(['dm', 'group']),
  title: z.string(),
  /** Group name (null for a DM). */
  name: z.string().nullable(),
  members: z.array(GroupMemberView),
  /** This user's role; null once they left or were removed. */
  myRole: Role.nullable(),
  /** The MLS ciphersuite, fixed at creation: id and a readable name. */
  ciphersuite: z.object({ id: z.number().int(), name: z.string() }),
  epoch: z.number().int().nonnegative(),
  createdAt: z.number(),
  /** Set when this user left or was removed: read-only history. */
  leftAt: z.number().nullable(),
  /** Changes waiting for an admin to commit (this user's proposals). */
  pendingProposals: z.number().int().nonnegative(),
});
export type ConversationInfo = z.infer<typeof ConversationInfo>;

const ConversationId = z.object({ conversationId: z.number().int() });
const Ack = z.object({
  /** true: committed now; false: sent as a proposal an admin will commit. */
  committed: z.boolean(),
});

export const groupsRequests = {
  /** Members with roles, ciphersuite, epoch: the conversation info panel. */
  'conversations.info': { params: ConversationId.strict(), result: ConversationInfo },
  /** Adds contacts to a group (each needs a device online to hand out a KeyPackage). */
  'conversations.addMembers': {
    params: ConversationId.extend({
      contactIds: z.array(z.number().int()).min(1, 'Pick at least one contact.').max(100),
    }).strict(),
    result: Ack,
  },
  /** Removes a member (every device of that user) from a group. */
  'conversations.removeMember': {
    params: ConversationId.extend({ identityKey: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
    result: Ack,
  },
  /** Renames a group (owners and admins). */
  'conversations.rename': {
    params: ConversationId.extend({
      name: z.string().trim().min(1, 'Enter a group name.').max(GROUP_NAME_MAX_LENGTH),
    }).strict(),
    result: Ack,
  },
  /** Sets a member's role (owners and admins; only an owner makes owners). */
  'conversations.setRole': {
    params: ConversationId.extend({
      identityKey: z.string().regex(/^[0-9a-f]{64}$/),
      role: Role,
    }).strict(),
    result: Ack,
  },
  /** Leaves a group: history stays, read-only; the others are told. */
  'conversations.leave': { params: ConversationId.strict(), result: z.object({}) },
} as const satisfies RequestTable;

export const groupsEvents = {} as const satisfies EventTable;
