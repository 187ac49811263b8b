import type { EventName, EventPayload } from '../../../src-preload/contract';

export type EventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/** Fan-out of core events to every attached shell (Electron windows, WebSocket clients). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) listener(name, payload);
  }

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
