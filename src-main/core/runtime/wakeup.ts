/**
 * A wake-up call from a lower service to one built on top of it: messaging
 * queues envelopes in the outbox and fires; delivery, which needs messaging
 * as its sink and so is built after it, listens and sends them. Listening is
 * registration, not a binding that may still be missing: with no listener a
 * fire does nothing, and the queued envelopes wait for delivery's next pass.
 */
export class Wakeup {
  private readonly listeners = new Set<() => void>();

  fire(): void {
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` on every fire; returns what stops it. */
  on(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
