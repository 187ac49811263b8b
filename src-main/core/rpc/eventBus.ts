import type { EventName, EventPayload } from '../../../src-shared/contract';
import { stripBidiControls, withCleanNames } from '../../../src-shared/contract/bidi';

export type EventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/** Fan-out of core events to every attached shell (Electron windows, WebSocket clients). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    // Names in events (typing, notifications) are shown like names in replies (issue #14 item 12);
    // a notification's body goes to the OS as one line of text, so it is cleaned too.
    let clean = withCleanNames(payload);
    if (name === 'notifications.show') {
      const n = clean as EventPayload<'notifications.show'>;
      clean = { ...n, body: stripBidiControls(n.body) } as EventPayload<E>;
    }
    for (const listener of this.listeners) listener(name, clean);
  }

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
