import type { Db } from '../encryptedDatabase';

/** A contact request from someone who is not a contact yet, waiting for the user's answer. */
export interface StoredContactRequest {
  id: number;
  peerId: string;
  identityKey: Buffer;
  displayName: string;
  message: string;
  receivedAt: number;
  /** The requesting device showed a valid certificate by the identity key it claims. */
  proven: boolean;
  certificate: Uint8Array | null;
}

interface Row {
  id: number;
  peer_id: string;
  identity_key: Buffer;
  display_name: string;
  message: string;
  received_at: number;
  proven: number;
  certificate: Buffer | null;
}

const toRequest = (r: Row): StoredContactRequest => ({
  id: r.id,
  peerId: r.peer_id,
  identityKey: r.identity_key,
  displayName: r.display_name,
  message: r.message,
  receivedAt: r.received_at,
  proven: r.proven === 1,
  certificate: r.certificate ? new Uint8Array(r.certificate) : null,
});

/**
 * Contact requests (table `contact_requests`): pending ones wait for the
 * user; accepted and declined ones are kept a while so a repeated request
 * from a declined device stays quiet, then forgotten (`prune`).
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

  /**
   * Records (or refreshes) a pending request from `peerId`. A device whose
   * earlier request the user declined or accepted is not asked about again
   * while that answer is remembered. Returns whether a pending row now exists.
   */
  recordPending(r: Omit<StoredContactRequest, 'id'>): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO contact_requests
           (peer_id, identity_key, display_name, message, received_at, state, proven, certificate)
         VALUES (@peerId, @identityKey, @displayName, @message, @receivedAt, 'pending', @proven, @certificate)
         ON CONFLICT (peer_id) DO UPDATE SET identity_key = excluded.identity_key,
           display_name = excluded.display_name, message = excluded.message,
           received_at = excluded.received_at, proven = excluded.proven, certificate = excluded.certificate
         WHERE contact_requests.state = 'pending'`,
      )
      .run({
        peerId: r.peerId,
        identityKey: r.identityKey,
        displayName: r.displayName,
        message: r.message,
        receivedAt: r.receivedAt,
        proven: r.proven ? 1 : 0,
        certificate: r.certificate ? Buffer.from(r.certificate) : null,
      });
    return result.changes === 1;
  }

  /** Pending requests, oldest first. */
  pending(): StoredContactRequest[] {
    return (
      this.db
        .prepare(
          `SELECT id, peer_id, identity_key, display_name, message, received_at, proven, certificate
           FROM contact_requests WHERE state = 'pending' ORDER BY received_at, id`,
        )
        .all() as Row[]
    ).map(toRequest);
  }

  getPending(id: number): StoredContactRequest | null {
    const r = this.db
      .prepare(
        `SELECT id, peer_id, identity_key, display_name, message, received_at, proven, certificate
         FROM contact_requests WHERE id = ? AND state = 'pending'`,
      )
      .get(id) as Row | undefined;
    return r ? toRequest(r) : null;
  }

  markAccepted(id: number, now: number): void {
    this.db
      .prepare(`UPDATE contact_requests SET state = 'accepted', answered_at = ? WHERE id = ?`)
      .run(now, id);
  }

  decline(id: number, now: number): void {
    this.db
      .prepare(
        `UPDATE contact_requests SET state = 'declined', answered_at = ? WHERE id = ? AND state = 'pending'`,
      )
      .run(now, id);
  }

  /**
   * Forgets what is older than `ttlMs` (pending requests expire; answered ones
   * stop being remembered) and, beyond `maxPending` pending requests, the
   * oldest ones. Returns how many rows went.
   */
  prune(now: number, limits: { ttlMs: number; maxPending: number }): number {
    const cutoff = now - limits.ttlMs;
    const expired = this.db
      .prepare(
        `DELETE FROM contact_requests
         WHERE (state = 'pending' AND received_at < ?) OR (state != 'pending' AND answered_at < ?)`,
      )
      .run(cutoff, cutoff).changes;
    const overflow = this.db
      .prepare(
        `DELETE FROM contact_requests WHERE id IN (
           SELECT id FROM contact_requests WHERE state = 'pending'
           ORDER BY received_at DESC, id DESC LIMIT -1 OFFSET ?)`,
      )
      .run(limits.maxPending).changes;
    return expired + overflow;
  }
}
