import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { ContactProfile } from '../../../src-shared/contract/areas/contacts';
import type { ConversationInfo } from '../../../src-shared/contract/areas/conversations';
import type { AppState } from './appStore';
import { createContactsSlice } from './contactsSlice';

/**
 * The contacts and conversation-info slice against a fake api: what the
 * panels show after each answer, and that failures become messages, not throws.
 */

const fake = vi.hoisted(() => ({
  contactProfile: vi.fn(),
  contactOfConversation: vi.fn(),
  verifyContact: vi.fn(),
  decideKeyChange: vi.fn(),
  renameContact: vi.fn(),
  removeContact: vi.fn(),
  blockContact: vi.fn(),
  exportContacts: vi.fn(),
  importContacts: vi.fn(),
  conversationInfo: vi.fn(),
  addMembers: vi.fn(),
  removeMember: vi.fn(),
  renameGroup: vi.fn(),
  setMemberRole: vi.fn(),
  leaveConversation: vi.fn(),
}));

vi.mock('../api/client', () => {
  class ParleyApiError extends Error {
    constructor(
      readonly code: string,
      message: string,
    ) {
      super(message);
    }
  }
  return {
    api: fake,
    ParleyApiError,
    toErrorPayload: (err: unknown) =>
      err instanceof ParleyApiError
        ? { code: err.code, message: err.message }
        : { code: 'INTERNAL', message: 'Something went wrong in this window. Try again.' },
  };
});

const { ParleyApiError } = (await import('../api/client')) as unknown as {
  ParleyApiError: new (code: string, message: string) => Error;
};

function profile(over: Partial<ContactProfile> = {}): ContactProfile {
  return {
    id: 1,
    name: 'Ann',
    displayName: 'Ann',
    localName: null,
    identityKey: 'a'.repeat(64),
    verified: false,
    verifiedAt: null,
    blocked: false,
    keyChanged: false,
    pendingKeyChange: null,
    previousIdentityKey: null,
    keyChangedAt: null,
    devices: [],
    dm: { conversationId: 7, readOnly: false },
    ...over,
  };
}

function info(over: Partial<ConversationInfo> = {}): ConversationInfo {
  return {
    id: 7,
    kind: 'group',
    title: 'Lab',
    name: 'Lab',
    members: [],
    myRole: 'owner',
    ciphersuite: { id: 1, name: 'X-Wing' },
    epoch: 3,
    createdAt: 0,
    leftAt: null,
    pendingProposals: 0,
    ...over,
  };
}

let store: UseBoundStore<StoreApi<AppState>>;
const loadContacts = vi.fn(() => Promise.resolve());
const loadConversations = vi.fn(() => Promise.resolve());

beforeEach(() => {
  for (const f of Object.values(fake)) f.mockReset();
  store = create<AppState>()(
    (...args) =>
      ({
        ...createContactsSlice(...args),
        chat: { conversationId: 7 },
        contacts: [],
        loadContacts,
        loadConversations,
      }) as unknown as AppState,
  );
});

