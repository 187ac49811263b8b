import type {
  AppInfo,
  ContactRequestView,
  ContactView,
  InviteStatusView,
  InviteView,
  MessageView,
  NetState,
  NetStatus,
  ConversationSummary,
  ErrorCode,
  ErrorPayload,
  EventPayload,
  ProfileStatus,
  RequestName,
  RequestParams,
  RequestResult,
  SearchResult,
} from '../../../src-shared/contract';
import type {
  ContactProfile,
  ImportCounts,
  SafetyNumberView,
} from '../../../src-shared/contract/areas/contacts';
import type { ConversationInfo, Role } from '../../../src-shared/contract/areas/conversations';
import type { ChatMember, ChatPreferences } from '../../../src-shared/contract/areas/chat';
import type { ChatPage, MessageExtras, MessageHistory } from '../../../src-shared/contract/areas/messages';
import type {
  HistoryProgressEvent,
  JoinStatusView,
  LinkStatusView,
} from '../../../src-shared/contract/areas/devices';
import type {
  HostFile,
  HostTarget,
  OpenPurpose,
  SavePurpose,
  StartAtLogin,
} from '../../../src-shared/contract/areas/host';
import { getBridge, getConnection, type ConnectionState, type Refusal } from './bridge';

/** A failed request, unwrapped from `Reply` so callers can use try/catch and branch on `code`. */
export class ParleyApiError extends Error {
  readonly code: ErrorCode;

  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.name = 'ParleyApiError';
    this.code = payload.code;
  }

  /** The plain `{ code, message }` the store keeps (class instances do not belong in state). */
  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }
}

/** Anything thrown below the UI, as the `{ code, message }` the UI knows how to show. */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof ParleyApiError) return err.toPayload();
  return { code: 'INTERNAL', message: 'Something went wrong in this window. Try again.' };
}

async function call<N extends RequestName>(name: N, params: RequestParams<N>): Promise<RequestResult<N>> {
  let reply;
  try {
    reply = await getBridge().request(name, params);
  } catch {
    // Bridges answer with values, so a throw means the transport itself broke (e.g. the preload is gone).
    throw new ParleyApiError({ code: 'DISCONNECTED', message: 'The connection to Parley was lost.' });
  }
  if (reply.ok) return reply.value;
  throw new ParleyApiError(reply.error);
}

