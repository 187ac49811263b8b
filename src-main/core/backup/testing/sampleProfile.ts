import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSealKeyPair } from '../../crypto/sealedBox';
import { generateDeviceKey } from '../../net/deviceKey';
import { ProfileService } from '../../profile/profileService';
import type { Db } from '../../store/encryptedDatabase';
import { silentLogger } from '../../util/logger';

export const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
export const UNLOCK = 'unlock passphrase 1';
export const PASSWORD = 'backup password 22';
/** Words that must never appear in an archive in the clear. */
export const SECRET_WORDS = ['zanzibarquokka', 'periwinklemarmot', 'xylophonewombat', 'edited-ocelot'];

export interface SampleProfile {
  root: string;
  dir: string;
  profile: ProfileService;
  /** Attachment path (relative to the profile) → bytes. */
  files: Map<string, Buffer>;
  dispose(): void;
}

/** Rows of every user-visible table, for before/after comparisons. */
export function userData(db: Db): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of [
    'identity',
    'contacts',
    'conversations',
    'members',
    'messages',
    'message_edits',
    'reactions',
    'attachments',
    'mls_groups',
  ]) {
    out[table] = db
      .prepare(`SELECT * FROM ${table}`)
      .all()
      .map((r) => JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)))
      .sort();
  }
  out.search = db
    .prepare(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'zanzibarquokka' ORDER BY rowid`)
    .all();
  return out;
}

/**
 * A profile on disk with a DM, a group, messages (one edited), a reaction,
 * MLS group rows, device secrets, key packages and two attachments.
 */
export async function makeSampleProfile(): Promise<SampleProfile> {
  const root = mkdtempSync(join(tmpdir(), 'parley-backup-'));
  const dir = join(root, 'profile');
  const profile = new ProfileService({ dir, logger: silentLogger, kdfCost: FAST_KDF });
  await profile.create('Ada', UNLOCK);
  const db = profile.database();
  const now = 1_700_000_000_000;
  const bob = Buffer.alloc(32, 7);
  const cy = Buffer.alloc(32, 9);
  const me = (db.prepare('SELECT public_key FROM identity').get() as { public_key: Buffer }).public_key;
  const deviceKey = await generateDeviceKey();
  const seal = generateSealKeyPair();
  db.prepare(
    'INSERT INTO device_secrets (id, device_key, seal_secret, seal_public, created_at) VALUES (1, ?, ?, ?, ?)',
  ).run(Buffer.from(deviceKey), Buffer.from(seal.secretKey), Buffer.from(seal.publicKey), now);
  const contact = (key: Buffer, name: string) =>
    Number(
      db
        .prepare(
          'INSERT INTO contacts (identity_key, display_name, created_at, updated_at) VALUES (?, ?, ?, ?)',
        )
        .run(key, name, now, now).lastInsertRowid,
    );
  const bobId = contact(bob, 'Bob');
  contact(cy, 'Cy');
  const conv = (kind: string, name: string | null, contactId: number | null, groupId: Buffer) =>
    Number(
      db
        .prepare(
          'INSERT INTO conversations (kind, name, contact_id, group_id, created_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(kind, name, contactId, groupId, now, now).lastInsertRowid,
    );
  const dm = conv('dm', null, bobId, randomBytes(16));
  const group = conv('group', 'Team', null, randomBytes(16));
  for (const [c, key] of [
    [dm, bob],
    [group, bob],
    [group, cy],
  ] as const) {
    db.prepare('INSERT INTO members (conversation_id, identity_key, joined_at) VALUES (?, ?, ?)').run(
      c,
      key,
      now,
    );
  }
  const insertMessage = db.prepare(
    `INSERT INTO messages (conversation_id, uid, sender_key, outgoing, kind, body, sent_at, received_at, state, has_file, edited_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const m1 = Number(
    insertMessage.run(dm, 'u1', me, 1, 'text', `hello ${SECRET_WORDS[0]}`, now, now, 'delivered', 0, null)
      .lastInsertRowid,
  );
  insertMessage.run(
    dm,
    'u2',
    bob,
    0,
    'text',
    `reply ${SECRET_WORDS[1]}`,
    now + 1,
    now + 1,
    'received',
    0,
    null,
  );
  const m3 = Number(
    insertMessage.run(
      group,
      'u3',
      cy,
      0,
      'text',
      `group ${SECRET_WORDS[2]}`,
      now + 2,
      now + 2,
      'received',
      0,
      now + 5,
    ).lastInsertRowid,
  );
  db.prepare('INSERT INTO message_edits (message_id, replaced_at, body) VALUES (?, ?, ?)').run(
    m3,
    now + 5,
    `before ${SECRET_WORDS[3]}`,
  );
  db.prepare('INSERT INTO reactions (message_id, reactor_key, emoji, created_at) VALUES (?, ?, ?, ?)').run(
    m1,
    bob,
    '👍',
    now + 3,
  );
  const files = new Map<string, Buffer>();
  mkdirSync(join(dir, 'attachments', 'ab'), { recursive: true });
  for (const [i, name] of ['ab/file-one.bin', 'file-two.bin'].entries()) {
    const bytes = Buffer.concat([Buffer.from(`FILEBYTES-${i}-`), randomBytes(20_000 + i * 5_000)]);
    writeFileSync(join(dir, 'attachments', ...name.split('/')), bytes);
    files.set(`attachments/${name}`, bytes);
    const mid = Number(
      insertMessage.run(group, `f${i}`, me, 1, 'file', null, now + 10 + i, now + 10 + i, 'delivered', 1, null)
        .lastInsertRowid,
    );
    db.prepare(
      `INSERT INTO attachments (message_id, name, mime, size, sha256, file_key, path, state, created_at)
       VALUES (?, ?, 'application/octet-stream', ?, ?, ?, ?, 'complete', ?)`,
    ).run(mid, name, bytes.length, randomBytes(32), randomBytes(32), name, now);
  }
  for (const c of [dm, group]) {
    db.prepare(
      'INSERT INTO mls_groups (conversation_id, group_id, epoch, state, updated_at) SELECT id, group_id, 3, ?, ? FROM conversations WHERE id = ?',
    ).run(randomBytes(2_000), now, c);
  }
  db.prepare('INSERT INTO key_packages (ref, key_package, private_keys, created_at) VALUES (?, ?, ?, ?)').run(
    randomBytes(32),
    randomBytes(300),
    randomBytes(64),
    now,
  );
  db.prepare("INSERT INTO settings (key, value) VALUES ('theme', 'dark')").run();
  return {
    root,
    dir,
    profile,
    files,
    dispose() {
      profile.lock();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Names in a folder, for "nothing was written" checks. */
export function listing(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function readAll(path: string): Buffer {
  return readFileSync(path);
}
