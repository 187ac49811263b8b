import { z } from 'zod';
import { DISPLAY_NAME_MAX_LENGTH, PASSPHRASE_MAX_LENGTH } from './passphrase';
import {
  ContactRequestView,
  ContactView,
  GROUP_NAME_MAX_LENGTH,
  INVITE_MAX_LENGTH,
  InviteStatusView,
  InviteView,
  NetStatus,
} from './net';
import { ConversationSummary, MessagePage, PageRequest, SearchResult } from './store';
import { backupRequests } from './areas/backup';
import { chatRequests } from './areas/chat';
import { contactsRequests } from './areas/contacts';
import { conversationsRequests } from './areas/conversations';
import { filesRequests } from './areas/files';
import { groupsRequests } from './areas/groups';
import { hostRequests } from './areas/host';
import { networkRequests } from './areas/network';
import type { RequestTable } from './areas/table';

/**
 * Every request the renderer (or any shell) can make of the core, declared once.
 * Main (IPC), the web shell (WebSocket), the preload bridge and the renderer's
 * api module all derive their channels, validation and types from this table:
 * adding a request means adding an entry here and one handler in the core.
 */

const Empty = z.object({}).strict();

export const ProfileState = z.enum(['none', 'locked', 'unlocked', 'damaged']);
export type ProfileState = z.infer<typeof ProfileState>;

export const ProfileStatus = z.object({
  state: ProfileState,
  /** Only while unlocked: the name is stored inside the encrypted database. */
  displayName: z.string().optional(),
  /** When damaged, or a problem found after unlocking: what is wrong and what to do. */
  problem: z.string().optional(),
  /** The OS keychain can remember this profile on this device (Electron with a keyring). */
  canRemember: z.boolean().optional(),
  /** This device remembers the profile: it unlocks without the passphrase. */
  remembered: z.boolean().optional(),
});
export type ProfileStatus = z.infer<typeof ProfileStatus>;

const DisplayName = z
  .string()
  .trim()
  .min(1, 'Enter a display name.')
  .max(DISPLAY_NAME_MAX_LENGTH, `Use at most ${DISPLAY_NAME_MAX_LENGTH} characters.`)
  .refine((s) => !/\p{Cc}/u.test(s), 'Control characters are not allowed in a name.');

const Passphrase = z.string().min(1).max(PASSPHRASE_MAX_LENGTH);

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  shell: z.enum(['electron', 'web', 'cli']),
  profileDir: z.string(),
  /**
   * The OS region format's locale for dates and times ("en-GB"), where the shell can read it;
   * null leaves the page's own default (issue 17 item 20).
   */
  timeLocale: z.string().max(64).nullable(),
});
export type AppInfo = z.infer<typeof AppInfo>;

const baseRequests = {
  /** Static facts about the running app, for the About screen and the window title. */
  'app.info': { params: Empty, result: AppInfo },
  /** Whether a profile exists and whether it is unlocked. */
  'profile.status': { params: Empty, result: ProfileStatus },
  /**
   * Creates the profile: keys, encrypted database; leaves it unlocked.
   * `discoverable` is the onboarding's answer to "let people on this network
   * find you by name"; absent means no (issue 17: off unless chosen).
   */
  'profile.create': {
    params: z
      .object({ displayName: DisplayName, passphrase: Passphrase, discoverable: z.boolean().optional() })
      .strict(),
    result: ProfileStatus,
  },
  /** Derives the key from the passphrase and opens the database; optionally remembers it on this device. */
  'profile.unlock': {
    params: z.object({ passphrase: Passphrase, remember: z.boolean().optional() }).strict(),
    result: ProfileStatus,
  },
  /** Unlocks with the key the OS keychain keeps for this device ("remember on this device"). */
  'profile.unlockWithDevice': { params: Empty, result: ProfileStatus },
  /** Turns "remember on this device" on or off (needs the profile unlocked). */
  'profile.setRemember': { params: z.object({ remember: z.boolean() }).strict(), result: ProfileStatus },
  /** Re-wraps the database key under a new passphrase; the old one stops working. */
  'profile.changePassphrase': {
    params: z.object({ current: Passphrase, next: Passphrase }).strict(),
    result: ProfileStatus,
  },
  /** Closes the database and forgets the key. */
  'profile.lock': { params: Empty, result: ProfileStatus },
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
  /** Full-text search with the query language (words, "phrases", prefix*, from:, in:, before:, after:, has:file). */
  'search.query': {
    params: z
      .object({
        text: z.string().max(2000),
        conversationId: z.number().int().optional(),
        limit: z.number().int().min(1).max(100).optional(),
      })
      .strict(),
    result: SearchResult,
  },
  /** A page of a conversation (latest, before/after a cursor, or around a message), oldest first. */
  'messages.page': {
    params: z
      .object({
        conversationId: z.number().int(),
        at: PageRequest,
        limit: z.number().int().min(1).max(200).optional(),
      })
      .strict(),
    result: MessagePage,
  },
  /** Whether this device is on the peer network, with how many peers, and its own address. */
  'net.status': { params: Empty, result: NetStatus },
  /**
   * Starts networking when it is off: a shell that starts offline (the web
   * shell without PARLEY_LISTEN), or a node that failed to start. Answers with
   * the status once the node runs; OFFLINE when this Parley has no networking.
   */
  'net.goOnline': { params: Empty, result: NetStatus },
  /** Everyone this user has added (by invite or accepted request). */
  'contacts.list': { params: Empty, result: z.array(ContactView) },
  /** A one-time invite (valid 7 days) for someone to add this user. */
  'contacts.createInvite': { params: Empty, result: InviteView },
  /** Whether one of this user's invites is still open, expired, or used (and by whom). */
  'contacts.inviteStatus': {
    params: z.object({ link: z.string().min(1).max(INVITE_MAX_LENGTH) }).strict(),
    result: InviteStatusView,
  },
  /** Accepts someone's invite: they become a contact and the DM with them starts. */
  'contacts.acceptInvite': {
    params: z
      .object({ invite: z.string().trim().min(1, 'Paste an invite.').max(INVITE_MAX_LENGTH) })
      .strict(),
    result: z.object({ contactId: z.number().int(), conversationId: z.number().int() }),
  },
  /** Contact requests from people without an invite, waiting for an answer. */
  'contacts.requests': { params: Empty, result: z.array(ContactRequestView) },
  /** Accepts (they become a contact) or declines a pending contact request. */
  'contacts.respond': {
    params: z.object({ requestId: z.number().int(), accept: z.boolean() }).strict(),
    result: z.object({ contactId: z.number().int().optional() }),
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
} as const satisfies RequestTable;

/**
 * Each area of the product declares its requests in its own file under
 * ./areas (so features grow side by side); this is the one table of them all.
 */
export const requests = {
  ...baseRequests,
  ...groupsRequests,
  ...networkRequests,
  ...chatRequests,
  ...contactsRequests,
  ...conversationsRequests,
  ...filesRequests,
  ...backupRequests,
  ...hostRequests,
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
