import { z } from 'zod';
import { ProfileStatus } from './requests';

/** Every event the core pushes to the renderer, declared once. */
export const events = {
  /** The profile was created, locked or unlocked (from any window or the idle timer). */
  'profile.changed': ProfileStatus,
} as const satisfies Record<string, z.ZodType>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const eventNames = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
