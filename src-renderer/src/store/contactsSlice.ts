import type { StateCreator } from 'zustand';
import type { ErrorPayload, Reply } from '../../../src-shared/contract';
import type {
  ContactProfile,
  ImportCounts,
  SafetyNumberView,
} from '../../../src-shared/contract/areas/contacts';
import type { ConversationInfo, Role } from '../../../src-shared/contract/areas/conversations';
import { api, toErrorPayload } from '../api/client';
import { ackMessage } from '../features/conversationInfo/memberActions';
import type { AppState } from './appStore';
import { toReply } from './toReply';

/** What is running in the contacts panel or the conversation info panel (one thing at a time). */
export type ContactBusy =
  | 'load'
  | 'verify'
  | 'unverify'
  | 'key-accept'
  | 'key-keep'
  | 'rename'
  | 'block'
  | 'remove'
  | 'export'
  | 'import';
export type InfoBusy = 'load' | 'rename' | 'add' | 'remove' | 'role' | 'leave';

/**
 * Contacts (list → profile: verify, rename, block, remove, import/export),
 * the contact of the open DM (key-change banner, read-only state) and the
 * conversation info panel (members, roles, ciphersuite, group changes).
 */
export interface ContactsSlice {
  /**
   * An invite link that opened the app (parley://, host.openInvite) or was
   * clicked in a message: Add contact shows it filled in, and nothing is
   * accepted until the user chooses Add.
   */
  pendingInvite: string | null;
  openInvite(link: string): void;
  clearPendingInvite(): void;
  contactsOpen: boolean;
  /**
   * Opened on one contact (from a conversation, its info or search), not from
   * the list: the profile then offers no "← All contacts" (issue 17 item 21).
   */
  contactsOnOne: boolean;
  /** The profile shown in the contacts panel; null shows the list. */
  contactProfile: ContactProfile | null;
  contactBusy: ContactBusy | null;
  contactError: ErrorPayload | null;
  /** A short confirmation of the last action ("Imported: …"). */
  contactNotice: string | null;
  /** The other person of the open DM (null: a group, or nothing open). */
  chatContact: ContactProfile | null;

  openContacts(contactId?: number): Promise<void>;
  closeContacts(): void;
  showContact(contactId: number | null): Promise<void>;
  /** Re-reads what is shown (after a contacts.changed event). */
  refreshContactViews(): Promise<void>;
  /** The safety number to compare with a contact (for their new key while a key change is pending). */
  safetyNumber(contactId: number): Promise<Reply<SafetyNumberView>>;
  verifyContact(verified: boolean, qrData?: string): Promise<boolean>;
  decideKeyChange(accept: boolean, contactId?: number): Promise<boolean>;
  renameContact(name: string | null): Promise<boolean>;
  blockContact(blocked: boolean, contactId?: number): Promise<boolean>;
  removeContact(): Promise<boolean>;
  exportContacts(): Promise<string | null>;
  importContacts(json: string): Promise<ImportCounts | null>;
  loadChatContact(conversationId: number | null): Promise<void>;

  infoOpen: boolean;
  conversationInfo: ConversationInfo | null;
  infoBusy: InfoBusy | null;
  infoError: ErrorPayload | null;
  infoNotice: string | null;
  openConversationInfo(): Promise<void>;
  closeConversationInfo(): void;
  loadConversationInfo(): Promise<void>;
  renameGroup(name: string): Promise<boolean>;
  addGroupMembers(contactIds: number[]): Promise<boolean>;
  removeGroupMember(identityKey: string): Promise<boolean>;
  setGroupRole(identityKey: string, role: Role): Promise<boolean>;
  leaveConversation(): Promise<boolean>;
}

