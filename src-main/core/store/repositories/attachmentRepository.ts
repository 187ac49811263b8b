import { durabilityOf } from '../durability';
import type { Db } from '../encryptedDatabase';
import { prepared } from '../prepared';

/**
 * The `attachments` rows (migrations 0002 + 0011) joined with their message.
 * One attachment per file message; its bytes are `<uid>.pfe` in the
 * attachments folder, sealed chunk after sealed chunk (core/files), never
 * plaintext. The file key and hash live here, in the encrypted database.
 */

/** The same states as the contract's FileState (core/files maps one onto the other). */
export type AttachmentState = 'pending' | 'transferring' | 'complete' | 'failed' | 'cancelled';

export interface AttachmentRow {
  id: number;
  message_id: number;
  conversation_id: number;
  uid: string;
  outgoing: number;
  name: string;
  mime: string;
  size: number;
  sha256: Buffer;
  file_key: Buffer;
  path: string | null;
  state: AttachmentState;
  transferred: number;
  width: number | null;
  height: number | null;
  thumbnail: Buffer | null;
  chunk_size: number;
  chunk_count: number;
  source_peer: string | null;
  error: string | null;
}

const SELECT = `SELECT a.id, a.message_id, m.conversation_id, m.uid, m.outgoing, a.name, a.mime, a.size,
  a.sha256, a.file_key, a.path, a.state, a.transferred, a.width, a.height, a.thumbnail,
  a.chunk_size, a.chunk_count, a.source_peer, a.error
  FROM attachments a JOIN messages m ON m.id = a.message_id`;

export interface NewAttachment {
  messageId: number;
  name: string;
  mime: string;
  size: number;
  sha256: Uint8Array;
  key: Uint8Array;
  path: string | null;
  state: AttachmentState;
  transferred: number;
  thumbnail: { bytes: Uint8Array; width: number; height: number } | null;
  chunkSize: number;
  chunkCount: number;
  sourcePeer: string | null;
  error: string | null;
  createdAt: number;
}

export class AttachmentRepository {
  constructor(private readonly db: Db) {}

  insert(a: NewAttachment): number {
    const info = prepared(
      this.db,
      `INSERT INTO attachments (message_id, name, mime, size, sha256, file_key, path, state, transferred,
         width, height, thumbnail, created_at, chunk_size, chunk_count, source_peer, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      a.messageId,
      a.name,
      a.mime,
      a.size,
      Buffer.from(a.sha256),
      Buffer.from(a.key),
      a.path,
      a.state,
      a.transferred,
      a.thumbnail?.width ?? null,
      a.thumbnail?.height ?? null,
      a.thumbnail ? Buffer.from(a.thumbnail.bytes) : null,
      a.createdAt,
      a.chunkSize,
      a.chunkCount,
      a.sourcePeer,
      a.error,
    );
    return Number(info.lastInsertRowid);
  }

  get(id: number): AttachmentRow | null {
    return (prepared(this.db, `${SELECT} WHERE a.id = ?`).get(id) as AttachmentRow | undefined) ?? null;
  }

  byUid(uid: string): AttachmentRow | null {
    return (prepared(this.db, `${SELECT} WHERE m.uid = ?`).get(uid) as AttachmentRow | undefined) ?? null;
  }

  forMessages(ids: readonly number[]): AttachmentRow[] {
    if (ids.length === 0) return [];
    const marks = ids.map(() => '?').join(', ');
    return this.db
      .prepare(`${SELECT} WHERE a.message_id IN (${marks}) ORDER BY a.id`)
      .all(...ids) as AttachmentRow[];
  }

  /**
   * Files to fetch: interrupted ones, and pending ones no bigger than `autoMax`. Incoming ones, and
   * outgoing ones sent from another device of this person (a history import leaves them pending,
   * issue 18 §13.7); a file sent from this device is complete or cancelled, never pending.
   */
  resumable(autoMax: number): AttachmentRow[] {
    return prepared(
      this.db,
      `${SELECT} WHERE (a.state = 'transferring' OR (a.state = 'pending' AND a.size <= ?))
       ORDER BY a.id LIMIT 256`,
    ).all(autoMax) as AttachmentRow[];
  }

  setState(
    id: number,
    state: AttachmentState,
    fields: { transferred?: number; error?: string | null; path?: string | null } = {},
  ): void {
    prepared(
      this.db,
      `UPDATE attachments SET state = ?,
         transferred = coalesce(?, transferred),
         error = CASE WHEN ? THEN ? ELSE error END,
         path = CASE WHEN ? THEN ? ELSE path END
       WHERE id = ?`,
    ).run(
      state,
      fields.transferred ?? null,
      fields.error !== undefined ? 1 : 0,
      fields.error ?? null,
      fields.path !== undefined ? 1 : 0,
      fields.path ?? null,
      id,
    );
  }

  /**
   * Progress of a running download; a no-op once it was cancelled. Committed
   * without waiting for the disk (store/durability.ts): the caller made the
   * bytes durable first, and a mark lost to a power cut only means those
   * chunks are fetched again.
   */
  setTransferred(id: number, transferred: number): void {
    durabilityOf(this.db).lazy(() =>
      prepared(this.db, `UPDATE attachments SET transferred = ? WHERE id = ? AND state = 'transferring'`).run(
        transferred,
        id,
      ),
    );
  }

  /** Whether `peer` is a device of a member of `conversationId` (who may fetch its files). */
  isMemberDevice(peer: string, conversationId: number): boolean {
    return (
      prepared(
        this.db,
        `SELECT 1 FROM devices d JOIN members mb ON mb.identity_key = d.identity_key
         WHERE d.peer_id = ? AND mb.conversation_id = ? LIMIT 1`,
      ).get(peer, conversationId) !== undefined
    );
  }

  /** Devices of the conversation's members other than `self`, for fetching from whoever has the file. */
  memberDevices(conversationId: number, self: string): string[] {
    return (
      prepared(
        this.db,
        `SELECT DISTINCT d.peer_id FROM devices d JOIN members mb ON mb.identity_key = d.identity_key
         WHERE mb.conversation_id = ? AND d.peer_id != ? ORDER BY d.peer_id`,
      ).all(conversationId, self) as { peer_id: string }[]
    ).map((r) => r.peer_id);
  }
}