/** Typed helpers over the contract: values on success, `ParleyApiError` on failure. */
export const api = {
  appInfo: (): Promise<AppInfo> => call('app.info', {}),
  profileStatus: (): Promise<ProfileStatus> => call('profile.status', {}),
  createProfile: (displayName: string, passphrase: string, discoverable: boolean): Promise<ProfileStatus> =>
    call('profile.create', { displayName, passphrase, discoverable }),
  unlockProfile: (passphrase: string): Promise<ProfileStatus> => call('profile.unlock', { passphrase }),
  lockProfile: (): Promise<ProfileStatus> => call('profile.lock', {}),
  deleteProfile: (confirm: string): Promise<ProfileStatus> => call('profile.delete', { confirm }),
  unlockWithDevice: (): Promise<ProfileStatus> => call('profile.unlockWithDevice', {}),
  setRemember: (remember: boolean): Promise<ProfileStatus> => call('profile.setRemember', { remember }),
  changePassphrase: (current: string, next: string): Promise<ProfileStatus> =>
    call('profile.changePassphrase', { current, next }),
  listConversations: (filter?: string): Promise<ConversationSummary[]> =>
    call('conversations.list', filter ? { filter } : {}),
  markRead: (conversationId: number, messageId?: number): Promise<{ unreadCount: number }> =>
    call(
      'conversations.markRead',
      messageId === undefined ? { conversationId } : { conversationId, messageId },
    ),
  messagesPage: (
    conversationId: number,
    at: RequestParams<'messages.page'>['at'],
    limit?: number,
  ): Promise<ChatPage> =>
    call('messages.page', limit === undefined ? { conversationId, at } : { conversationId, at, limit }),
  search: (text: string, conversationId?: number, limit?: number): Promise<SearchResult> =>
    call('search.query', {
      text,
      ...(conversationId === undefined ? {} : { conversationId }),
      ...(limit === undefined ? {} : { limit }),
    }),

  onProfileChanged: (listener: (status: ProfileStatus) => void): (() => void) =>
    getBridge().subscribe('profile.changed', listener),

  netStatus: (): Promise<NetStatus> => call('net.status', {}),
  goOnline: (): Promise<NetStatus> => call('net.goOnline', {}),
  contacts: (): Promise<ContactView[]> => call('contacts.list', {}),
  createInvite: (): Promise<InviteView> => call('contacts.createInvite', {}),
  inviteStatus: (link: string): Promise<InviteStatusView> => call('contacts.inviteStatus', { link }),
  acceptInvite: (invite: string): Promise<{ contactId: number; conversationId: number }> =>
    call('contacts.acceptInvite', { invite }),
  contactRequests: (): Promise<ContactRequestView[]> => call('contacts.requests', {}),
  respondToRequest: (requestId: number, accept: boolean): Promise<{ contactId?: number }> =>
    call('contacts.respond', { requestId, accept }),
  createGroup: (name: string, contactIds: number[]): Promise<{ conversationId: number }> =>
    call('conversations.createGroup', { name, contactIds }),
  contactProfile: (contactId: number): Promise<ContactProfile> => call('contacts.get', { contactId }),
  contactOfConversation: (conversationId: number): Promise<ContactProfile | null> =>
    call('contacts.forConversation', { conversationId }),
  safetyNumber: (contactId: number): Promise<SafetyNumberView> =>
    call('contacts.safetyNumber', { contactId }),
  verifyContact: (contactId: number, verified: boolean, qrData?: string): Promise<ContactProfile> =>
    call('contacts.verify', qrData === undefined ? { contactId, verified } : { contactId, verified, qrData }),
  decideKeyChange: (contactId: number, accept: boolean): Promise<ContactProfile> =>
    call('contacts.keyChange', { contactId, accept }),
  renameContact: (contactId: number, name: string | null): Promise<ContactProfile> =>
    call('contacts.rename', { contactId, name }),
  removeContact: (contactId: number): Promise<object> => call('contacts.remove', { contactId }),
  blockContact: (contactId: number, blocked: boolean): Promise<ContactProfile> =>
    call('contacts.block', { contactId, blocked }),
  exportContacts: (): Promise<{ json: string }> => call('contacts.export', {}),
  importContacts: (json: string): Promise<ImportCounts> => call('contacts.import', { json }),
  conversationInfo: (conversationId: number): Promise<ConversationInfo> =>
    call('conversations.info', { conversationId }),
  addMembers: (conversationId: number, contactIds: number[]): Promise<{ committed: boolean }> =>
    call('conversations.addMembers', { conversationId, contactIds }),
  removeMember: (conversationId: number, identityKey: string): Promise<{ committed: boolean }> =>
    call('conversations.removeMember', { conversationId, identityKey }),
  renameGroup: (conversationId: number, name: string): Promise<{ committed: boolean }> =>
    call('conversations.rename', { conversationId, name }),
  setMemberRole: (conversationId: number, identityKey: string, role: Role): Promise<{ committed: boolean }> =>
    call('conversations.setRole', { conversationId, identityKey, role }),
  leaveConversation: (conversationId: number): Promise<object> =>
    call('conversations.leave', { conversationId }),
  // Rich messages (contract/areas/messages.ts, chat.ts, typing.ts).
  sendMessage: (
    conversationId: number,
    text: string,
    replyToUid?: string,
    mentions?: string[],
  ): Promise<MessageView> =>
    call('messages.send', {
      conversationId,
      text,
      ...(replyToUid ? { replyToUid } : {}),
      ...(mentions && mentions.length > 0 ? { mentions } : {}),
    }),
  react: (conversationId: number, messageId: number, emoji: string, on: boolean): Promise<object> =>
    call('messages.react', { conversationId, messageId, emoji, on }),
  editMessage: (
    conversationId: number,
    messageId: number,
    text: string,
    mentions?: string[],
  ): Promise<MessageView> =>
    call('messages.edit', { conversationId, messageId, text, ...(mentions?.length ? { mentions } : {}) }),
  deleteMessages: (conversationId: number, messageIds: number[], scope: 'me' | 'everyone'): Promise<object> =>
    call('messages.delete', { conversationId, messageIds, scope }),
  messageHistory: (conversationId: number, messageId: number): Promise<MessageHistory> =>
    call('messages.history', { conversationId, messageId }),
  messageExtras: (conversationId: number, messageIds: number[]): Promise<MessageExtras[]> =>
    call('messages.extras', { conversationId, messageIds }),
  setTyping: (conversationId: number, typing: boolean): Promise<object> =>
    call('messages.typing', { conversationId, typing }),
  chatMembers: (conversationId: number): Promise<{ members: ChatMember[]; typing: string[] }> =>
    call('chat.members', { conversationId }),
  chatPreferences: (): Promise<ChatPreferences> => call('chat.preferences.get', {}),
  setChatPreferences: (change: Partial<ChatPreferences>): Promise<ChatPreferences> =>
    call('chat.preferences.set', change),
  onTypingChanged: (listener: (change: { conversationId: number; names: string[] }) => void): (() => void) =>
    getBridge().subscribe('typing.changed', listener),
  onNetStatus: (listener: (state: NetState) => void): (() => void) =>
    getBridge().subscribe('net.status', listener),
  onMessagesChanged: (listener: (change: { conversationId: number }) => void): (() => void) =>
    getBridge().subscribe('messages.changed', listener),
  onConversationsChanged: (listener: () => void): (() => void) =>
    getBridge().subscribe('conversations.changed', () => listener()),
  onContactsChanged: (listener: () => void): (() => void) =>
    getBridge().subscribe('contacts.changed', () => listener()),

  // Privacy & network, presence, nearby, own profile (contract/areas/settings.ts, network.ts, presence.ts, nearby.ts, profile.ts).
  privacySettings: (): Promise<RequestResult<'settings.get'>> => call('settings.get', {}),
  setPrivacySettings: (
    privacy: RequestParams<'settings.set'>['privacy'],
  ): Promise<RequestResult<'settings.set'>> => call('settings.set', { privacy }),
  nearby: (): Promise<RequestResult<'nearby.list'>> => call('nearby.list', {}),
  requestNearbyContact: (peerId: string, message: string): Promise<object> =>
    call('nearby.requestContact', { peerId, message }),
  presence: (): Promise<RequestResult<'presence.list'>> => call('presence.list', {}),
  ownProfile: (): Promise<RequestResult<'profile.get'>> => call('profile.get', {}),
  updateOwnProfile: (change: RequestParams<'profile.update'>): Promise<RequestResult<'profile.update'>> =>
    call('profile.update', change),
  onPrivacyChanged: (listener: (settings: RequestResult<'settings.get'>) => void): (() => void) =>
    getBridge().subscribe('settings.changed', listener),
  onNearbyChanged: (listener: () => void): (() => void) =>
    getBridge().subscribe('nearby.changed', () => listener()),
  onPresenceChanged: (listener: () => void): (() => void) =>
    getBridge().subscribe('presence.changed', () => listener()),
  // Settings → Devices and a contact's devices (issue 18).
  ownDevices: (): Promise<RequestResult<'devices.list'>> => call('devices.list', {}),
  contactDevices: (contactId: number): Promise<RequestResult<'devices.ofContact'>> =>
    call('devices.ofContact', { contactId }),
  // Linking (issue 18, §13.5): "Link a new device" on this device (E) …
  linkCode: (): Promise<LinkStatusView> => call('devices.linkCode', {}),
  linkStatus: (): Promise<LinkStatusView> => call('devices.linkStatus', {}),
  confirmLinkSas: (match: boolean): Promise<LinkStatusView> => call('devices.confirmSas', { match }),
  cancelLink: (): Promise<LinkStatusView> => call('devices.cancelLink', {}),
  onLinkProgress: (listener: (s: LinkStatusView) => void): (() => void) =>
    getBridge().subscribe('devices.linkProgress', listener),
  // … and "I already use Parley" on a new install (N).
  joinStart: (params: RequestParams<'devices.joinStart'>): Promise<JoinStatusView> =>
    call('devices.joinStart', params),
  joinConfirmSas: (match: boolean, withFiles?: boolean): Promise<JoinStatusView> =>
    call('devices.joinConfirmSas', { match, ...(withFiles === undefined ? {} : { withFiles }) }),
  joinCancel: (): Promise<JoinStatusView> => call('devices.joinCancel', {}),
  onJoinProgress: (listener: (s: JoinStatusView) => void): (() => void) =>
    getBridge().subscribe('devices.joinProgress', listener),
  /** History arriving on this newly linked device (§13.7). */
  onHistoryProgress: (listener: (p: HistoryProgressEvent) => void): (() => void) =>
    getBridge().subscribe('devices.historyProgress', listener),
  // Revocation and names (issue 18, §13.8, §13.10).
  renameDevice: (peerId: string, name: string): Promise<RequestResult<'devices.rename'>> =>
    call('devices.rename', { peerId, name }),
  removeDevice: (peerId: string): Promise<RequestResult<'devices.remove'>> =>
    call('devices.remove', { peerId }),
  unlinkThisDevice: (): Promise<RequestResult<'devices.unlink'>> => call('devices.unlink', {}),
  thisDevice: (): Promise<RequestResult<'devices.thisDevice'>> => call('devices.thisDevice', {}),
  /** This device was removed from its person's devices (it is offline now). */
  onThisDeviceRemoved: (listener: () => void): (() => void) =>
    getBridge().subscribe('devices.removed', () => listener()),
  /** Someone's device list changed or forked (contactId null: our own). */
  onDevicesChanged: (listener: (contactId: number | null) => void): (() => void) => {
    const offChanged = getBridge().subscribe('devices.changed', (e) => listener(e.contactId));
    const offFork = getBridge().subscribe('devices.fork', (e) => listener(e.contactId));
    return () => {
      offChanged();
      offFork();
    };
  },
  // Settings → Network (issue 19).
  networkReach: (): Promise<RequestResult<'network.reach'>> => call('network.reach', {}),
  setNetworkReach: (change: RequestParams<'network.setReach'>): Promise<RequestResult<'network.setReach'>> =>
    call('network.setReach', change),
  onNetworkChanged: (listener: () => void): (() => void) =>
    getBridge().subscribe('network.changed', () => listener()),
  onOwnProfileUpdated: (listener: (profile: RequestResult<'profile.get'>) => void): (() => void) =>
    getBridge().subscribe('profile.updated', listener),

  setTimer: (conversationId: number, ms: number | null): Promise<RequestResult<'conversations.setTimer'>> =>
    call('conversations.setTimer', { conversationId, ms }),
  setNotify: (
    conversationId: number,
    mode: RequestParams<'conversations.setNotify'>['mode'],
  ): Promise<RequestResult<'conversations.setNotify'>> =>
    call('conversations.setNotify', { conversationId, mode }),
  markAllRead: (): Promise<object> => call('conversations.markAllRead', {}),
  notificationPrefs: (): Promise<RequestResult<'notifications.getPrefs'>> =>
    call('notifications.getPrefs', {}),
  setNotificationPrefs: (
    prefs: RequestParams<'notifications.setPrefs'>,
  ): Promise<RequestResult<'notifications.setPrefs'>> => call('notifications.setPrefs', prefs),
  onNotification: (listener: (n: EventPayload<'notifications.show'>) => void): (() => void) =>
    getBridge().subscribe('notifications.show', listener),
  onNotificationOpen: (listener: (n: EventPayload<'notifications.open'>) => void): (() => void) =>
    getBridge().subscribe('notifications.open', listener),

  // Files (contract/areas/files.ts).
  stageFileBegin: (name: string, size: number, mime: string): Promise<RequestResult<'files.stageBegin'>> =>
    call('files.stageBegin', { name, size, mime }),
  /** The bytes travel raw (IPC structured clone, the web shell's binary frames), never as base64. */
  stageFileChunk: (
    stageId: string,
    offset: number,
    data: Uint8Array<ArrayBuffer>,
  ): Promise<{ received: number }> => call('files.stageChunk', { stageId, offset, data }),
  stageFileCommit: (
    stageId: string,
    conversationId: number,
    thumbnail?: RequestParams<'files.stageCommit'>['thumbnail'],
  ): Promise<MessageView> =>
    call('files.stageCommit', { stageId, conversationId, ...(thumbnail ? { thumbnail } : {}) }),
  stageFileCancel: (stageId: string): Promise<object> => call('files.stageCancel', { stageId }),
  filesForMessages: (messageIds: number[]): Promise<RequestResult<'files.forMessages'>> =>
    call('files.forMessages', { messageIds }),
  downloadFile: (attachmentId: number): Promise<RequestResult<'files.download'>> =>
    call('files.download', { attachmentId }),
  cancelFile: (attachmentId: number): Promise<RequestResult<'files.cancel'>> =>
    call('files.cancel', { attachmentId }),
  readFile: (attachmentId: number, offset: number, length: number): Promise<RequestResult<'files.read'>> =>
    call('files.read', { attachmentId, offset, length }),
  fileSettings: (): Promise<RequestResult<'files.getSettings'>> => call('files.getSettings', {}),
  setFileSettings: (
    change: RequestParams<'files.setSettings'>,
  ): Promise<RequestResult<'files.setSettings'>> => call('files.setSettings', change),
  onFileProgress: (listener: (p: EventPayload<'files.progress'>) => void): (() => void) =>
    getBridge().subscribe('files.progress', listener),
  onFileChanged: (listener: (c: EventPayload<'files.changed'>) => void): (() => void) =>
    getBridge().subscribe('files.changed', listener),

  // Backup (contract/areas/backup.ts): the core reads and writes the paths.
  /** `target`: a save-dialog handle (desktop) or 'download' (web shell). */
  backupCreate: (jobId: string, target: string, password: string): Promise<RequestResult<'backup.create'>> =>
    call('backup.create', { jobId, target, password }),
  /** `source`: a handle of a chosen or uploaded file. */
  backupVerify: (jobId: string, source: string, password: string): Promise<RequestResult<'backup.verify'>> =>
    call('backup.verify', { jobId, source, password }),
  backupRestore: (
    jobId: string,
    source: string,
    password: string,
    replace?: boolean,
  ): Promise<RequestResult<'backup.restore'>> =>
    call('backup.restore', { jobId, source, password, ...(replace ? { replace } : {}) }),
  backupCancel: (jobId: string): Promise<RequestResult<'backup.cancel'>> => call('backup.cancel', { jobId }),
  backupSchedule: (): Promise<RequestResult<'backup.getSchedule'>> => call('backup.getSchedule', {}),
  restoreNotice: (): Promise<RequestResult<'backup.restoreNotice'>> => call('backup.restoreNotice', {}),
  dismissRestoreNotice: (): Promise<RequestResult<'backup.dismissRestoreNotice'>> =>
    call('backup.dismissRestoreNotice', {}),
  setBackupSchedule: (
    change: RequestParams<'backup.setSchedule'>,
  ): Promise<RequestResult<'backup.setSchedule'>> => call('backup.setSchedule', change),
  onBackupProgress: (listener: (p: EventPayload<'backup.progress'>) => void): (() => void) =>
    getBridge().subscribe('backup.progress', listener),
  onBackupScheduleChanged: (listener: () => void): (() => void) =>
    getBridge().subscribe('backup.scheduleChanged', () => listener()),

  // Files by handle (contract/areas/host.ts): native dialogs in the desktop app, uploads in the web shell.
  pickFiles: (purpose: OpenPurpose, multiple = false): Promise<HostFile[]> =>
    call('host.pickFiles', { purpose, multiple }).then((r) => r.files),
  pickSaveTarget: (purpose: SavePurpose, suggestedName: string): Promise<HostTarget | null> =>
    call('host.pickSaveTarget', { purpose, suggestedName }).then((r) => r.target),
  pickFolder: (): Promise<HostTarget | null> =>
    call('host.pickFolder', { purpose: 'backups' }).then((r) => r.folder),
  readHostFile: (handle: string, offset: number, length: number): Promise<RequestResult<'host.readFile'>> =>
    call('host.readFile', { handle, offset, length }),
  uploadBegin: (name: string, size: number): Promise<RequestResult<'host.uploadBegin'>> =>
    call('host.uploadBegin', { name, size }),
  uploadChunk: (
    uploadId: string,
    offset: number,
    data: Uint8Array<ArrayBuffer>,
  ): Promise<{ received: number }> => call('host.uploadChunk', { uploadId, offset, data }),
  uploadFinish: (uploadId: string): Promise<HostFile> => call('host.uploadFinish', { uploadId }),
  uploadCancel: (uploadId: string): Promise<unknown> => call('host.uploadCancel', { uploadId }),
  sendFileHandle: (conversationId: number, handle: string): Promise<MessageView> =>
    call('files.sendHandle', { conversationId, handle }),
  saveFileToHandle: (attachmentId: number, handle: string): Promise<{ name: string }> =>
    call('files.saveToHandle', { attachmentId, handle }),
  prepareFileDownload: (attachmentId: number): Promise<{ url: string }> =>
    call('files.prepareDownload', { attachmentId }),
  startAtLogin: (): Promise<StartAtLogin> => call('host.getStartAtLogin', {}),
  setStartAtLogin: (enabled: boolean): Promise<StartAtLogin> => call('host.setStartAtLogin', { enabled }),
  onOpenInvite: (listener: (link: string) => void): (() => void) =>
    getBridge().subscribe('host.openInvite', (p) => listener(p.link)),

  connectionState: (): ConnectionState => getConnection().state,
  /** Why the web shell refused this tab (with state 'refused'). */
  connectionRefusal: (): Refusal | null => getConnection().refusal,
  onConnectionChange: (listener: (state: ConnectionState) => void): (() => void) =>
    getConnection().onChange(listener),
};

export type { ConnectionState, Refusal };