export const createContactsSlice: StateCreator<AppState, [], [], ContactsSlice> = (set, get) => {
  /** Runs one contacts action: busy while it runs, its error shown, the views re-read after. */
  async function contactRun<T>(busy: ContactBusy, run: () => Promise<T>): Promise<T | null> {
    set({ contactBusy: busy, contactError: null, contactNotice: null });
    try {
      const out = await run();
      set({ contactBusy: null });
      return out;
    } catch (err) {
      set({ contactBusy: null, contactError: toErrorPayload(err) });
      return null;
    }
  }

  /** The profile answered by an action replaces the shown one (and the banner's, if it is the same contact). */
  function applyProfile(p: ContactProfile): void {
    const shown = get().contactProfile;
    const chat = get().chatContact;
    set({
      contactProfile: shown && shown.id === p.id ? p : shown,
      chatContact: chat && chat.id === p.id ? p : chat,
    });
    void get().loadContacts();
  }

  async function infoRun(busy: InfoBusy, run: () => Promise<string | null>): Promise<boolean> {
    set({ infoBusy: busy, infoError: null, infoNotice: null });
    try {
      const notice = await run();
      set({ infoBusy: null, infoNotice: notice });
      await get().loadConversationInfo();
      return true;
    } catch (err) {
      set({ infoBusy: null, infoError: toErrorPayload(err) });
      return false;
    }
  }

  const openId = () => get().chat?.conversationId ?? null;

  return {
    pendingInvite: null,
    openInvite: (link) => set({ pendingInvite: link }),
    clearPendingInvite: () => set({ pendingInvite: null }),
    contactsOpen: false,
    contactsOnOne: false,
    contactProfile: null,
    contactBusy: null,
    contactError: null,
    contactNotice: null,
    chatContact: null,

    async openContacts(contactId) {
      set({
        contactsOpen: true,
        contactsOnOne: contactId !== undefined,
        contactError: null,
        contactNotice: null,
        contactProfile: null,
      });
      void get().loadContacts();
      if (contactId !== undefined) await get().showContact(contactId);
    },
    closeContacts() {
      set({ contactsOpen: false, contactProfile: null, contactError: null, contactNotice: null });
    },
    async showContact(contactId) {
      if (contactId === null) {
        set({ contactProfile: null, contactError: null, contactNotice: null });
        return;
      }
      const p = await contactRun('load', () => api.contactProfile(contactId));
      if (p) set({ contactProfile: p });
    },
    async refreshContactViews() {
      const shown = get().contactProfile;
      if (shown) {
        // Only if the same profile is still shown when the answer comes: a Back pressed
        // meanwhile (right after Block, whose event starts this) must not be undone.
        const stillShown = () => get().contactProfile?.id === shown.id;
        try {
          const fresh = await api.contactProfile(shown.id);
          if (stillShown()) set({ contactProfile: fresh });
        } catch {
          // Removed meanwhile (another window): back to the list.
          if (stillShown()) set({ contactProfile: null });
        }
      }
      await get().loadChatContact(openId());
    },
    safetyNumber: (contactId) => toReply(api.safetyNumber(contactId)),
    async verifyContact(verified, qrData) {
      const id = get().contactProfile?.id;
      if (id === undefined) return false;
      const p = await contactRun(verified ? 'verify' : 'unverify', () =>
        api.verifyContact(id, verified, qrData),
      );
      if (p) applyProfile(p);
      return p !== null;
    },
    async decideKeyChange(accept, contactId) {
      const id = contactId ?? get().contactProfile?.id;
      if (id === undefined) return false;
      const p = await contactRun(accept ? 'key-accept' : 'key-keep', () => api.decideKeyChange(id, accept));
      if (p) applyProfile(p);
      return p !== null;
    },
    async renameContact(name) {
      const id = get().contactProfile?.id;
      if (id === undefined) return false;
      const p = await contactRun('rename', () => api.renameContact(id, name));
      if (p) {
        applyProfile(p);
        // DM titles show the local name.
        void get().loadConversations();
      }
      return p !== null;
    },
    async blockContact(blocked, contactId) {
      const id = contactId ?? get().contactProfile?.id;
      if (id === undefined) return false;
      const p = await contactRun('block', () => api.blockContact(id, blocked));
      if (p) {
        applyProfile(p);
        // The DM turns read-only (or writable again): its summary says so.
        void get().loadConversations();
      }
      return p !== null;
    },
    async removeContact() {
      const id = get().contactProfile?.id;
      if (id === undefined) return false;
      const ok = await contactRun('remove', () => api.removeContact(id));
      if (ok === null) return false;
      set({ contactProfile: null, contactNotice: 'Contact removed. Your history with them is kept.' });
      void get().loadContacts();
      // Their DM turns read-only: its summary says so.
      void get().loadConversations();
      await get().loadChatContact(openId());
      return true;
    },
    async exportContacts() {
      const out = await contactRun('export', () => api.exportContacts());
      return out?.json ?? null;
    },
    async importContacts(json) {
      const counts = await contactRun('import', () => api.importContacts(json));
      if (counts) void get().loadContacts();
      return counts;
    },
    async loadChatContact(conversationId) {
      if (conversationId === null) {
        set({ chatContact: null });
        return;
      }
      try {
        const contact = await api.contactOfConversation(conversationId);
        // A late answer for a conversation no longer open is dropped.
        if (openId() === conversationId) set({ chatContact: contact });
      } catch {
        if (openId() === conversationId) set({ chatContact: null });
      }
    },

    infoOpen: false,
    conversationInfo: null,
    infoBusy: null,
    infoError: null,
    infoNotice: null,
    async openConversationInfo() {
      set({ infoOpen: true, conversationInfo: null, infoError: null, infoNotice: null });
      set({ infoBusy: 'load' });
      await get().loadConversationInfo();
      set({ infoBusy: null });
    },
    closeConversationInfo() {
      set({ infoOpen: false, conversationInfo: null, infoError: null, infoNotice: null, infoBusy: null });
    },
    async loadConversationInfo() {
      const id = openId();
      if (id === null) return;
      try {
        const info = await api.conversationInfo(id);
        if (openId() === id) set({ conversationInfo: info });
      } catch (err) {
        if (openId() === id) set({ conversationInfo: null, infoError: toErrorPayload(err) });
      }
    },
    renameGroup(name) {
      const id = openId();
      if (id === null) return Promise.resolve(false);
      return infoRun('rename', async () => {
        const ack = await api.renameGroup(id, name);
        void get().loadConversations();
        return ackMessage(ack.committed, 'Group renamed.', get().conversationInfo?.myRole ?? null);
      });
    },
    addGroupMembers(contactIds) {
      const id = openId();
      if (id === null) return Promise.resolve(false);
      return infoRun('add', async () =>
        ackMessage(
          (await api.addMembers(id, contactIds)).committed,
          'Members added.',
          get().conversationInfo?.myRole ?? null,
        ),
      );
    },
    removeGroupMember(identityKey) {
      const id = openId();
      if (id === null) return Promise.resolve(false);
      return infoRun('remove', async () =>
        ackMessage(
          (await api.removeMember(id, identityKey)).committed,
          'Member removed.',
          get().conversationInfo?.myRole ?? null,
        ),
      );
    },
    setGroupRole(identityKey, role) {
      const id = openId();
      if (id === null) return Promise.resolve(false);
      return infoRun('role', async () =>
        ackMessage(
          (await api.setMemberRole(id, identityKey, role)).committed,
          'Role changed.',
          get().conversationInfo?.myRole ?? null,
        ),
      );
    },
    leaveConversation() {
      const id = openId();
      if (id === null) return Promise.resolve(false);
      return infoRun('leave', async () => {
        await api.leaveConversation(id);
        void get().loadConversations();
        return 'You left. The history stays here, read-only.';
      });
    },
  };
};
