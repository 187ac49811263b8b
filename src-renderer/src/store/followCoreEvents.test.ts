import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '../api/client';
import type { AppState } from './appStore';
import { followCoreEvents } from './followCoreEvents';

/**
 * The window's event wiring against a fake api: the core's events reach the
 * store, and a lost connection recovers by itself (a failed start is retried,
 * a reopened socket re-reads what its missed events would have said).
 */

type Listener = (payload: unknown) => void;

const fake = vi.hoisted(() => {
  const listeners = new Map<string, Listener[]>();
  const on = (name: string) => (listener: Listener) => {
    listeners.set(name, [...(listeners.get(name) ?? []), listener]);
    return () =>
      listeners.set(
        name,
        (listeners.get(name) ?? []).filter((l) => l !== listener),
      );
  };
  return {
    listeners,
    emit: (name: string, payload?: unknown) => {
      for (const l of listeners.get(name) ?? []) l(payload);
    },
    connection: { state: 'connecting' as string },
    api: {
      connectionState: () => fake.connection.state,
      onProfileChanged: on('profile'),
      onNetStatus: on('net'),
      onMessagesChanged: on('messages'),
      onConversationsChanged: on('conversations'),
      onContactsChanged: on('contacts'),
      onFileProgress: on('fileProgress'),
      onFileChanged: on('fileChanged'),
      onHistoryProgress: on('historyProgress'),
      onOpenInvite: on('openInvite'),
      onConnectionChange: on('connection'),
    },
  };
});

vi.mock('../api/client', () => ({ api: fake.api }));

function fakeStore(phase: AppState['phase']) {
  const state = {
    phase,
    applyStatus: vi.fn(),
    loadNetwork: vi.fn(() => Promise.resolve()),
    applyNetState: vi.fn(),
    refreshMessages: vi.fn(() => Promise.resolve()),
    loadConversations: vi.fn(() => Promise.resolve()),
    loadContacts: vi.fn(() => Promise.resolve()),
    applyFileProgress: vi.fn(),
    applyFileChanged: vi.fn(),
    applyHistoryProgress: vi.fn(),
    openInvite: vi.fn(),
    setConnection: vi.fn(),
    start: vi.fn(() => Promise.resolve()),
    refreshStatus: vi.fn(() => Promise.resolve()),
  };
  return { state, store: { getState: () => state as unknown as AppState } };
}

const open = (state: ConnectionState) => fake.emit('connection', state);

beforeEach(() => {
  fake.listeners.clear();
  fake.connection.state = 'connecting';
});

describe('following the core', () => {
  it('applies the profile state, and reads the network once unlocked', () => {
    const { state, store } = fakeStore('ready');
    followCoreEvents(store);
    fake.emit('profile', { state: 'locked' });
    expect(state.applyStatus).toHaveBeenCalledWith({ state: 'locked' });
    expect(state.loadNetwork).not.toHaveBeenCalled();
    fake.emit('profile', { state: 'unlocked' });
    expect(state.loadNetwork).toHaveBeenCalledTimes(1);
  });

  it('refreshes what changed: the open chat, the home list, the contacts, files', () => {
    const { state, store } = fakeStore('ready');
    followCoreEvents(store);
    fake.emit('messages', { conversationId: 7 });
    fake.emit('conversations');
    fake.emit('contacts');
    fake.emit('fileChanged', { messageId: 3 });
    expect(state.refreshMessages).toHaveBeenCalledWith(7);
    expect(state.loadConversations).toHaveBeenCalledTimes(1);
    expect(state.loadContacts).toHaveBeenCalledTimes(1);
    expect(state.applyFileChanged).toHaveBeenCalledWith({ messageId: 3 });
  });

  it('keeps an invite link that opened the app for Add contact', () => {
    const { state, store } = fakeStore('ready');
    followCoreEvents(store);
    fake.emit('openInvite', 'parley://invite/abc');
    expect(state.openInvite).toHaveBeenCalledWith('parley://invite/abc');
  });

  it('retries a start that failed because the core was not there yet', () => {
    const { state, store } = fakeStore('failed');
    followCoreEvents(store);
    open('open');
    expect(state.setConnection).toHaveBeenCalledWith('open');
    expect(state.start).toHaveBeenCalledTimes(1);
  });

  it('re-reads the status after a reconnect, not on the first open', () => {
    const { state, store } = fakeStore('ready');
    followCoreEvents(store);
    open('open');
    expect(state.refreshStatus).not.toHaveBeenCalled();
    open('closed');
    open('open');
    expect(state.refreshStatus).toHaveBeenCalledTimes(1);
  });

  it('stops listening when unsubscribed', () => {
    const { state, store } = fakeStore('ready');
    const stop = followCoreEvents(store);
    stop();
    fake.emit('conversations');
    open('open');
    expect(state.loadConversations).not.toHaveBeenCalled();
    expect(state.setConnection).not.toHaveBeenCalled();
  });
});
