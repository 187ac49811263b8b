import type { Db } from './encryptedDatabase';
import { HISTORY_SNAPSHOT_TABLES, HISTORY_SNAPSHOT_VERSION } from './historySnapshot';

/**
 * The import of a history snapshot on the new device (docs/protocol.md
 * §13.7), run on a worker thread's own connection to the live database
 * (workers/historyImport.worker.ts) so the event loop keeps serving.
 *
 * Bulk SQL only: ATTACH the snapshot with its key, then `INSERT OR IGNORE …
 * SELECT` in transactions of at most BATCH_ROWS messages (with their edits,
 * reactions, receipts and attachment rows), so the app's own writers get the
 * database between batches. Rows are matched by what all devices share: a
 * conversation by MLS group id, a message by uid; a row this device already
 * has (a message it received since joining, a contact from the link grant)
 * is kept as it is. The FTS5 triggers index the text as rows go in.
 *
 * Imported messages count as read: each batch restores the unread counts it
 * found (in the same transaction), and where a conversation had nothing
 * unread its read mark moves past the imported rows, so a later recount
 * (conversations.markRead) agrees.
 */

export const HISTORY_IMPORT_BATCH_ROWS = 10_000;

export interface HistoryImportInput {
  /** Where the new device fetches imported files from (the giving device), for rows it holds. */
  sourcePeerId: string;
  batchRows?: number;
  onProgress?: (messagesDone: number, messagesTotal: number) => void;
}

export interface HistoryImportCounts {
  conversations: number;
  messages: number;
  attachments: number;
}

export class HistorySnapshotInvalid extends Error {
  constructor(why: string) {
    super(`history snapshot invalid: ${why}`);
    this.name = 'HistorySnapshotInvalid';
  }
}

const H = 'history_import';

/** Checks the attached snapshot is a version 1 snapshot with exactly the allowlisted schema. */
function checkSnapshot(db: Db): void {
  const version = db.prepare(`SELECT value FROM ${H}.history_meta WHERE key = 'version'`).get() as
    { value: string } | undefined;
  if (version?.value !== String(HISTORY_SNAPSHOT_VERSION)) throw new HistorySnapshotInvalid('version');
  const tables = db
    .prepare(`SELECT name FROM ${H}.sqlite_schema WHERE type = 'table' ORDER BY name`)
    .all() as Array<{ name: string }>;
  const expected = Object.keys(HISTORY_SNAPSHOT_TABLES).sort();
  if (JSON.stringify(tables.map((t) => t.name)) !== JSON.stringify(expected)) {
    throw new HistorySnapshotInvalid('tables');
  }
  for (const [table, columns] of Object.entries(HISTORY_SNAPSHOT_TABLES)) {
    const have = (
      db.prepare(`SELECT name FROM pragma_table_info(?, ?)`).all(table, H) as Array<{ name: string }>
    ).map((c) => c.name);
    if (JSON.stringify(have) !== JSON.stringify(columns))
      throw new HistorySnapshotInvalid(`columns of ${table}`);
  }
}

