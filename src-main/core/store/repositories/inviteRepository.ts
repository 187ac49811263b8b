import type { Db } from '../encryptedDatabase';

/** Our one-time invite tokens (table `invites`), kept only as SHA-256 hashes. */
export class InviteRepository {
  constructor(private readonly db: Db) {}

  create(tokenHash: Uint8Array, now: number, expiresAt: number): void {
    this.db
      .prepare('INSERT INTO invites (token_hash, created_at, expires_at) VALUES (?, ?, ?)')
      .run(Buffer.from(tokenHash), now, expiresAt);
  }

  /** Marks an unused, unexpired token used by `peerId`; false when there is none. */
  consume(tokenHash: Uint8Array, peerId: string, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE invites SET used_at = ?, used_by = ?
           WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
        )
        .run(now, peerId, Buffer.from(tokenHash), now).changes === 1
    );
  }
}
