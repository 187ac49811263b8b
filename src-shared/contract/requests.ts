import type { z } from 'zod';
import { appRequests } from './areas/app';
import { backupRequests } from './areas/backup';
import { chatRequests } from './areas/chat';
import { contactsRequests } from './areas/contacts';
import { conversationsRequests } from './areas/conversations';
import { devicesRequests } from './areas/devices';
import { filesRequests } from './areas/files';
import { hostRequests } from './areas/host';
import { messagesRequests } from './areas/messages';
import { nearbyRequests } from './areas/nearby';
import { netRequests } from './areas/net';
import { networkRequests } from './areas/network';
import { notificationsRequests } from './areas/notifications';
import { presenceRequests } from './areas/presence';
import { profileRequests } from './areas/profile';
import { searchRequests } from './areas/search';
import { settingsRequests } from './areas/settings';
import { typingRequests } from './areas/typing';
import type { RequestTable } from './areas/table';

export { AppInfo } from './areas/app';
export { ProfileState, ProfileStatus } from './areas/profile';

/**
 * Every request the renderer (or any shell) can make of the core, declared once.
 * Main (IPC), the web shell (WebSocket), the preload bridge and the renderer's
 * api module all derive their channels, validation and types from this table:
 * adding a request means adding an entry to its namespace's file and one
 * handler in the core.
 *
 * Each namespace (`profile.`, `messages.`, `settings.`…) declares its requests
 * in its own file, ./areas/<namespace>.ts, so features grow side by side and a
 * channel is found by its name (src-main/contractNamespaces.test.ts keeps it so); this is
 * the one table of them all.
 */
export const requests = {
  ...appRequests,
  ...profileRequests,
  ...conversationsRequests,
  ...messagesRequests,
  ...chatRequests,
  ...typingRequests,
  ...searchRequests,
  ...contactsRequests,
  ...netRequests,
  ...networkRequests,
  ...settingsRequests,
  ...nearbyRequests,
  ...presenceRequests,
  ...notificationsRequests,
  ...filesRequests,
  ...backupRequests,
  ...hostRequests,
  ...devicesRequests,
} as const satisfies RequestTable;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
/** What a caller passes (before defaults and trimming). */
export type RequestParams<N extends RequestName> = z.input<Requests[N]['params']>;
/** What a handler receives, after validation. */
export type ParsedParams<N extends RequestName> = z.output<Requests[N]['params']>;
export type RequestResult<N extends RequestName> = z.output<Requests[N]['result']>;

export const requestNames = Object.keys(requests) as RequestName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}
