import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { ConversationSummary, MessageView } from '../../../src-shared/contract';
import type { ChatPage } from '../../../src-shared/contract/areas/messages';
import type { AppState } from './appStore';
import { createChatSlice } from './chatSlice';
import { createConversationsSlice } from './conversationsSlice';

/**
 * The reported bug: Ada is on the home screen while Bob's text and images
 * arrive; she opens the chat and the "unread" marker says 3 above the last
 * 3 rows although 5 were new. The home list's count was read before the last
 * messages committed; the page read after them. The marker must follow the
 * page's own read state, and reading must cover only the rows on screen.
 */

const fake = vi.hoisted(() => ({
  messagesPage: vi.fn(),
  messageExtras: vi.fn(),
  chatMembers: vi.fn(),
  markRead: vi.fn(),
  listConversations: vi.fn(),
}));

vi.mock('../api/client', () => ({
  api: fake,
  toErrorPayload: (err: unknown) => ({ code: 'INTERNAL', message: String(err) }),
}));

const BOB = 'b'.repeat(64);
const ME = 'a'.repeat(64);

function message(id: number, over: Partial<MessageView> = {}): MessageView {
  return {
    id,
    conversationId: 7,
    uid: `u${id}`,
    sender: { key: BOB, name: 'Bob', self: false },
    kind: 'text',
    body: `message ${id}`,
    replyToUid: null,
    sentAt: 1_000 * id,
    editedAt: null,
    deletedAt: null,
    expiresAt: null,
    state: 'received',
    heldBy: null,
    hasFile: false,
    ...over,
  };
}

function summary(unreadCount: number): ConversationSummary {
  return {
    id: 7,
    kind: 'dm',
    title: 'Bob',
    lastActivityAt: 0,
    unreadCount,
    notify: 'all',
    disappearAfterMs: null,
    readOnly: null,
    lastMessage: null,
  };
}

/** Two read messages (one ours), a system line, then Bob's text and four files: five unread. */
function pageWithFiveNew(): ChatPage {
  return {
    messages: [
      message(1),
      message(2, { sender: { key: ME, name: 'You', self: true }, state: 'delivered' }),
      // A system line from Bob's side is not counted as unread by the core (migration 0002).
      message(3, { kind: 'system', body: 'Bob changed the timer' }),
      message(4, { body: 'photos and the report' }),
      message(5, { kind: 'file', body: 'harbour.png', hasFile: true }),
      message(6, { kind: 'file', body: 'sunset.png', hasFile: true }),
      message(7, { kind: 'file', body: 'report.pdf', hasFile: true }),
      message(8, { kind: 'file', body: 'dataset.bin', hasFile: true }),
    ],
    hasOlder: false,
    hasNewer: false,
    unread: { count: 5, lastReadMessageId: 2 },
    extras: [],
  };
}

let store: UseBoundStore<StoreApi<AppState>>;

beforeEach(() => {
  for (const f of Object.values(fake)) f.mockReset();
  fake.messageExtras.mockResolvedValue([]);
  fake.chatMembers.mockResolvedValue({ members: [], typing: [] });
  store = create<AppState>()(
    (...args) =>
      ({
        ...createConversationsSlice(...args),
        ...createChatSlice(...args),
      }) as unknown as AppState,
  );
});

