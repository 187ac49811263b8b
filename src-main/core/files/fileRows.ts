import type { FileSettings, FileState, FileView } from '../../../src-preload/contract/areas/files';
import type { Db } from '../store/encryptedDatabase';
import { imageMime } from '../util/imageType';

/**
 * The `attachments` rows (migrations 0002 + 0011) joined with their message,
 * the file settings, and how a row looks to the UI. One attachment per file
 * message; its bytes are `<uid>.pfe` in the attachments folder, sealed chunk
 * after sealed chunk (fileCrypto.ts), never plaintext.
 */

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
  state: FileState;
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
  state: FileState;
  transferred: number;
  thumbnail: { bytes: Uint8Array; width: number; height: number } | null;
  chunkSize: number;
  chunkCount: number;
  sourcePeer: string | null;
  error: string | null;
  createdAt: number;
}

export class AttachmentRows {
  constructor(private readonly db: Db) {}

  insert(a: NewAttachment): number {
    const info = this.db
      .prepare(
        `INSERT INTO attachments (message_id, name, mime, size, sha256, file_key, path, state, transferred,
           width, height, thumbnail, created_at, chunk_size, chunk_count, source_peer, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
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
    return (this.db.prepare(`${SELECT} WHERE a.id = ?`).get(id) as AttachmentRow | undefined) ?? null;
  }

  byUid(uid: string): AttachmentRow | null {
    return (this.db.prepare(`${SELECT} WHERE m.uid = ?`).get(uid) as AttachmentRow | undefined) ?? null;
  }

  forMessages(ids: readonly number[]): AttachmentRow[] {
    if (ids.length === 0) return [];
    const marks = ids.map(() => '?').join(', ');
    return this.db
      .prepare(`${SELECT} WHERE a.message_id IN (${marks}) ORDER BY a.id`)
      .all(...ids) as AttachmentRow[];
  }

  /** Incoming files to fetch: interrupted ones, and pending ones no bigger than `autoMax`. */
  resumable(autoMax: number): AttachmentRow[] {
    return this.db
      .prepare(
        `${SELECT} WHERE m.outgoing = 0 AND (a.state = 'transferring' OR (a.state = 'pending' AND a.size <= ?))
         ORDER BY a.id LIMIT 256`,
      )
      .all(autoMax) as AttachmentRow[];
  }

  setState(
    id: number,
    state: FileState,
    fields: { transferred?: number; error?: string | null; path?: string | null } = {},
  ): void {
    this.db
      .prepare(
        `UPDATE attachments SET state = ?,
           transferred = coalesce(?, transferred),
           error = CASE WHEN ? THEN ? ELSE error END,
           path = CASE WHEN ? THEN ? ELSE path END
         WHERE id = ?`,
      )
      .run(
        state,
        fields.transferred ?? null,
        fields.error !== undefined ? 1 : 0,
        fields.error ?? null,
        fields.path !== undefined ? 1 : 0,
        fields.path ?? null,
        id,
      );
  }

  /** Progress of a running download; a no-op once it was cancelled. */
  setTransferred(id: number, transferred: number): void {
    this.db
      .prepare(`UPDATE attachments SET transferred = ? WHERE id = ? AND state = 'transferring'`)
      .run(transferred, id);
  }

  /** Whether `peer` is a device of a member of `conversationId` (who may fetch its files). */
  isMemberDevice(peer: string, conversationId: number): boolean {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM devices d JOIN members mb ON mb.identity_key = d.identity_key
           WHERE d.peer_id = ? AND mb.conversation_id = ? LIMIT 1`,
        )
        .get(peer, conversationId) !== undefined
    );
  }

  /** Devices of the conversation's members other than `self`, for fetching from whoever has the file. */
  memberDevices(conversationId: number, self: string): string[] {
    return (
      this.db
        .prepare(
          `SELECT DISTINCT d.peer_id FROM devices d JOIN members mb ON mb.identity_key = d.identity_key
           WHERE mb.conversation_id = ? AND d.peer_id != ? ORDER BY d.peer_id`,
        )
        .all(conversationId, self) as { peer_id: string }[]
    ).map((r) => r.peer_id);
  }
}

// --- settings ----------------------------------------------------------------

export const DEFAULT_FILE_SETTINGS: FileSettings = {
  maxReceiveBytes: 100 * 1024 * 1024,
  inlineMaxBytes: 128 * 1024,
  autoDownloadMaxBytes: 16 * 1024 * 1024,
};

const SETTING_KEYS: Record<keyof FileSettings, string> = {
  maxReceiveBytes: 'files.maxReceiveBytes',
  inlineMaxBytes: 'files.inlineMaxBytes',
  autoDownloadMaxBytes: 'files.autoDownloadMaxBytes',
};

export function readFileSettings(db: Db): FileSettings {
  const out = { ...DEFAULT_FILE_SETTINGS };
  const get = db.prepare('SELECT value FROM settings WHERE key = ?');
  for (const name of Object.keys(SETTING_KEYS) as (keyof FileSettings)[]) {
    const row = get.get(SETTING_KEYS[name]) as { value: string } | undefined;
    const n = row ? Number(row.value) : NaN;
    if (Number.isSafeInteger(n) && n >= 0) out[name] = n;
  }
  return out;
}

export function writeFileSettings(db: Db, patch: Partial<FileSettings>): FileSettings {
  const put = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  db.transaction(() => {
    for (const name of Object.keys(SETTING_KEYS) as (keyof FileSettings)[]) {
      const value = patch[name];
      if (value !== undefined) put.run(SETTING_KEYS[name], String(value));
    }
  })();
  return readFileSettings(db);
}

// --- views -------------------------------------------------------------------

// The media type of thumbnail bytes by their magic number, or null (then it is not shown).
export { imageMime };

export function toFileView(row: AttachmentRow, sentBytes: number): FileView {
  const thumbMime = row.thumbnail ? imageMime(row.thumbnail) : null;
  const outgoing = row.outgoing === 1;
  return {
    attachmentId: row.id,
    messageId: row.message_id,
    conversationId: row.conversation_id,
    name: row.name,
    size: row.size,
    mime: row.mime,
    direction: outgoing ? 'outgoing' : 'incoming',
    state: row.state,
    bytesDone: outgoing ? Math.min(row.size, sentBytes) : Math.min(row.size, row.transferred),
    thumbnail:
      row.thumbnail && thumbMime ? `data:${thumbMime};base64,${row.thumbnail.toString('base64')}` : null,
    width: row.width,
    height: row.height,
    error: row.error,
  };
}