/** Contacts, their devices, conversations and (for conversations new here) members: one transaction. */
function importDirectory(db: Db): number {
  const me = `(SELECT public_key FROM main.identity WHERE id = 1)`;
  db.prepare(
    `INSERT OR IGNORE INTO main.contacts (identity_key, display_name, local_name, status_text, avatar,
       profile_version, verified_at, blocked, relay_for, previous_identity_key, key_changed_at, created_at,
       updated_at, removed_at)
     SELECT identity_key, display_name, local_name, status_text, avatar, profile_version, verified_at, blocked,
       relay_for, previous_identity_key, key_changed_at, created_at, updated_at, removed_at
     FROM ${H}.contacts WHERE identity_key != ${me}`,
  ).run();
  db.prepare(
    `INSERT OR IGNORE INTO main.devices (peer_id, identity_key, certificate, name, is_self, addresses,
       last_seen_at, created_at, seal_public)
     SELECT peer_id, identity_key, certificate, name, 0, addresses, last_seen_at, created_at, seal_public
     FROM ${H}.devices WHERE identity_key != ${me}`,
  ).run();
  const before = (
    db.prepare('SELECT coalesce(max(id), 0) AS id FROM main.conversations').get() as { id: number }
  ).id;
  const inserted = db
    .prepare(
      `INSERT OR IGNORE INTO main.conversations (kind, group_id, name, contact_id, created_at, last_activity_at,
         disappear_after_ms, disappear_changed_at, disappear_changed_by, disappear_changed_peer, notify, archived,
         left_at)
       SELECT h.kind, h.group_id, h.name, (SELECT id FROM main.contacts k WHERE k.identity_key = h.contact_key),
         h.created_at, h.last_activity_at, h.disappear_after_ms, h.disappear_changed_at, h.disappear_changed_by,
         h.disappear_changed_peer, h.notify, h.archived, h.left_at
       FROM ${H}.conversations h`,
    )
    .run().changes;
  // Members only where the conversation is new here: one this device already joined knows its
  // members from its own MLS state, which is newer than the snapshot.
  db.prepare(
    `INSERT OR IGNORE INTO main.members (conversation_id, identity_key, role, joined_at)
     SELECT c.id, m.identity_key, m.role, m.joined_at
     FROM ${H}.members m JOIN main.conversations c ON c.group_id = m.group_id WHERE c.id > ?`,
  ).run(before);
  return inserted;
}

/** One batch: messages with seq in (after, upTo], then their edits, reactions, receipts, attachments. */
function importBatch(
  db: Db,
  after: number,
  upTo: number,
  input: HistoryImportInput,
): { messages: number; attachments: number } {
  db.exec(`CREATE TEMP TABLE history_unread AS SELECT id, unread_count FROM main.conversations`);
  const messages = db
    .prepare(
      `INSERT OR IGNORE INTO main.messages (conversation_id, uid, sender_key, outgoing, kind, body, reply_to_uid,
         mentions, sent_at, received_at, edited_at, deleted_at, expires_at, state, has_file, event)
       SELECT c.id, m.uid, m.sender_key, m.outgoing, m.kind, m.body, m.reply_to_uid, m.mentions, m.sent_at,
         m.received_at, m.edited_at, m.deleted_at, m.expires_at,
         -- A send still queued on the other device has no outbox row here: it left that device's hands.
         CASE WHEN m.state IN ('pending', 'held') THEN 'sent' ELSE m.state END, m.has_file, m.event
       FROM ${H}.messages m JOIN main.conversations c ON c.group_id = m.group_id
       WHERE m.seq > ? AND m.seq <= ? ORDER BY m.seq`,
    )
    .run(after, upTo).changes;
  const range = `hm.seq > ? AND hm.seq <= ?`;
  db.prepare(
    `INSERT OR IGNORE INTO main.message_edits (message_id, replaced_at, body)
     SELECT x.id, e.replaced_at, e.body FROM ${H}.message_edits e JOIN ${H}.messages hm ON hm.uid = e.uid
       JOIN main.messages x ON x.uid = e.uid WHERE ${range}`,
  ).run(after, upTo);
  db.prepare(
    `INSERT OR IGNORE INTO main.reactions (message_id, reactor_key, emoji, created_at)
     SELECT x.id, r.reactor_key, r.emoji, r.created_at FROM ${H}.reactions r JOIN ${H}.messages hm ON hm.uid = r.uid
       JOIN main.messages x ON x.uid = r.uid WHERE ${range}`,
  ).run(after, upTo);
  db.prepare(
    `INSERT OR IGNORE INTO main.receipts (message_id, member_key, state, at)
     SELECT x.id, r.member_key, r.state, r.at FROM ${H}.receipts r JOIN ${H}.messages hm ON hm.uid = r.uid
       JOIN main.messages x ON x.uid = r.uid WHERE ${range}`,
  ).run(after, upTo);
  const attachments = db
    .prepare(
      `INSERT INTO main.attachments (message_id, name, mime, size, sha256, file_key, path, state, transferred,
         width, height, thumbnail, created_at, chunk_size, chunk_count, source_peer)
       SELECT x.id, a.name, a.mime, a.size, a.sha256, a.file_key, NULL, 'pending', 0, a.width, a.height,
         a.thumbnail, a.created_at, a.chunk_size, a.chunk_count, CASE WHEN a.available THEN ? ELSE NULL END
       FROM ${H}.attachments a JOIN ${H}.messages hm ON hm.uid = a.uid JOIN main.messages x ON x.uid = a.uid
       WHERE ${range} AND NOT EXISTS (
         SELECT 1 FROM main.attachments y WHERE y.message_id = x.id AND y.sha256 = a.sha256)
       ORDER BY a.seq`,
    )
    .run(input.sourcePeerId, after, upTo).changes;
  // Imported messages count as read: the unread counts are what they were before this batch,
  // and a conversation with nothing unread moves its read mark past what was imported.
  db.exec(
    `UPDATE main.conversations SET
       unread_count = (SELECT u.unread_count FROM temp.history_unread u WHERE u.id = conversations.id),
       last_read_message_id = CASE
         WHEN (SELECT u.unread_count FROM temp.history_unread u WHERE u.id = conversations.id) = 0
         THEN max(last_read_message_id, coalesce(
           (SELECT max(id) FROM main.messages WHERE conversation_id = conversations.id), 0))
         ELSE last_read_message_id END
     WHERE id IN (SELECT id FROM temp.history_unread);
     DROP TABLE temp.history_unread;`,
  );
  return { messages, attachments };
}

