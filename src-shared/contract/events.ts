import type { z } from 'zod';
import { appEvents } from './areas/app';
import { backupEvents } from './areas/backup';
import { chatEvents } from './areas/chat';
import { contactsEvents } from './areas/contacts';
import { conversationsEvents } from './areas/conversations';
import { devicesEvents } from './areas/devices';
import { filesEvents } from './areas/files';
import { hostEvents } from './areas/host';
import { messagesEvents } from './areas/messages';
import { nearbyEvents } from './areas/nearby';
import { netEvents } from './areas/net';
import { networkEvents } from './areas/network';
import { notificationsEvents } from './areas/notifications';
import { presenceEvents } from './areas/presence';
import { profileEvents } from './areas/profile';
import { searchEvents } from './areas/search';
import { settingsEvents } from './areas/settings';
import { typingEvents } from './areas/typing';
import type { EventTable } from './areas/table';

/**
 * Every event the core pushes to the renderer, declared once: each namespace
 * declares its events beside its requests, in ./areas/<namespace>.ts.
 */
export const events = {
  ...appEvents,
  ...profileEvents,
  ...conversationsEvents,
  ...messagesEvents,
  ...chatEvents,
  ...typingEvents,
  ...searchEvents,
  ...contactsEvents,
  ...netEvents,
  ...networkEvents,
  ...settingsEvents,
  ...nearbyEvents,
  ...presenceEvents,
  ...notificationsEvents,
  ...filesEvents,
  ...backupEvents,
  ...hostEvents,
  ...devicesEvents,
} as const satisfies EventTable;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const eventNames = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
