/**
 * Strangers this device just contacted (docs/protocol.md §13.4): a peer it
 * sent a contact request, an invite answer or a hello answer to in the last
 * 10 minutes may fetch its person's device list over `/parley/devices/1.0.0`,
 * which is how a stranger checks a linked device that contacted it (§13.6,
 * "Outside groups"). Kept in memory only, bounded: the oldest go first.
 */
export const RECENT_CONTACT_MS = 10 * 60_000;
const MAX_RECENT = 1024;

export class RecentContacts {
  private readonly at = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** We are about to contact `peer` (before the request leaves: it asks for our list while answering). */
  note(peer: string): void {
    this.at.delete(peer);
    this.at.set(peer, this.now());
    while (this.at.size > MAX_RECENT) {
      const oldest = this.at.keys().next().value;
      if (oldest === undefined) break;
      this.at.delete(oldest);
    }
  }

  has(peer: string): boolean {
    const t = this.at.get(peer);
    if (t === undefined) return false;
    if (this.now() - t <= RECENT_CONTACT_MS) return true;
    this.at.delete(peer);
    return false;
  }
}
