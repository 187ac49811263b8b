import { describe, expect, it } from 'vitest';
import { eventChannel } from '../../src-shared/contract';
import { EventBus } from '../core/rpc/eventBus';
import {
  escapeNotificationMarkup,
  wireNotifications,
  type NotificationLike,
  type NotifierDeps,
} from './notifications';

/** A stand-in for Electron's Notification, the window and its webContents. */
function fakeShell(supported = true, focused = false) {
  const created: { title: string; body: string; shown: boolean; closed: boolean; click: () => void }[] = [];
  const log: string[] = [];
  const deps: NotifierDeps = {
    isSupported: () => supported,
    isWindowFocused: () => focused,
    create(options) {
      const entry = { ...options, shown: false, closed: false, click: () => undefined };
      const listeners: Record<string, (() => void)[]> = {};
      const n: NotificationLike = {
        show: () => {
          entry.shown = true;
        },
        close: () => {
          entry.closed = true;
          for (const l of listeners.close ?? []) l();
        },
        on: (event, listener) => {
          (listeners[event] ??= []).push(listener);
          return n;
        },
      };
      entry.click = () => {
        for (const l of listeners.click ?? []) l();
      };
      created.push(entry);
      return n;
    },
    focusWindow: () => log.push('focus'),
    sendToRenderer: (channel, payload) => log.push(`${channel} ${JSON.stringify(payload)}`),
  };
  return { deps, created, log };
}

const unlocked = { state: 'unlocked', displayName: 'Bob' } as const;
const locked = { state: 'locked' } as const;
const note = { conversationId: 7, messageId: 42, title: 'Ada', body: 'lunch?' };

function setup(supported = true, focused = false) {
  const bus = new EventBus();
  const shell = fakeShell(supported, focused);
  const stop = wireNotifications((listener) => bus.on(listener), shell.deps);
  return { bus, stop, ...shell };
}

describe('wireNotifications', () => {
  it('shows the core notification; a click focuses the window and opens the conversation', () => {
    const { bus, created, log } = setup();
    bus.emit('profile.changed', unlocked);
    bus.emit('notifications.show', note);
    expect(created.map((n) => [n.title, n.body, n.shown])).toEqual([['Ada', 'lunch?', true]]);
    created[0]?.click();
    expect(log).toEqual(['focus', `${eventChannel('notifications.open')} {"conversationId":7}`]);
  });

  it('shows no content while locked and closes what it showed when the profile locks', () => {
    const { bus, created } = setup();
    bus.emit('profile.changed', unlocked);
    bus.emit('notifications.show', note);
    bus.emit('profile.changed', locked);
    expect(created[0]?.closed).toBe(true);
    // One that was already on its way when the lock happened.
    bus.emit('notifications.show', note);
    expect(created[1]).toMatchObject({ title: 'Parley', body: 'New message', shown: true });
  });

  it('does nothing where the OS has no notifications, and stops when told', () => {
    const none = setup(false);
    none.bus.emit('profile.changed', unlocked);
    none.bus.emit('notifications.show', note);
    expect(none.created).toEqual([]);

    const { bus, created, stop } = setup();
    bus.emit('profile.changed', unlocked);
    bus.emit('notifications.show', note);
    stop();
    expect(created[0]?.closed).toBe(true);
    bus.emit('notifications.show', note);
    expect(created).toHaveLength(1);
  });

  it('stays quiet while the user is looking at the window', () => {
    const { bus, created } = setup(true, true);
    bus.emit('profile.changed', unlocked);
    bus.emit('notifications.show', note);
    expect(created).toEqual([]);
  });

  it('ignores other events', () => {
    const { bus, created } = setup();
    bus.emit('profile.changed', unlocked);
    bus.emit('messages.changed', { conversationId: 7 });
    expect(created).toEqual([]);
  });
});

describe('notification bodies on Linux', () => {
  it('show another person’s text as typed, never as markup', () => {
    expect(escapeNotificationMarkup('<b>hi</b> & <img src="http://x/t.png">')).toBe(
      '&lt;b&gt;hi&lt;/b&gt; &amp; &lt;img src="http://x/t.png"&gt;',
    );
    const bus = new EventBus();
    const shell = fakeShell();
    wireNotifications((listener) => bus.on(listener), { ...shell.deps, bodyIsMarkup: true });
    bus.emit('profile.changed', unlocked);
    bus.emit('notifications.show', { ...note, body: 'Ada: <a href="http://evil">bank</a>' });
    expect(shell.created.map((n) => n.body)).toEqual(['Ada: &lt;a href="http://evil"&gt;bank&lt;/a&gt;']);
  });
});
