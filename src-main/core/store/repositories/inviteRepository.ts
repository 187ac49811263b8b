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

  /** One of our tokens by its hash: when it expires and who used it (null when it is not ours). */
  find(tokenHash: Uint8Array): { expiresAt: number; usedAt: number | null; usedBy: string | null } | null {
    const row = this.db
      .prepare('SELECT expires_at, used_at, used_by FROM invites WHERE token_hash = ?')
      .get(Buffer.from(tokenHash)) as
      { expires_at: number; used_at: number | null; used_by: string | null } | undefined;
    return row ? { expiresAt: row.expires_at, usedAt: row.used_at, usedBy: row.used_by } : null;
  }
}
