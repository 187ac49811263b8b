import { z } from 'zod';
import { GROUP_NAME_MAX_LENGTH } from '../net';
import { ConversationSummary, NotifyMode } from '../store';
import type { EventTable, RequestTable } from './table';

/**
 * Conversations: the home list, read state, new DMs and groups; group changes
 * after creation (members, roles, rename, leave, info; issues #4 and #6); and
 * per-conversation settings (issue #6 items 3 and 7): the disappearing-message
 * timer and notification mode.
 *
 * Only owners and admins commit membership changes; a member's add or remove
 * is sent as a proposal that an admin's device commits (docs/protocol.md).
 * Every change shows up in the chat as a system message.
 */

/**
 * The timer choices the UI offers (ms): 30 seconds, 5 minutes, 1 hour, 8 hours,
 * 1 day, 1 week, 4 weeks; null is off. A custom timer is any whole number of
 * seconds between the shortest and the longest (issue #17 item 5).
 */
export const TIMER_CHOICES_MS = [
  30_000,
  5 * 60_000,
  3_600_000,
  8 * 3_600_000,
  86_400_000,
  7 * 86_400_000,
  28 * 86_400_000,
] as const;
export const TIMER_MIN_MS = 30_000;
export const TIMER_MAX_MS = 28 * 86_400_000;

/**
 * "5 minutes", "1 hour", "1 day", "1 week", or the nearest whole unit for
 * other values. One wording for the chat notice the core stores
 * (content/timers.ts) and the menus the renderer shows.
 */
export function describeTimer(ms: number): string {
  const units: [number, string][] = [
    [7 * 86_400_000, 'week'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  const seconds = Math.max(1, Math.round(ms / 1_000));
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

const TimerMs = z
  .number()
  .int()
  .refine((ms) => ms >= TIMER_MIN_MS && ms <= TIMER_MAX_MS && ms % 1_000 === 0, {
    message: 'Pick a time between 30 seconds and 4 weeks.',
  });

const ConversationId = z.object({ conversationId: z.number().int() });
const Ack = z.object({
  /** true: committed now; false: sent as a proposal an admin will commit. */
  committed: z.boolean(),
});

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

export const conversationsRequests = {
  /** The home list, most recent activity first; `filter` matches titles. */
  'conversations.list': {
    params: z.object({ filter: z.string().max(200).optional() }).strict(),
    result: z.array(ConversationSummary),
  },
  /** Marks incoming messages read up to `messageId` (default: all); answers what stays unread. */
  'conversations.markRead': {
    params: z.object({ conversationId: z.number().int(), messageId: z.number().int().optional() }).strict(),
    result: z.object({ unreadCount: z.number().int() }),
  },
  /** The DM with a contact (the existing one, or a new one: needs the contact's device online). */
  'conversations.createDm': {
    params: z.object({ contactId: z.number().int() }).strict(),
    result: z.object({ conversationId: z.number().int() }),
  },
  /** A group with these contacts (each needs a device online now to join). */
  'conversations.createGroup': {
    params: z
      .object({
        name: z.string().trim().min(1, 'Enter a group name.').max(GROUP_NAME_MAX_LENGTH),
        contactIds: z.array(z.number().int()).min(1, 'Pick at least one contact.').max(100),
      })
      .strict(),
    result: z.object({ conversationId: z.number().int() }),
  },
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
  /**
   * Sets the disappearing-message timer for everyone in the conversation
   * (groups: owners and admins only); announced in the chat. New messages
   * expire this long after they reach each device.
   */
  'conversations.setTimer': {
    params: ConversationId.extend({ ms: TimerMs.nullable() }).strict(),
    result: z.object({ disappearAfterMs: z.number().nullable() }),
  },
  /** Notifications for this conversation on this device: all, mentions only, or muted. */
  'conversations.setNotify': {
    params: ConversationId.extend({ mode: NotifyMode }).strict(),
    result: z.object({ notify: NotifyMode }),
  },
  /** Marks every conversation read. */
  'conversations.markAllRead': { params: z.object({}).strict(), result: z.object({}) },
} as const satisfies RequestTable;

export const conversationsEvents = {
  /** The conversation list changed (new conversation, new last message, unread count). */
  'conversations.changed': z.object({}),
} as const satisfies EventTable;
