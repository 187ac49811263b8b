import type { Db } from '../encryptedDatabase';

/**
 * Contact requests from people who are not contacts yet (table
 * `contact_requests`), waiting for the user's answer.
 */
export class ContactRequestRepository {
  constructor(private readonly db: Db) {}

  /** A request from this device waits for the user's answer. */
  hasPending(peerId: string): boolean {
    return (
      this.db
        .prepare(`SELECT 1 FROM contact_requests WHERE peer_id = ? AND state = 'pending'`)
        .get(peerId) !== undefined
    );
  }
}
