import type { StateCreator } from 'zustand';
import type { ErrorPayload, InviteStatusView, InviteView, Reply } from '../../../src-shared/contract';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';
import { toReply } from './toReply';

/**
 * How someone becomes a contact: this user's invite, someone else's invite
 * pasted in, and the answer to a contact request. The answers belong to the
 * dialog that asked (it keeps its own busy and error state), so they are
 * returned, not stored.
 */
export interface InvitesSlice {
  /** A fresh one-time invite of this user (text and QR data). */
  createInvite(): Promise<Reply<InviteView>>;
  /** Whether this user's invite is still open, or was used (and by whom). */
  inviteStatus(link: string): Promise<Reply<InviteStatusView>>;
  /** Adds the invite's owner; the answer names the DM with them. */
  acceptInvite(invite: string): Promise<Reply<{ contactId: number; conversationId: number }>>;
  /** Accepts or declines a contact request, then re-reads the lists it changes; null when it went through. */
  respondToContactRequest(requestId: number, accept: boolean): Promise<ErrorPayload | null>;
}

export const createInvitesSlice: StateCreator<AppState, [], [], InvitesSlice> = (_set, get) => ({
  createInvite: () => toReply(api.createInvite()),
  inviteStatus: (link) => toReply(api.inviteStatus(link)),
  acceptInvite: (invite) => toReply(api.acceptInvite(invite)),
  async respondToContactRequest(requestId, accept) {
    try {
      await api.respondToRequest(requestId, accept);
      await get().loadContacts();
      // An accepted request opens a DM with them.
      if (accept) await get().loadConversations();
      return null;
    } catch (err) {
      return toErrorPayload(err);
    }
  },
});
