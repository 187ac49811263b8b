import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { EventPayload } from '../../../src-shared/contract';
import type { AppState } from './appStore';
import { createConversationSettingsSlice } from './conversationSettingsSlice';

/**
 * Notifications while home is shown: clicking one opens its conversation in
 * front of search and settings; only the web shell shows the core's
 * notifications itself (Electron main shows OS ones, never twice).
 */

type Listener = (payload: unknown) => void;

const fake = vi.hoisted(() => {
  const listeners: Record<string, Listener[]> = {};
  const on = (name: string) => (listener: Listener) => {
    (listeners[name] ??= []).push(listener);
    return () => {
      listeners[name] = (listeners[name] ?? []).filter((l) => l !== listener);
    };
  };
  return {
    listeners,
    emit: (name: string, payload: unknown) => {
      for (const l of listeners[name] ?? []) l(payload);
    },
    api: { onNotification: on('notification'), onNotificationOpen: on('open') },
  };
});

vi.mock('../api/client', () => ({
  api: fake.api,
  toErrorPayload: () => ({ code: 'INTERNAL', message: '' }),
}));

const NOTE: EventPayload<'notifications.show'> = {
  conversationId: 7,
  messageId: 70,
  title: 'Bob',
  body: 'lunch?',
};

let store: UseBoundStore<StoreApi<AppState>>;
const closeSearch = vi.fn();
const showView = vi.fn();
const openConversation = vi.fn(() => Promise.resolve());

function make(shell: 'web' | 'electron') {
  store = create<AppState>()(
    (...args) =>
      ({
        ...createConversationSettingsSlice(...args),
        appInfo: { shell },
        closeSearch,
        showView,
        openConversation,
      }) as unknown as AppState,
  );
}

beforeEach(() => {
  for (const key of Object.keys(fake.listeners)) delete fake.listeners[key];
  for (const f of [closeSearch, showView, openConversation]) f.mockClear();
});

describe('notifications', () => {
  it('a clicked notification opens its conversation in the chat view, search closed', () => {
    make('electron');
    store.getState().watchNotifications(() => undefined);
    fake.emit('open', { conversationId: 7 });
    expect(closeSearch).toHaveBeenCalled();
    expect(showView).toHaveBeenCalledWith('chat');
    expect(openConversation).toHaveBeenCalledWith(7);
  });

  it('the web shell shows the core’s notifications; the app leaves them to the OS', () => {
    const shown: unknown[] = [];
    make('web');
    const stop = store.getState().watchNotifications((note) => shown.push(note));
    fake.emit('notification', NOTE);
    expect(shown).toEqual([NOTE]);
    stop();
    fake.emit('notification', NOTE);
    expect(shown).toHaveLength(1);

    make('electron');
    store.getState().watchNotifications((note) => shown.push(note));
    fake.emit('notification', NOTE);
    expect(shown).toHaveLength(1);
  });
});
