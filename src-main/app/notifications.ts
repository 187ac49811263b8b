import { eventChannel, type EventPayload } from '../../src-shared/contract';
import type { Core } from '../core/core';

/**
 * OS notifications for the core's `notification` events (issue #6 item 7).
 * The core already decided whether a message deserves one and what it says
 * (per-conversation mode, "show message content"); this shows it, brings the
 * window forward on click and asks the renderer to open the conversation.
 * Nothing is shown while the window has focus: the list and the open chat
 * already show what is new.
 *
 * Locked: messaging stops on lock, so no new `notification` events come; one
 * that was already on its way when the lock happened is shown as "Parley —
 * New message", never with content, and every notification this app showed
 * is closed on lock so no content stays on screen.
 */

/** The part of Electron's Notification used here. */
export interface NotificationLike {
  show(): void;
  close(): void;
  on(event: 'click' | 'close', listener: () => void): unknown;
}

export interface NotifierDeps {
  /** Electron's `Notification.isSupported()`. */
  isSupported(): boolean;
  create(options: { title: string; body: string }): NotificationLike;
  /** The user is looking at the window: the list and the open chat already show what is new. */
  isWindowFocused(): boolean;
  /** Restores, shows and focuses the main window (opening one if none). */
  focusWindow(): void;
  /** Sends an event to the renderer (webContents.send), if a window exists. */
  sendToRenderer(channel: string, payload: unknown): void;
  /**
   * The notification server reads the body as markup: true on Linux, where
   * Electron hands it to a freedesktop notification server (see
   * escapeNotificationMarkup).
   */
  bodyIsMarkup?: boolean;
}

/**
 * Freedesktop notification servers may read a notification's body as markup
 * (Desktop Notifications Specification, "Markup": <b>, <i>, <u>, <a href>,
 * <img src>). The body quotes other people's messages: unescaped, a message
 * could hide its text, pose as a link or make the server load an image. Its
 * `&`, `<` and `>` are escaped so it shows exactly as typed.
 */
export function escapeNotificationMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** At most this many notifications are kept to be closed on lock; the OS keeps fewer anyway. */
const MAX_TRACKED = 50;

/** Shows notifications until the returned function is called. */
export function wireNotifications(onEvent: Core['onEvent'], deps: NotifierDeps): () => void {
  let unlocked = false;
  const shown = new Set<NotificationLike>();
  const closeAll = () => {
    for (const n of shown) n.close();
    shown.clear();
  };
  const stop = onEvent((name, payload) => {
    if (name === 'profile.changed') {
      unlocked = (payload as EventPayload<'profile.changed'>).state === 'unlocked';
      if (!unlocked) closeAll();
      return;
    }
    if (name !== 'notifications.show' || !deps.isSupported() || deps.isWindowFocused()) return;
    const event = payload as EventPayload<'notifications.show'>;
    const text = unlocked
      ? { title: event.title, body: event.body }
      : { title: 'Parley', body: 'New message' };
    const notification = deps.create(
      deps.bodyIsMarkup ? { ...text, body: escapeNotificationMarkup(text.body) } : text,
    );
    notification.on('click', () => {
      deps.focusWindow();
      deps.sendToRenderer(eventChannel('notifications.open'), { conversationId: event.conversationId });
    });
    notification.on('close', () => shown.delete(notification));
    shown.add(notification);
    if (shown.size > MAX_TRACKED) {
      const [oldest] = shown;
      if (oldest) shown.delete(oldest);
    }
    notification.show();
  });
  return () => {
    stop();
    closeAll();
  };
}
