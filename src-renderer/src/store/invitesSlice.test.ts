import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { AppState } from './appStore';
import { createInvitesSlice } from './invitesSlice';

/**
 * Invites and contact requests against a fake api: the dialog gets the answer
 * (or the error's words) without a throw, and the lists an answer changes are
 * read again.
 */

const fake = vi.hoisted(() => ({
  createInvite: vi.fn(),
  acceptInvite: vi.fn(),
  respondToRequest: vi.fn(),
}));

vi.mock('../api/client', () => ({
  api: fake,
  toErrorPayload: (err: unknown) => ({ code: 'INVALID_INVITE', message: String((err as Error).message) }),
}));

let store: UseBoundStore<StoreApi<AppState>>;
const loadContacts = vi.fn(() => Promise.resolve());
const loadConversations = vi.fn(() => Promise.resolve());

beforeEach(() => {
  for (const f of [...Object.values(fake), loadContacts, loadConversations]) f.mockClear();
  store = create<AppState>()(
    (...args) => ({ ...createInvitesSlice(...args), loadContacts, loadConversations }) as unknown as AppState,
  );
});

describe('invites', () => {
  it('answers an accepted invite with the DM to open', async () => {
    fake.acceptInvite.mockResolvedValue({ contactId: 2, conversationId: 9 });
    expect(await store.getState().acceptInvite('parley://invite/x')).toEqual({
      ok: true,
      value: { contactId: 2, conversationId: 9 },
    });
    expect(fake.acceptInvite).toHaveBeenCalledWith('parley://invite/x');
  });

  it('answers a refused invite with words to show', async () => {
    fake.acceptInvite.mockRejectedValue(new Error('This invite was already used.'));
    expect(await store.getState().acceptInvite('parley://invite/x')).toEqual({
      ok: false,
      error: { code: 'INVALID_INVITE', message: 'This invite was already used.' },
    });
  });
});

describe('contact requests', () => {
  it('accepting re-reads the contacts and the home list (the new DM)', async () => {
    fake.respondToRequest.mockResolvedValue({ contactId: 3 });
    expect(await store.getState().respondToContactRequest(5, true)).toBeNull();
    expect(fake.respondToRequest).toHaveBeenCalledWith(5, true);
    expect(loadContacts).toHaveBeenCalledTimes(1);
    expect(loadConversations).toHaveBeenCalledTimes(1);
  });

  it('declining re-reads the contacts only', async () => {
    fake.respondToRequest.mockResolvedValue({});
    expect(await store.getState().respondToContactRequest(5, false)).toBeNull();
    expect(loadContacts).toHaveBeenCalledTimes(1);
    expect(loadConversations).not.toHaveBeenCalled();
  });

  it('a failure comes back as the message, with nothing re-read', async () => {
    fake.respondToRequest.mockRejectedValue(new Error('The request expired.'));
    expect(await store.getState().respondToContactRequest(5, true)).toEqual({
      code: 'INVALID_INVITE',
      message: 'The request expired.',
    });
    expect(loadContacts).not.toHaveBeenCalled();
  });
});