/**
 * Imports the snapshot at `path` (opened with `key`) into `db`. Throws
 * HistorySnapshotInvalid when the file is not a snapshot of this version and
 * schema; a row that breaks one of the profile's constraints fails its batch
 * (rolled back: what earlier batches imported stays, and importing again is
 * harmless, since every insert ignores rows already there).
 */
export function importHistorySnapshot(
  db: Db,
  path: string,
  key: Buffer,
  input: HistoryImportInput,
): HistoryImportCounts {
  if (key.length !== 32) throw new RangeError('snapshot key must be 32 bytes');
  db.prepare(`ATTACH DATABASE ? AS ${H} KEY ?`).run(path, `x'${key.toString('hex')}'`);
  try {
    checkSnapshot(db);
    const conversations = db.transaction(() => importDirectory(db))();
    const { total, last } = db
      .prepare(`SELECT count(*) AS total, coalesce(max(seq), 0) AS last FROM ${H}.messages`)
      .get() as { total: number; last: number };
    const seqAt = db.prepare(`SELECT seq FROM ${H}.messages WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET ?`);
    const batchRows = input.batchRows ?? HISTORY_IMPORT_BATCH_ROWS;
    const batch = db.transaction((after: number, upTo: number) => importBatch(db, after, upTo, input));
    let after = 0;
    let done = 0;
    let messages = 0;
    let attachments = 0;
    input.onProgress?.(0, total);
    while (after < last) {
      const end = seqAt.get(after, batchRows - 1) as { seq: number } | undefined;
      const upTo = end?.seq ?? last;
      const counts = batch(after, upTo);
      messages += counts.messages;
      attachments += counts.attachments;
      done = Math.min(total, done + batchRows);
      after = upTo;
      input.onProgress?.(done, total);
    }
    db.transaction(() => {
      db.prepare(
        `INSERT INTO main.pending_content (conversation_id, target_uid, sender_key, content, received_at)
         SELECT c.id, p.target_uid, p.sender_key, p.content, p.received_at
         FROM ${H}.pending_content p JOIN main.conversations c ON c.group_id = p.group_id
         WHERE NOT EXISTS (SELECT 1 FROM main.messages m WHERE m.uid = p.target_uid)
           AND NOT EXISTS (SELECT 1 FROM main.pending_content q
                           WHERE q.target_uid = p.target_uid AND q.content = p.content)`,
      ).run();
    })();
    return { conversations, messages, attachments };
  } finally {
    db.exec(`DETACH DATABASE ${H}`);
  }
}
