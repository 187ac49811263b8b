/**
 * "Reachable through <name>" (issue 13, deliver 2): for a contact device we
 * are not connected to, the connected contact that last told us (in an
 * address exchange) that it is connected to that device right now. What we
 * send it then goes to that contact as a holder and is handed over at once.
 * An entry ends when we connect to the device ourselves, when the contact it
 * goes through disconnects or answers otherwise, or after `ttlMs` without
 * being confirmed.
 */
export class Reachability {
  private readonly via = new Map<string, { through: string; at: number }>();

  constructor(
    private readonly now: () => number,
    private readonly onChange: () => void,
    private readonly ttlMs: number,
  ) {}

  /** The connected contact device `peer` is reachable through, or null. */
  through(peer: string): string | null {
    const entry = this.via.get(peer);
    if (!entry || this.now() - entry.at > this.ttlMs) return null;
    return entry.through;
  }

  /** `answerer` was asked about `asked` and said it is connected to `reachable`. */
  answered(answerer: string, asked: readonly string[], reachable: readonly string[]): void {
    let changed = false;
    const now = this.now();
    const yes = new Set(reachable);
    for (const peer of asked) {
      const entry = this.via.get(peer);
      if (yes.has(peer)) {
        // Keep the first contact that reaches it while it still does: no flapping between two.
        if (!entry || entry.through === answerer || now - entry.at > this.ttlMs) {
          if (entry?.through !== answerer) changed = true;
          this.via.set(peer, { through: answerer, at: now });
        }
      } else if (entry?.through === answerer) {
        this.via.delete(peer);
        changed = true;
      }
    }
    if (changed) this.onChange();
  }

  /** A connection came or went: direct now, or a path through `peer` is gone. */
  peerChanged(peer: string, connected: boolean): void {
    let changed = false;
    if (connected) changed = this.via.delete(peer);
    else {
      for (const [target, entry] of this.via) {
        if (entry.through === peer) {
          this.via.delete(target);
          changed = true;
        }
      }
    }
    if (changed) this.onChange();
  }

  /** Drops entries nobody confirmed within the TTL. */
  expire(): void {
    const cutoff = this.now() - this.ttlMs;
    let changed = false;
    for (const [target, entry] of this.via) {
      if (entry.at < cutoff) {
        this.via.delete(target);
        changed = true;
      }
    }
    if (changed) this.onChange();
  }
}