describe('opening a chat whose messages arrived on the home screen', () => {
  it('puts the unread marker before all five new messages, though the list still said 3', async () => {
    // The list was read when only three of the five had committed.
    store.setState({ conversations: [summary(3)], totalUnread: 3 });
    fake.messagesPage.mockResolvedValue(pageWithFiveNew());
    await store.getState().openConversation(7);
    const chat = store.getState().chat;
    expect(chat?.messages).toHaveLength(8);
    expect(chat?.firstUnreadId).toBe(4);
    expect(chat?.unreadAtOpen).toBe(5);
    // The home list and the window title catch up with what the page said.
    expect(store.getState().conversations[0]?.unreadCount).toBe(5);
    expect(store.getState().totalUnread).toBe(5);
  });

  it("draws from one request: the page asked first, with its rows' extras", async () => {
    store.setState({ conversations: [summary(5)], totalUnread: 5 });
    const reactions = [{ emoji: '🎉', count: 1, mine: false, names: ['Bob'] }];
    fake.messagesPage.mockResolvedValue({
      ...pageWithFiveNew(),
      extras: [{ messageId: 4, reactions, reply: null, mentions: [], mentionsMe: false }],
    });
    await store.getState().openConversation(7);
    expect(store.getState().chat?.extras[4]?.reactions).toEqual(reactions);
    expect(fake.messageExtras).not.toHaveBeenCalled();
    // The core answers in order: the rows are not queued behind the member list.
    expect(fake.messagesPage.mock.invocationCallOrder[0]).toBeLessThan(
      fake.chatMembers.mock.invocationCallOrder[0] ?? 0,
    );
  });

  it('shows no marker when the page says everything was read, whatever the list said', async () => {
    store.setState({ conversations: [summary(2)], totalUnread: 2 });
    fake.messagesPage.mockResolvedValue({
      ...pageWithFiveNew(),
      unread: { count: 0, lastReadMessageId: 8 },
    });
    await store.getState().openConversation(7);
    expect(store.getState().chat).toMatchObject({ firstUnreadId: null, unreadAtOpen: 0 });
    expect(store.getState().totalUnread).toBe(0);
  });

  it('marks read only up to the message seen on screen, not one below it', async () => {
    store.setState({ conversations: [summary(5)], totalUnread: 5 });
    fake.messagesPage.mockResolvedValue(pageWithFiveNew());
    await store.getState().openConversation(7);
    // The view saw up to sunset.png (6); report.pdf and dataset.bin are below the fold.
    fake.markRead.mockResolvedValue({ unreadCount: 2 });
    await store.getState().markConversationRead(6);
    expect(fake.markRead).toHaveBeenCalledWith(7, 6);
    expect(store.getState().conversations[0]?.unreadCount).toBe(2);
    // Seeing the same position again sends nothing; seeing further marks further.
    await store.getState().markConversationRead(6);
    expect(fake.markRead).toHaveBeenCalledTimes(1);
    fake.markRead.mockResolvedValue({ unreadCount: 0 });
    await store.getState().markConversationRead(8);
    expect(fake.markRead).toHaveBeenLastCalledWith(7, 8);
    expect(store.getState().totalUnread).toBe(0);
  });

  it('does not mark read for one’s own messages or what was read before the chat opened', async () => {
    store.setState({ conversations: [summary(0)], totalUnread: 0 });
    fake.messagesPage.mockResolvedValue({ ...pageWithFiveNew(), unread: { count: 0, lastReadMessageId: 8 } });
    await store.getState().openConversation(7);
    await store.getState().markConversationRead(8);
    expect(fake.markRead).not.toHaveBeenCalled();
  });

  it('tries again after a failed mark', async () => {
    store.setState({ conversations: [summary(5)], totalUnread: 5 });
    fake.messagesPage.mockResolvedValue(pageWithFiveNew());
    await store.getState().openConversation(7);
    fake.markRead.mockRejectedValueOnce(new Error('socket closed'));
    await store.getState().markConversationRead(8);
    fake.markRead.mockResolvedValue({ unreadCount: 0 });
    await store.getState().markConversationRead(8);
    expect(fake.markRead).toHaveBeenCalledTimes(2);
    expect(store.getState().conversations[0]?.unreadCount).toBe(0);
  });

  it('shows a message that committed while the first page was on its way', async () => {
    store.setState({ conversations: [summary(4)], totalUnread: 4 });
    const before = pageWithFiveNew();
    const withoutLast: ChatPage = {
      ...before,
      messages: before.messages.slice(0, -1),
      unread: { count: 4, lastReadMessageId: 2 },
    };
    let answer: (page: ChatPage) => void = () => undefined;
    fake.messagesPage.mockReturnValueOnce(new Promise<ChatPage>((resolve) => (answer = resolve)));
    fake.messagesPage.mockResolvedValueOnce(before);
    const opening = store.getState().openConversation(7);
    // messages.changed for dataset.bin arrives while the page (read before it) is in flight.
    await store.getState().refreshMessages(7);
    answer(withoutLast);
    await opening;
    await vi.waitFor(() => expect(store.getState().chat?.messages).toHaveLength(8));
    expect(fake.messagesPage).toHaveBeenCalledTimes(2);
    expect(store.getState().chat?.messages.at(-1)?.body).toBe('dataset.bin');
  });
});
