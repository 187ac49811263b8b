import type { AppInfo, ProfileStatus, RequestName } from '../../../src-shared/contract';
import type { backupRequests } from '../../../src-shared/contract/areas/backup';
import type { chatRequests } from '../../../src-shared/contract/areas/chat';
import type { contactsRequests } from '../../../src-shared/contract/areas/contacts';
import type { conversationsRequests } from '../../../src-shared/contract/areas/conversations';
import type { filesRequests } from '../../../src-shared/contract/areas/files';
import type { groupsRequests } from '../../../src-shared/contract/areas/groups';
import type { hostRequests } from '../../../src-shared/contract/areas/host';
import type { networkRequests } from '../../../src-shared/contract/areas/network';
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

type AreaNames =
  | keyof typeof groupsRequests
  | keyof typeof networkRequests
  | keyof typeof chatRequests
  | keyof typeof contactsRequests
  | keyof typeof conversationsRequests
  | keyof typeof filesRequests
  | keyof typeof backupRequests
  | keyof typeof hostRequests;

/** Requests declared in contract/requests.ts itself (not in an area file). */
export type BaseRequestName = Exclude<RequestName, AreaNames>;
