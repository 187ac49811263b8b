import Database from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEncryptedDatabase, type Db } from '../../store/encryptedDatabase';
import { HistoryAssembler } from '../historyAssembler';
import { HistoryChunkReader } from '../historyChunkReader';
import { historyStreamKey } from '../historyStreamFormat';
import type { HistoryStreamFile } from '../historySnapshot';
import type { PayloadLayout } from '../historyPayload';

/**
 * Rows holding secrets that must never leave the device (docs/protocol.md
 * §13.7's "never copied" list), each with random bytes a scan can look for.
 * Returns those bytes.
 */
export function seedSecrets(db: Db): Buffer[] {
  const secrets: Buffer[] = [];
  const secret = (n = 48) => {
    const b = randomBytes(n);
    secrets.push(b);
    return b;
  };
  const now = 1_700_000_000_000;
  const conv = (db.prepare('SELECT id FROM conversations ORDER BY id LIMIT 1').get() as { id: number }).id;
  db.prepare(
    `INSERT INTO mls_device (id, peer_id, signature_public, signature_private, credential, created_at)
     VALUES (1, 'self', ?, ?, ?, ?)`,
  ).run(randomBytes(32), secret(), secret(), now);
  db.prepare('INSERT INTO mls_ratchets (conversation_id, epoch, node, state) VALUES (?, 3, 1, ?)').run(
    conv,
    secret(200),
  );
  db.prepare(
    'INSERT INTO mls_sequencer (conversation_id, meta, log, previous, welcome, pending, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(conv, secret(), secret(), secret(), secret(), secret(), now);
  db.prepare(
    `INSERT INTO outbox (envelope_id, conversation_id, recipient, payload, created_at, next_attempt_at, state)
     VALUES ('env-1', ?, 'peer-b', ?, ?, ?, 'pending')`,
  ).run(conv, secret(300), now, now);
  db.prepare(
    `INSERT INTO mailbox (envelope_id, recipient, depositor, payload, size, received_at, expires_at)
     VALUES ('env-2', 'peer-c', 'peer-d', ?, 300, ?, ?)`,
  ).run(secret(300), now, now + 1);
  db.prepare('INSERT INTO invites (token_hash, created_at, expires_at) VALUES (?, ?, ?)').run(
    secret(32),
    now,
    now + 1,
  );
  db.prepare('INSERT INTO mls_commits (group_id, epoch, message, created_at) VALUES (?, 4, ?, ?)').run(
    randomBytes(16),
    secret(),
    now,
  );
  // What makeSampleProfile already wrote: the identity and device keys, group states, KeyPackages.
  const row = (sql: string) => db.prepare(sql).all() as Array<Record<string, Buffer | null>>;
  for (const r of row('SELECT private_key FROM identity')) secrets.push(r.private_key as Buffer);
  for (const r of row('SELECT device_key, seal_secret FROM device_secrets')) {
    secrets.push(r.device_key as Buffer, r.seal_secret as Buffer);
  }
  for (const r of row('SELECT state FROM mls_groups')) secrets.push(r.state as Buffer);
  for (const r of row('SELECT key_package, private_keys FROM key_packages')) {
    secrets.push(r.key_package as Buffer);
    if (r.private_keys) secrets.push(r.private_keys);
  }
  return secrets;
}

/** Secrets (a 16-byte window of each, enough to be unique) found in `haystack`. */
export function secretsIn(haystack: Buffer, secrets: Buffer[]): number {
  return secrets.filter((s) => haystack.includes(s.subarray(0, Math.min(16, s.length)))).length;
}

/**
 * Reads a whole stream file the way the receiver does (every chunk opened
 * with the stream key and written into `dbPath`); returns the layout.
 */
export async function assembleStream(
  stream: HistoryStreamFile,
  kHistory: Uint8Array,
  transferId: Uint8Array,
  dbPath: string,
): Promise<PayloadLayout> {
  const reader = await HistoryChunkReader.open(stream.path, stream.header, stream.headerBytes);
  const assembler = await HistoryAssembler.open(
    dbPath,
    historyStreamKey(kHistory, transferId),
    stream.header,
    stream.headerBytes,
    null,
  );
  try {
    for (let i = 0; i < stream.header.chunkCount; i++) {
      const ok = await assembler.accept(i, await reader.read(i));
      if (ok === false) throw new Error(`chunk ${i} did not open`);
    }
    await assembler.sync();
  } finally {
    await reader.close();
    await assembler.close();
  }
  if (!assembler.layout) throw new Error('no layout');
  return assembler.layout;
}

/** Opens a snapshot file with its key (read-only use in tests). */
export function openSnapshot(path: string, layout: PayloadLayout): Db {
  return openEncryptedDatabase(path, Buffer.from(layout.manifest.snapshotKey, 'base64'), { create: false });
}

/** A database's pages decrypted (a copy rekeyed to no key), for a byte scan of everything in it. */
export function decryptedBytes(path: string, key: Buffer, dir: string): Buffer {
  const copy = join(dir, `plain-${randomBytes(4).toString('hex')}.db`);
  copyFileSync(path, copy);
  const db = new Database(copy);
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  db.pragma(`key = "x'${key.toString('hex')}'"`);
  db.pragma(`rekey = ''`);
  db.close();
  return readFileSync(copy);
}
