import type { StateCreator } from 'zustand';
import type { AppInfo, ErrorPayload, ProfileStatus } from '../../../src-shared/contract';
import { api, toErrorPayload, type ConnectionState, type Refusal } from '../api/client';
import { setTimeLocale } from '../lib/time';
import type { AppState } from './appStore';

/** What the window knows about the core: who it is talking to and the profile's state. */
export interface SessionSlice {
  /** 'starting' until the first status arrives; 'failed' when the core could not be reached at all. */
  phase: 'starting' | 'ready' | 'failed';
  startupError: ErrorPayload | null;
  appInfo: AppInfo | null;
  status: ProfileStatus | null;
  connection: ConnectionState;
  /** Why the web shell refused this tab (with connection 'refused'): the screen says what to do. */
  connectionRefusal: Refusal | null;
  /** "Unlock with this device" was tried by itself: once per window, never in a loop after a failure. */
  deviceUnlockTried: boolean;

  /** Loads app info and profile status; safe to call again (the "Try again" button does). */
  start(): Promise<void>;
  /** Re-reads the status, e.g. after a reconnect during which events may have been missed. */
  refreshStatus(): Promise<void>;
  applyStatus(status: ProfileStatus): void;
  setConnection(state: ConnectionState): void;
}

/** What an unlocked session shows; cleared when the profile locks so nothing lingers on the lock screen. */
const LOCKED_VIEW: Partial<AppState> = {
  chat: null,
  conversations: [],
  conversationsLoaded: false,
  conversationFilter: '',
  totalUnread: 0,
  searchOpen: false,
  searchText: '',
  searchHits: [],
  searchProblems: [],
  searchAnswered: null,
  restoreNotice: null,
  view: 'chat',
};

export const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set, get) => ({
  phase: 'starting',
  startupError: null,
  appInfo: null,
  status: null,
  connection: api.connectionState(),
  connectionRefusal: api.connectionRefusal(),
  deviceUnlockTried: false,

  async start() {
    set({ phase: 'starting', startupError: null });
    try {
      const [appInfo, status] = await Promise.all([api.appInfo(), api.profileStatus()]);
      // Before anything shows a time: every time in the window follows the OS region format.
      setTimeLocale(appInfo.timeLocale);
      set({ appInfo, phase: 'ready', startupError: null });
      get().applyStatus(status);
      if (status.state === 'locked' && status.remembered && !get().deviceUnlockTried) {
        set({ deviceUnlockTried: true });
        void get().unlockWithDevice();
      }
    } catch (err) {
      set({ phase: 'failed', startupError: toErrorPayload(err) });
    }
  },

  async refreshStatus() {
    if (get().phase !== 'ready') {
      await get().start();
      return;
    }
    try {
      get().applyStatus(await api.profileStatus());
    } catch {
      // The connection indicator already tells the user; the next reconnect retries.
    }
  },

  applyStatus(status) {
    const previous = get().status;
    // An error belongs to the screen it was raised on; a new state means a new screen.
    const stateChanged = previous?.state !== status.state;
    if (!stateChanged) {
      set({ status });
      return;
    }
    set(status.state === 'unlocked' ? { status, error: null } : { ...LOCKED_VIEW, status, error: null });
  },

  setConnection(connection) {
    set({ connection, connectionRefusal: connection === 'refused' ? api.connectionRefusal() : null });
  },
});
