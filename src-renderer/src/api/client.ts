import type {
  AppInfo,
  ContactRequestView,
  ContactView,
  InviteView,
  MessageView,
  NetState,
  NetStatus,
  ConversationSummary,
  ErrorCode,
  MessagePage,
  ErrorPayload,
  ProfileStatus,
  RequestName,
  RequestParams,
  RequestResult,
  SearchResult,
} from '../../../src-preload/contract';
import { getBridge, getConnection, type ConnectionState } from './bridge';

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
  createProfile: (displayName: string, passphrase: string): Promise<ProfileStatus> =>
    call('profile.create', { displayName, passphrase }),
  unlockProfile: (passphrase: string): Promise<ProfileStatus> => call('profile.unlock', { passphrase }),
  lockProfile: (): Promise<ProfileStatus> => call('profile.lock', {}),
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
  ): Promise<MessagePage> =>
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
  contacts: (): Promise<ContactView[]> => call('contacts.list', {}),
  createInvite: (): Promise<InviteView> => call('contacts.createInvite', {}),
  acceptInvite: (invite: string): Promise<{ contactId: number; conversationId: number }> =>
    call('contacts.acceptInvite', { invite }),
  contactRequests: (): Promise<ContactRequestView[]> => call('contacts.requests', {}),
  respondToRequest: (requestId: number, accept: boolean): Promise<{ contactId?: number }> =>
    call('contacts.respond', { requestId, accept }),
  createGroup: (name: string, contactIds: number[]): Promise<{ conversationId: number }> =>
    call('conversations.createGroup', { name, contactIds }),
  sendMessage: (conversationId: number, text: string): Promise<MessageView> =>
    call('messages.send', { conversationId, text }),
  onNetStatus: (listener: (state: NetState) => void): (() => void) =>
    getBridge().subscribe('net.status', listener),
  onMessagesChanged: (listener: (change: { conversationId: number }) => void): (() => void) =>
    getBridge().subscribe('messages.changed', listener),
  onConversationsChanged: (listener: () => void): (() => void) =>
    getBridge().subscribe('conversations.changed', () => listener()),
  onContactsChanged: (listener: () => void): (() => void) =>
    getBridge().subscribe('contacts.changed', () => listener()),

  connectionState: (): ConnectionState => getConnection().state,
  onConnectionChange: (listener: (state: ConnectionState) => void): (() => void) =>
    getConnection().onChange(listener),
};

export type { ConnectionState };
