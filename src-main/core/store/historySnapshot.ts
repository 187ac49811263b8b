import { writeFileSync } from 'node:fs';
import type { Db } from './encryptedDatabase';

/**
 * The history snapshot (docs/protocol.md §13.7): a new SQLCipher database,
 * keyed by its own random key, holding an ALLOWLIST of tables and columns of
 * the profile, made for a newly linked device of the same person.
 *
 * The snapshot has its own schema (HISTORY_SNAPSHOT_SCHEMA) rather than a copy
 * of the profile's: rows name their conversation by MLS group id and their
 * message by uid, the ids every device shares, because local row ids differ
 * from device to device. Only what is listed here is copied; everything else
 * (the identity private key, device, seal and MLS signature keys, MLS group
 * states and ratchets, the sequencer, KeyPackages, the outbox, seen
 * envelopes, mailbox contents, invites, settings) never reaches the snapshot,
 * because no statement names it. history/historySnapshot.test.ts checks that
 * the snapshot's schema is exactly this and scans the decrypted file for
 * those secrets.
 *
 * SQL lives here (lint/sqlInStore.js); the worker thread only opens the
 * connection (workers/historySnapshot.worker.ts).
 */

export const HISTORY_SNAPSHOT_VERSION = 1;

/** Every table of a snapshot and its columns, in order: the allowlist. */
export const HISTORY_SNAPSHOT_TABLES: Readonly<Record<string, readonly string[]>> = {
  history_meta: ['key', 'value'],
  conversations: [
    'group_id',
    'kind',
    'name',
    'contact_key',
    'created_at',
    'last_activity_at',
    'disappear_after_ms',
    'disappear_changed_at',
    'disappear_changed_by',
    'disappear_changed_peer',
    'notify',
    'archived',
    'left_at',
  ],
  members: ['group_id', 'identity_key', 'role', 'joined_at'],
  messages: [
    'seq',
    'uid',
    'group_id',
    'sender_key',
    'outgoing',
    'kind',
    'body',
    'reply_to_uid',
    'mentions',
    'sent_at',
    'received_at',
    'edited_at',
    'deleted_at',
    'expires_at',
    'state',
    'has_file',
    'event',
  ],
  message_edits: ['uid', 'replaced_at', 'body'],
  reactions: ['uid', 'reactor_key', 'emoji', 'created_at'],
  receipts: ['uid', 'member_key', 'state', 'at'],
  pending_content: ['group_id', 'target_uid', 'sender_key', 'content', 'received_at'],
  attachments: [
    'seq',
    'uid',
    'name',
    'mime',
    'size',
    'sha256',
    'file_key',
    'chunk_size',
    'chunk_count',
    'width',
    'height',
    'thumbnail',
    'created_at',
    'available',
  ],
  contacts: [
    'identity_key',
    'display_name',
    'local_name',
    'status_text',
    'avatar',
    'profile_version',
    'verified_at',
    'blocked',
    'relay_for',
    'previous_identity_key',
    'key_changed_at',
    'created_at',
    'updated_at',
    'removed_at',
  ],
  devices: [
    'peer_id',
    'identity_key',
    'certificate',
    'name',
    'addresses',
    'last_seen_at',
    'created_at',
    'seal_public',
  ],
};

