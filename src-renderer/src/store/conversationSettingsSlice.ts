import type { StateCreator } from 'zustand';
import type { ErrorPayload, EventPayload, RequestParams } from '../../../src-shared/contract';
import type { NotificationPrefs } from '../../../src-shared/contract/areas/notifications';
import { api, toErrorPayload } from '../api/client';
import type { AppState } from './appStore';

export type NotifyModeName = RequestParams<'conversations.setNotify'>['mode'];

/**
 * Per-conversation settings (disappearing timer, notifications, read,
 * leave), the notification preferences and the shortcuts help dialog.
 */
export interface ConversationSettingsSlice {
  notificationPrefs: NotificationPrefs | null;
  /** The last conversation action that failed, shown until dismissed. */
  conversationActionError: ErrorPayload | null;
  shortcutsHelpOpen: boolean;
  loadNotificationPrefs(): Promise<void>;
  setShowNotificationContent(showContent: boolean): Promise<void>;
  setConversationTimer(conversationId: number, ms: number | null): Promise<void>;
  setConversationNotify(conversationId: number, mode: NotifyModeName): Promise<void>;
  markConversationReadById(conversationId: number): Promise<void>;
  markAllConversationsRead(): Promise<void>;
  leaveConversationById(conversationId: number): Promise<void>;
  clearConversationActionError(): void;
  setShortcutsHelpOpen(open: boolean): void;
  /** A clicked notification: its conversation, in front of search and settings. */
  openFromNotification(conversationId: number): void;
  /**
   * While home is shown: a notification clicked in the OS opens its
   * conversation (Electron sends notifications.open), and in the web shell
   * each of the core's notifications goes to `show` (the browser's own
   * notifications; Electron main shows OS ones itself). Returns the unsubscribe.
   */
  watchNotifications(show: (note: EventPayload<'notifications.show'>) => void): () => void;
}

export const createConversationSettingsSlice: StateCreator<AppState, [], [], ConversationSettingsSlice> = (
  set,
  get,
) => {
  /** Applies a change to one row of the list at once; the conversations.changed event confirms it. */
  const patch = (conversationId: number, change: Partial<AppState['conversations'][number]>) =>
    set({
      conversations: get().conversations.map((c) => (c.id === conversationId ? { ...c, ...change } : c)),
    });
  const attempt = async (run: () => Promise<void>) => {
    try {
      await run();
      set({ conversationActionError: null });
    } catch (err) {
      set({ conversationActionError: toErrorPayload(err) });
    }
  };

  return {
    notificationPrefs: null,
    conversationActionError: null,
    shortcutsHelpOpen: false,
    async loadNotificationPrefs() {
      await attempt(async () => set({ notificationPrefs: await api.notificationPrefs() }));
    },
    async setShowNotificationContent(showContent) {
      // The switch moves at once; the core's answer (or the old value on failure) settles it.
      const before = get().notificationPrefs;
      set({ notificationPrefs: { showContent } });
      await attempt(async () => {
        try {
          set({ notificationPrefs: await api.setNotificationPrefs({ showContent }) });
        } catch (err) {
          set({ notificationPrefs: before });
          throw err;
        }
      });
    },
    async setConversationTimer(conversationId, ms) {
      await attempt(async () => {
        const { disappearAfterMs } = await api.setTimer(conversationId, ms);
        patch(conversationId, { disappearAfterMs });
      });
    },
    async setConversationNotify(conversationId, mode) {
      await attempt(async () => {
        const { notify } = await api.setNotify(conversationId, mode);
        const before = get().conversations.find((c) => c.id === conversationId);
        patch(conversationId, { notify });
        if (before) {
          // Muted conversations do not count in the window title.
          const counted = (m: string) => (m === 'muted' ? 0 : before.unreadCount);
          set({ totalUnread: Math.max(0, get().totalUnread - counted(before.notify) + counted(notify)) });
        }
      });
    },
    async markConversationReadById(conversationId) {
      await attempt(async () => {
        const { unreadCount } = await api.markRead(conversationId);
        get().setUnread(conversationId, unreadCount);
      });
    },
    async markAllConversationsRead() {
      await attempt(async () => {
        await api.markAllRead();
        await get().loadConversations();
      });
    },
    async leaveConversationById(conversationId) {
      await attempt(async () => {
        await api.leaveConversation(conversationId);
        await get().loadConversations();
      });
    },
    clearConversationActionError: () => set({ conversationActionError: null }),
    setShortcutsHelpOpen: (open) => set({ shortcutsHelpOpen: open }),
    openFromNotification(conversationId) {
      get().closeSearch();
      get().showView('chat');
      void get().openConversation(conversationId);
    },
    watchNotifications(show) {
      const stopOpen = api.onNotificationOpen(({ conversationId }) =>
        get().openFromNotification(conversationId),
      );
      const stopShow = api.onNotification((note) => {
        if (get().appInfo?.shell === 'web') show(note);
      });
      return () => {
        stopOpen();
        stopShow();
      };
    },
  };
};
