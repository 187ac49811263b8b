/**
 * The child of the crash test (crash.long.test.ts): writes to an existing,
 * migrated database in a loop until it is killed.
 *
 *   PARLEY_CRASH_KEY=<64 hex> node --import tsx crashWriter.ts <database path>
 *
 * The key travels in the environment, not argv, so it never shows in `ps`.
 * Each loop is one transaction of the kinds of atomic write the app does:
 * a few messages (FTS and conversation triggers fire), an outbox row, and a
 * settings row holding the last transaction number. Only after the commit has
 * returned is the transaction number written to stdout, so every number the
 * parent reads is a transaction SQLite reported committed.
 *
 * Output protocol, one line each, written with writeSync (unbuffered, so a
 * kill cannot lose a line that the commit already earned):
 *   READY <last committed before this run>
 *   <n>            transaction n committed
 */
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { openEncryptedDatabase } from '../encryptedDatabase';
import { MessageRepository } from '../repositories/messageRepository';

/** Messages in transaction n: varies so a half-written transaction cannot look whole by accident. */
export function messagesInTransaction(n: number): number {
  return 1 + (n % 4);
}

export const CRASH_SETTING = 'crash.last_tx';
export const CRASH_CONVERSATION_ID = 1;
export const CRASH_SENDER = Buffer.alloc(32, 7);

export function messageUid(n: number, i: number): string {
  return `tx${n}-m${i}`;
}

export function envelopeId(n: number): string {
  return `env-tx${n}`;
}

const WORDS = [
  'harbour',
  'lantern',
  'café',
  'naïve',
  'quorum',
  'meridian',
  'tundra',
  'ember',
  'sable',
  'orchid',
];

function body(n: number, i: number): string {
  const words: string[] = [];
  for (let w = 0; w < 6 + ((n + i) % 20); w++) words.push(WORDS[(n * 7 + i * 3 + w) % WORDS.length] ?? 'x');
  return `${words.join(' ')} ${n}.${i}`;
}

function main(): void {
  const path = process.argv[2];
  const keyHex = process.env.PARLEY_CRASH_KEY ?? '';
  if (!path || !/^[0-9a-f]{64}$/.test(keyHex)) {
    process.stderr.write('usage: PARLEY_CRASH_KEY=<64 hex> crashWriter.ts <database path>\n');
    process.exit(2);
  }
  const db = openEncryptedDatabase(path, Buffer.from(keyHex, 'hex'), { create: false });
  const messages = new MessageRepository(db);
  const lastStmt = db.prepare('SELECT value FROM settings WHERE key = ?');
  const outboxStmt = db.prepare(
    `INSERT INTO outbox (envelope_id, conversation_id, message_id, recipient, payload, created_at, next_attempt_at, state)
     VALUES (?, ?, ?, 'crash-peer', ?, ?, ?, 'pending')`,
  );
  const settingStmt = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );

  const write = db.transaction((n: number) => {
    const now = Date.now();
    let lastId = 0;
    for (let i = 0; i < messagesInTransaction(n); i++) {
      const { id, inserted } = messages.insert({
        conversationId: CRASH_CONVERSATION_ID,
        uid: messageUid(n, i),
        senderKey: CRASH_SENDER,
        outgoing: i % 2 === 0,
        body: body(n, i),
        sentAt: now,
        receivedAt: now,
        state: i % 2 === 0 ? 'pending' : 'received',
      });
      if (!inserted) throw new Error(`transaction ${n} was already written`);
      lastId = id;
    }
    // A sealed envelope's worth of bytes, like a real outbox row.
    outboxStmt.run(envelopeId(n), CRASH_CONVERSATION_ID, lastId, Buffer.alloc(512, n % 256), now, now);
    settingStmt.run(CRASH_SETTING, String(n));
  });

  const row = lastStmt.get(CRASH_SETTING) as { value: string } | undefined;
  let n = row ? Number(row.value) : 0;
  writeSync(1, `READY ${n}\n`);
  // Runs until the parent kills it; the cap only stops a writer whose parent vanished.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    n++;
    write(n);
    writeSync(1, `${n}\n`);
  }
  db.close();
}

// The test imports the constants above; only a direct run writes.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