/** The snapshot's schema, created in the attached database named `schema`. */
function snapshotSchema(s: string): string {
  return `
    CREATE TABLE ${s}.history_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    CREATE TABLE ${s}.conversations (
      group_id BLOB PRIMARY KEY, kind TEXT NOT NULL, name TEXT, contact_key BLOB,
      created_at INTEGER NOT NULL, last_activity_at INTEGER NOT NULL, disappear_after_ms INTEGER,
      disappear_changed_at INTEGER NOT NULL, disappear_changed_by BLOB, disappear_changed_peer TEXT,
      notify TEXT NOT NULL,
      archived INTEGER NOT NULL, left_at INTEGER
    ) STRICT;
    CREATE TABLE ${s}.members (
      group_id BLOB NOT NULL, identity_key BLOB NOT NULL, role TEXT NOT NULL, joined_at INTEGER NOT NULL,
      PRIMARY KEY (group_id, identity_key)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE ${s}.messages (
      seq INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, group_id BLOB NOT NULL, sender_key BLOB NOT NULL,
      outgoing INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT, reply_to_uid TEXT, mentions TEXT,
      sent_at INTEGER NOT NULL, received_at INTEGER NOT NULL, edited_at INTEGER, deleted_at INTEGER,
      expires_at INTEGER, state TEXT NOT NULL, has_file INTEGER NOT NULL, event TEXT
    ) STRICT;
    CREATE TABLE ${s}.message_edits (
      uid TEXT NOT NULL, replaced_at INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (uid, replaced_at)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE ${s}.reactions (
      uid TEXT NOT NULL, reactor_key BLOB NOT NULL, emoji TEXT NOT NULL, created_at INTEGER NOT NULL,
      PRIMARY KEY (uid, reactor_key, emoji)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE ${s}.receipts (
      uid TEXT NOT NULL, member_key BLOB NOT NULL, state TEXT NOT NULL, at INTEGER NOT NULL,
      PRIMARY KEY (uid, member_key)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE ${s}.pending_content (
      group_id BLOB NOT NULL, target_uid TEXT NOT NULL, sender_key BLOB NOT NULL, content TEXT NOT NULL,
      received_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE ${s}.attachments (
      seq INTEGER PRIMARY KEY, uid TEXT NOT NULL, name TEXT NOT NULL, mime TEXT NOT NULL, size INTEGER NOT NULL,
      sha256 BLOB NOT NULL, file_key BLOB NOT NULL, chunk_size INTEGER NOT NULL, chunk_count INTEGER NOT NULL,
      width INTEGER, height INTEGER, thumbnail BLOB, created_at INTEGER NOT NULL, available INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE ${s}.contacts (
      identity_key BLOB PRIMARY KEY, display_name TEXT NOT NULL, local_name TEXT, status_text TEXT, avatar BLOB,
      profile_version INTEGER NOT NULL, verified_at INTEGER, blocked INTEGER NOT NULL, relay_for INTEGER NOT NULL,
      previous_identity_key BLOB, key_changed_at INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
      removed_at INTEGER
    ) STRICT;
    CREATE TABLE ${s}.devices (
      peer_id TEXT PRIMARY KEY, identity_key BLOB NOT NULL, certificate BLOB, name TEXT,
      addresses TEXT NOT NULL, last_seen_at INTEGER, created_at INTEGER NOT NULL, seal_public BLOB
    ) STRICT;
  `;
}

/**
 * What fills the snapshot from the profile (schema `main`) into `s`. Only
 * conversations that have an MLS group are copied (a conversation without
 * one has nothing a member device could join); messages keep their source
 * order in `seq` so the import appends them in the same order. An
 * attachment's `available` says whether this device holds the file's bytes
 * (the new device fetches them from it). The self group (issue 18, §13.6)
 * is never copied: it is not history, and the new device joins it as itself.
 */