describe('contacts slice', () => {
  it('opens a profile, verifies it and shows the answer; the DM banner follows the same contact', async () => {
    fake.contactProfile.mockResolvedValue(profile());
    fake.contactOfConversation.mockResolvedValue(profile());
    await store.getState().openContacts(1);
    await store.getState().loadChatContact(7);
    expect(store.getState()).toMatchObject({
      contactsOpen: true,
      contactProfile: { id: 1, verified: false },
    });
    fake.verifyContact.mockResolvedValue(profile({ verified: true }));
    expect(await store.getState().verifyContact(true, 'parley-safety:1:aa:bb')).toBe(true);
    expect(fake.verifyContact).toHaveBeenCalledWith(1, true, 'parley-safety:1:aa:bb');
    expect(store.getState().contactProfile?.verified).toBe(true);
    expect(store.getState().chatContact?.verified).toBe(true);
    expect(store.getState().contactBusy).toBeNull();
  });

  it('a refresh answered after Back does not bring the profile back', async () => {
    fake.contactProfile.mockResolvedValue(profile());
    fake.contactOfConversation.mockResolvedValue(null);
    await store.getState().openContacts(1);
    let answer: (p: ContactProfile) => void = () => {};
    fake.contactProfile.mockReturnValue(new Promise<ContactProfile>((done) => (answer = done)));
    const refreshing = store.getState().refreshContactViews();
    await store.getState().showContact(null);
    answer(profile({ blocked: true }));
    await refreshing;
    expect(store.getState().contactProfile).toBeNull();
  });

  it('shows a mismatching code as an error and keeps the profile', async () => {
    fake.contactProfile.mockResolvedValue(profile());
    await store.getState().openContacts(1);
    fake.verifyContact.mockRejectedValue(new ParleyApiError('INVALID_PARAMS', 'This code does not match.'));
    expect(await store.getState().verifyContact(true, 'parley-safety:x')).toBe(false);
    expect(store.getState()).toMatchObject({
      contactError: { code: 'INVALID_PARAMS', message: 'This code does not match.' },
      contactProfile: { verified: false },
      contactBusy: null,
    });
  });

  it('accepts a key change from the chat banner without the panel open', async () => {
    fake.contactOfConversation.mockResolvedValue(profile({ keyChanged: true }));
    await store.getState().loadChatContact(7);
    fake.decideKeyChange.mockResolvedValue(
      profile({ keyChanged: false, previousIdentityKey: 'b'.repeat(64) }),
    );
    expect(await store.getState().decideKeyChange(true, 1)).toBe(true);
    expect(fake.decideKeyChange).toHaveBeenCalledWith(1, true);
    expect(store.getState().chatContact?.keyChanged).toBe(false);
  });

  it('renames, blocks, removes (back to the list with a notice) and reloads the lists', async () => {
    fake.contactProfile.mockResolvedValue(profile());
    await store.getState().openContacts(1);
    fake.renameContact.mockResolvedValue(profile({ name: 'Annie', localName: 'Annie' }));
    await store.getState().renameContact('Annie');
    expect(store.getState().contactProfile?.name).toBe('Annie');
    expect(loadConversations).toHaveBeenCalled();
    fake.blockContact.mockResolvedValue(
      profile({ blocked: true, dm: { conversationId: 7, readOnly: true } }),
    );
    await store.getState().blockContact(true);
    expect(store.getState().contactProfile?.dm?.readOnly).toBe(true);
    fake.removeContact.mockResolvedValue({});
    fake.contactOfConversation.mockResolvedValue(null);
    expect(await store.getState().removeContact()).toBe(true);
    expect(store.getState().contactProfile).toBeNull();
    expect(store.getState().contactNotice).toMatch(/history with them is kept/);
    expect(store.getState().chatContact).toBeNull();
    expect(loadContacts).toHaveBeenCalled();
  });

  it('exports and imports through the api; a bad file is an error message', async () => {
    fake.exportContacts.mockResolvedValue({ json: '{"format":"parley-contacts"}' });
    expect(await store.getState().exportContacts()).toBe('{"format":"parley-contacts"}');
    fake.importContacts.mockResolvedValue({ added: 2, updated: 0, skipped: 1 });
    expect(await store.getState().importContacts('{}')).toEqual({ added: 2, updated: 0, skipped: 1 });
    fake.importContacts.mockRejectedValue(new ParleyApiError('INVALID_PARAMS', 'That file is not JSON.'));
    expect(await store.getState().importContacts('x')).toBeNull();
    expect(store.getState().contactError?.message).toBe('That file is not JSON.');
  });

  it('drops a late banner answer for a conversation that is no longer open', async () => {
    let resolve: (p: ContactProfile) => void = () => undefined;
    fake.contactOfConversation.mockReturnValue(new Promise((r) => (resolve = r)));
    const pending = store.getState().loadChatContact(7);
    store.setState({ chat: { conversationId: 8 } } as unknown as Partial<AppState>);
    resolve(profile());
    await pending;
    expect(store.getState().chatContact).toBeNull();
  });
});

describe('conversation info slice', () => {
  it('loads the info; a change re-reads it and says whether it was committed or proposed', async () => {
    fake.conversationInfo.mockResolvedValue(info());
    await store.getState().openConversationInfo();
    expect(store.getState()).toMatchObject({
      infoOpen: true,
      conversationInfo: { epoch: 3 },
      infoBusy: null,
    });
    fake.setMemberRole.mockResolvedValue({ committed: true });
    fake.conversationInfo.mockResolvedValue(info({ epoch: 4 }));
    expect(await store.getState().setGroupRole('c'.repeat(64), 'admin')).toBe(true);
    expect(store.getState()).toMatchObject({ infoNotice: 'Role changed.', conversationInfo: { epoch: 4 } });
    // Not committed yet: an owner's change waits for the previous one to be
    // confirmed; a plain member's becomes a proposal.
    fake.addMembers.mockResolvedValue({ committed: false });
    await store.getState().addGroupMembers([2, 3]);
    expect(fake.addMembers).toHaveBeenCalledWith(7, [2, 3]);
    expect(store.getState().infoNotice).toMatch(/confirmed the previous change/);
    fake.conversationInfo.mockResolvedValue(info({ epoch: 5, myRole: 'member' }));
    await store.getState().openConversationInfo();
    await store.getState().addGroupMembers([2]);
    expect(store.getState().infoNotice).toMatch(/proposal/);
  });

  it('shows "not available" from the core as a message and offers the fallback', async () => {
    fake.conversationInfo.mockRejectedValue(
      new ParleyApiError('INTERNAL', 'conversations.info is not available yet.'),
    );
    await store.getState().openConversationInfo();
    expect(store.getState()).toMatchObject({
      infoOpen: true,
      conversationInfo: null,
      infoError: { message: 'conversations.info is not available yet.' },
      infoBusy: null,
    });
    fake.leaveConversation.mockRejectedValue(new ParleyApiError('INVALID_STATE', 'Not in this group.'));
    expect(await store.getState().leaveConversation()).toBe(false);
    expect(store.getState().infoError?.message).toBe('Not in this group.');
    store.getState().closeConversationInfo();
    expect(store.getState()).toMatchObject({ infoOpen: false, infoError: null });
  });
});
