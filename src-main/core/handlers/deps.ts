import type { AppInfo, ProfileStatus, RequestName } from '../../../src-shared/contract';
import type { HostFiles } from '../host/hostFiles';
import type { HostShell } from '../host/hostShell';
import type { MessagingHost } from '../runtime/messagingHost';
import type { ProfileService } from '../profile/profileService';
import type { SearchRepository } from '../search/searchRepository';
import type { Handlers } from '../rpc/dispatcher';
import type { EventBus } from '../rpc/eventBus';
import type { Store } from '../store/store';
import type { Logger } from '../util/logger';

/** What every area's handlers may use. */
export interface HandlerDeps {
  info: AppInfo;
  profile: ProfileService;
  /** The unlocked profile's store; throws LOCKED while locked. */
  store: () => Store;
  /** Full-text search of the unlocked profile; throws LOCKED while locked. */
  search: () => SearchRepository;
  /** Messaging of the unlocked profile (OFFLINE when networking is off). */
  messaging: MessagingHost;
  /** Stops messaging, then locks (the node must not outlive the database). */
  lock: () => Promise<ProfileStatus>;
  /** Pushes events to every shell (progress of long work, changes). */
  bus: EventBus;
  /** The profile folder (absolute). */
  profileDir: string;
  logger: Logger;
  /** Files the user chose, by handle; uploads; one-time downloads. */
  hostFiles: HostFiles;
  /** Native dialogs and login items, in the desktop app only. */
  hostShell?: HostShell;
}

/** The handlers of some of the contract's requests. */
export type HandlersFor<K extends RequestName> = Pick<Handlers, K>;

/** The requests of one namespace of the contract (its file src-shared/contract/areas/<ns>.ts). */
export type In<NS extends string> = Extract<RequestName, `${NS}.${string}`>;

/**
 * The handler files group requests by the service that answers them, not by
 * namespace; these say which file answers which (createHandlers' `Handlers`
 * type refuses a request nobody answers).
 */

/** handlers/base.ts: the profile's life, the home list and pages, search, the node, invites, new conversations. */
export type BaseRequestName =
  | In<'app' | 'search' | 'net'>
  | Exclude<In<'profile'>, 'profile.get' | 'profile.update'>
  | 'messages.page'
  | 'conversations.list'
  | 'conversations.markRead'
  | 'conversations.createDm'
  | 'conversations.createGroup'
  | 'contacts.list'
  | 'contacts.createInvite'
  | 'contacts.inviteStatus'
  | 'contacts.acceptInvite'
  | 'contacts.requests'
  | 'contacts.respond';

/** handlers/groups.ts: the info panel and group changes. */
export type GroupRequestName =
  | 'conversations.info'
  | 'conversations.addMembers'
  | 'conversations.removeMember'
  | 'conversations.rename'
  | 'conversations.setRole'
  | 'conversations.leave';

/** handlers/network.ts: presence, nearby, privacy settings, reach, the own profile card. */
export type NetworkRequestName =
  In<'network' | 'settings' | 'nearby' | 'presence'> | 'profile.get' | 'profile.update';

/** handlers/chat.ts: sending and changing messages, the chat view's helpers. */
export type ChatRequestName = In<'chat'> | Exclude<In<'messages'>, BaseRequestName>;

/** handlers/contacts.ts: one contact's profile, verification, rename, block, import/export. */
export type ContactsRequestName = Exclude<In<'contacts'>, BaseRequestName>;

/** handlers/conversations.ts: per-conversation settings and notifications. */
export type ConversationsRequestName =
  Exclude<In<'conversations'>, BaseRequestName | GroupRequestName> | In<'notifications'>;

/** handlers/deviceLists.ts: own and contacts' device lists (issue 18 part a); the rest of `devices.` is handlers/devices.ts. */
export type DeviceListRequestName = 'devices.list' | 'devices.ofContact' | DeviceChangeRequestName;

/** handlers/deviceChanges.ts: rename, remove and unlink of own devices (issue 18 part c, §13.8). */
export type DeviceChangeRequestName =
  'devices.rename' | 'devices.remove' | 'devices.unlink' | 'devices.thisDevice';