function fillStatements(s: string): string[] {
  return [
    `INSERT INTO ${s}.conversations
       SELECT c.group_id, c.kind, c.name, k.identity_key, c.created_at, c.last_activity_at, c.disappear_after_ms,
              c.disappear_changed_at, c.disappear_changed_by, c.disappear_changed_peer, c.notify, c.archived,
              c.left_at
       FROM main.conversations c LEFT JOIN main.contacts k ON k.id = c.contact_id
       WHERE c.group_id IS NOT NULL AND c.self_group = 0`,
    `INSERT INTO ${s}.members
       SELECT c.group_id, m.identity_key, m.role, m.joined_at
       FROM main.members m JOIN main.conversations c ON c.id = m.conversation_id
       WHERE c.group_id IS NOT NULL AND c.self_group = 0`,
    `INSERT INTO ${s}.messages
       SELECT m.id, m.uid, c.group_id, m.sender_key, m.outgoing, m.kind, m.body, m.reply_to_uid, m.mentions,
              m.sent_at, m.received_at, m.edited_at, m.deleted_at, m.expires_at, m.state, m.has_file, m.event
       FROM main.messages m JOIN main.conversations c ON c.id = m.conversation_id
       WHERE c.group_id IS NOT NULL AND c.self_group = 0 ORDER BY m.id`,
    `INSERT INTO ${s}.message_edits
       SELECT m.uid, e.replaced_at, e.body FROM main.message_edits e JOIN ${s}.messages m ON m.seq = e.message_id`,
    `INSERT INTO ${s}.reactions
       SELECT m.uid, r.reactor_key, r.emoji, r.created_at FROM main.reactions r JOIN ${s}.messages m ON m.seq = r.message_id`,
    `INSERT INTO ${s}.receipts
       SELECT m.uid, r.member_key, r.state, r.at FROM main.receipts r JOIN ${s}.messages m ON m.seq = r.message_id`,
    `INSERT INTO ${s}.pending_content
       SELECT c.group_id, p.target_uid, p.sender_key, p.content, p.received_at
       FROM main.pending_content p JOIN main.conversations c ON c.id = p.conversation_id
       WHERE c.group_id IS NOT NULL AND c.self_group = 0 ORDER BY p.id`,
    `INSERT INTO ${s}.attachments
       SELECT a.id, m.uid, a.name, a.mime, a.size, a.sha256, a.file_key, a.chunk_size, a.chunk_count,
              a.width, a.height, a.thumbnail, a.created_at, a.state = 'complete'
       FROM main.attachments a JOIN ${s}.messages m ON m.seq = a.message_id ORDER BY a.id`,
    `INSERT INTO ${s}.contacts
       SELECT identity_key, display_name, local_name, status_text, avatar, profile_version, verified_at, blocked,
              relay_for, previous_identity_key, key_changed_at, created_at, updated_at, removed_at
       FROM main.contacts`,
    // Contacts' devices only: this device's own row (is_self) describes the sender, not the new device.
    `INSERT INTO ${s}.devices
       SELECT peer_id, identity_key, certificate, name, addresses, last_seen_at, created_at, seal_public
       FROM main.devices WHERE is_self = 0`,
  ];
}

export interface HistorySnapshotCounts {
  conversations: number;
  messages: number;
  attachments: number;
  /** Sum of the attachments' sizes: the files the new device may fetch. */
  attachmentBytes: number;
}

const SNAPSHOT_SCHEMA = 'history_snapshot';

/**
 * Creates the snapshot at `dest` (must not exist) under `key` and fills it
 * from `db`'s profile in ONE transaction, so the copy is consistent while
 * the app keeps writing (a WAL reader on a second connection). The attached
 * database inherits the connection's cipher (SQLCipher 4) and takes its own
 * raw key, so no plaintext page reaches the disk.
 */
export function fillHistorySnapshot(db: Db, dest: string, key: Buffer): HistorySnapshotCounts {
  if (key.length !== 32) throw new RangeError('snapshot key must be 32 bytes');
  const s = SNAPSHOT_SCHEMA;
  // The live connection is opened without SQLITE_OPEN_CREATE (fileMustExist), which ATTACH
  // inherits; an empty file is an empty database to SQLite. Owner-only, like the profile.
  writeFileSync(dest, '', { flag: 'wx', mode: 0o600 });
  db.prepare(`ATTACH DATABASE ? AS ${s} KEY ?`).run(dest, `x'${key.toString('hex')}'`);
  try {
    // A rollback journal, not WAL: the snapshot is one self-contained file once detached.
    db.pragma(`${s}.journal_mode = DELETE`);
    db.pragma(`${s}.secure_delete = ON`);
    return db.transaction(() => {
      db.exec(snapshotSchema(s));
      db.prepare(`INSERT INTO ${s}.history_meta (key, value) VALUES ('version', ?)`).run(
        String(HISTORY_SNAPSHOT_VERSION),
      );
      for (const sql of fillStatements(s)) db.exec(sql);
      const count = (table: string) =>
        (db.prepare(`SELECT count(*) AS n FROM ${s}.${table}`).get() as { n: number }).n;
      return {
        conversations: count('conversations'),
        messages: count('messages'),
        attachments: count('attachments'),
        attachmentBytes: (
          db.prepare(`SELECT coalesce(sum(size), 0) AS n FROM ${s}.attachments`).get() as { n: number }
        ).n,
      };
    })();
  } finally {
    db.exec(`DETACH DATABASE ${s}`);
  }
}

/** The tables and columns a snapshot file actually has (for the allowlist check). */
export function snapshotColumns(db: Db): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const tables = db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
    .all() as Array<{ name: string }>;
  for (const { name } of tables) {
    out[name] = (
      db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as Array<{ name: string }>
    ).map((c) => c.name);
  }
  return out;
}
