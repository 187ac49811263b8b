import { z } from 'zod';
import { NetState } from './net';
import { ProfileStatus } from './requests';
import { backupEvents } from './areas/backup';
import { chatEvents } from './areas/chat';
import { contactsEvents } from './areas/contacts';
import { conversationsEvents } from './areas/conversations';
import { filesEvents } from './areas/files';
import { groupsEvents } from './areas/groups';
import { hostEvents } from './areas/host';
import { networkEvents } from './areas/network';
import type { EventTable } from './areas/table';

/** Every event the core pushes to the renderer, declared once. */
const baseEvents = {
  /** The profile was created, locked or unlocked (from any window or the idle timer). */
  'profile.changed': ProfileStatus,
  /** The peer network went offline / looking / connected, or the peer count changed. */
  'net.status': NetState,
  /** Messages of this conversation were added or changed state (refetch the page you show). */
  'messages.changed': z.object({ conversationId: z.number().int() }),
  /** The conversation list changed (new conversation, new last message, unread count). */
  'conversations.changed': z.object({}),
  /** Contacts or pending contact requests changed. */
  'contacts.changed': z.object({}),
} as const satisfies EventTable;

/** Areas declare their events beside their requests (./areas). */
export const events = {
  ...baseEvents,
  ...groupsEvents,
  ...networkEvents,
  ...chatEvents,
  ...contactsEvents,
  ...conversationsEvents,
  ...filesEvents,
  ...backupEvents,
  ...hostEvents,
} as const satisfies EventTable;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const eventNames = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
