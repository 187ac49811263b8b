import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openEncryptedDatabase, type Db } from './encryptedDatabase';
import { migrate } from './migrate';
import { ContactRepository } from './repositories/contactRepository';
import { ConversationRepository } from './repositories/conversationRepository';
import {
  CRASH_CONVERSATION_ID,
  CRASH_SENDER,
  CRASH_SETTING,
  envelopeId,
  messagesInTransaction,
  messageUid,
} from './testing/crashWriter';
import { insertIdentity } from './testing/tempDatabase';
import { seededRandom } from '../util/seededRandom';

/**
 * Crash safety (DESIGN.md §2: a message is acknowledged only after its
 * transaction committed): a child writes transactions in a loop and is killed
 * with SIGKILL at a random moment, over and over. After every kill the
 * database must open, pass integrity_check, hold every transaction the child
 * reported committed, and hold each transaction whole or not at all.
 *
 * SIGKILL ends the process, not the machine: what the kernel already accepted
 * survives it, so this exercises SQLite's WAL and rollback logic under a crash
 * at any instruction (mid-insert, mid-commit, mid-checkpoint), not fsync
 * ordering on power loss.
 */

const KILLS = Number(process.env.PARLEY_CRASH_KILLS ?? 200);
/** The kill delays come from a seeded generator, so a failure can be replayed with the same schedule. */
const SEED = Number(process.env.PARLEY_CRASH_SEED ?? 0x5eed);
const TOTAL_LIMIT_MS = 20 * 60_000;
/** Starting node with tsx and the first commit take ~0.5 s; far more means a broken child, not a slow one. */
const READY_LIMIT_MS = 30_000;
/**
 * SIGKILL is final, but a process inside a slow fsync dies only when the call
 * returns; a busy disk can take a while. The kill itself always comes within
 * 2 s of READY (the longest delay is 300 ms after the first commit).
 */
const EXIT_LIMIT_MS = 10_000;
const KILL_DELAY_MS = { min: 20, max: 300 };
/** The full checks read every row; every few kills and at the end keeps the run short. */
const FULL_CHECK_EVERY = 25;

const WRITER = fileURLToPath(new URL('./testing/crashWriter.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Messages in transactions 1..n. */
function expectedMessages(n: number): number {
  let total = 0;
  for (let i = 1; i <= n; i++) total += messagesInTransaction(i);
  return total;
}

interface RunResult {
  /** The last committed transaction before this child wrote (its READY line). */
  ready: number;
  /** Transaction numbers the child reported committed, in order. */
  reported: number[];
  /** Milliseconds between the first commit and SIGKILL. */
  delayMs: number;
}

/** Starts a writer, waits for READY, lets it write for `delayMs`, kills it by PID and collects what it reported. */
async function runAndKill(path: string, keyHex: string, delayMs: number): Promise<RunResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path], {
    cwd: REPO_ROOT,
    env: { ...process.env, PARLEY_CRASH_KEY: keyHex },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  let exited = false;
  void closed.then(() => (exited = true));
  const kill = () => {
    if (!exited && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };

  try {
    // The delay counts from the first commit, so every kill lands in the write loop (mid-insert,
    // mid-commit, mid-checkpoint), never in node's startup, however slow the machine is.
    const readyBy = Date.now() + READY_LIMIT_MS;
    while (!/^READY \d+\n\d+\n/.test(stdout)) {
      if (exited) throw new Error(`writer exited before READY:\n${stderr}`);
      if (Date.now() > readyBy) {
        throw new Error(`writer not writing ${READY_LIMIT_MS} ms after start:\n${stderr}`);
      }
      await sleep(5);
    }
    await sleep(delayMs);
    if (exited) throw new Error(`writer exited on its own before the kill:\n${stderr}`);
    kill();
    const outcome = await Promise.race([closed, sleep(EXIT_LIMIT_MS).then(() => null)]);
    if (outcome === null)
      throw new Error(`writer pid ${child.pid} still running ${EXIT_LIMIT_MS} ms after SIGKILL`);
    expect(outcome.signal, stderr).toBe('SIGKILL');
  } finally {
    kill();
  }

  // Only whole lines count: a line is written in one write() after its commit.
  const lines = stdout.split('\n').slice(0, -1);
  const readyLine = lines.shift() ?? '';
  const ready = Number(/^READY (\d+)$/.exec(readyLine)?.[1] ?? NaN);
  const reported = lines.map((l) => {
    if (!/^\d+$/.test(l)) throw new Error(`unexpected writer output line: ${JSON.stringify(l)}`);
    return Number(l);
  });
  return { ready, reported, delayMs };
}

function count(db: Db, sql: string, ...params: unknown[]): number {
  return (db.prepare(sql).get(...params) as { n: number }).n;
}

/** Every transaction 1..last present and whole, by reading every row. */
function checkEveryTransaction(db: Db, last: number): void {
  const perTx = new Map<number, number>();
  for (const { uid } of db.prepare('SELECT uid FROM messages').iterate() as Iterable<{ uid: string }>) {
    const n = Number(/^tx(\d+)-m\d+$/.exec(uid)?.[1] ?? NaN);
    expect(n, uid).toBeGreaterThanOrEqual(1);
    expect(n, uid).toBeLessThanOrEqual(last);
    perTx.set(n, (perTx.get(n) ?? 0) + 1);
  }
  for (let n = 1; n <= last; n++) {
    if (perTx.get(n) !== messagesInTransaction(n)) {
      throw new Error(
        `transaction ${n}: ${perTx.get(n) ?? 0} of ${messagesInTransaction(n)} messages (last is ${last})`,
      );
    }
  }
  expect(count(db, 'SELECT count(*) AS n FROM outbox')).toBe(last);
  // FTS5's own check: the index holds exactly the terms of the rows it should.
  db.prepare(`INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')`).run();
}

let dir = '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('crash safety', () => {
  it(
    `survives ${KILLS} SIGKILLs mid-write with every reported commit intact`,
    async () => {
      const started = Date.now();
      dir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
      const path = join(dir, 'parley.db');
      const key = randomBytes(32);
      const keyHex = key.toString('hex');
      {
        const db = openEncryptedDatabase(path, key, { create: true });
        migrate(db);
        insertIdentity(db);
        const contact = new ContactRepository(db).upsert(CRASH_SENDER, 'Crash Peer', 0);
        const id = new ConversationRepository(db).create({ kind: 'dm', contactId: contact, createdAt: 0 });
        expect(id).toBe(CRASH_CONVERSATION_ID);
        db.close();
      }

      const random = seededRandom(SEED);
      let last = 0;
      let kills = 0;
      let unreported = 0;
      const delays: number[] = [];
      for (let k = 0; k < KILLS; k++) {
        if (Date.now() - started > TOTAL_LIMIT_MS) {
          throw new Error(`stopped after ${k} of ${KILLS} kills: over ${TOTAL_LIMIT_MS / 60_000} min`);
        }
        const delay = Math.floor(KILL_DELAY_MS.min + random() * (KILL_DELAY_MS.max - KILL_DELAY_MS.min));
        const run = await runAndKill(path, keyHex, delay);
        kills++;
        delays.push(delay);
        // The child starts where the database is, which the previous round verified.
        expect(run.ready, `kill ${k}: READY`).toBe(last);
        run.reported.forEach((n, i) => expect(n, `kill ${k}: reported order`).toBe(run.ready + 1 + i));
        const lastReported = run.reported.at(-1) ?? run.ready;
        expect(run.reported.length, `kill ${k}: commits before the kill`).toBeGreaterThan(0);

        const db = openEncryptedDatabase(path, key, { create: false });
        try {
          expect(db.pragma('integrity_check', { simple: true }), `kill ${k}`).toBe('ok');
          const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(CRASH_SETTING) as
            { value: string } | undefined;
          const inDb = row ? Number(row.value) : 0;
          // Every reported commit is there; at most one more committed whose report the kill cut off.
          expect(inDb, `kill ${k}: last transaction`).toBeGreaterThanOrEqual(lastReported);
          expect(inDb, `kill ${k}: last transaction`).toBeLessThanOrEqual(lastReported + 1);
          if (inDb > lastReported) unreported++;

          // Nothing of a transaction after the last one: it is all or nothing.
          expect(count(db, 'SELECT count(*) AS n FROM messages'), `kill ${k}: messages`).toBe(
            expectedMessages(inDb),
          );
          expect(count(db, 'SELECT count(*) AS n FROM outbox'), `kill ${k}: outbox`).toBe(inDb);
          // The transactions written since the last round, each whole, its outbox row naming its last message.
          for (let n = last + 1; n <= inDb; n++) {
            const ids = db
              .prepare('SELECT id FROM messages WHERE uid = ?')
              .pluck()
              .all(messageUid(n, messagesInTransaction(n) - 1)) as number[];
            expect(ids, `transaction ${n}`).toHaveLength(1);
            for (let i = 0; i < messagesInTransaction(n) - 1; i++) {
              expect(count(db, 'SELECT count(*) AS n FROM messages WHERE uid = ?', messageUid(n, i))).toBe(1);
            }
            expect(
              db.prepare('SELECT message_id FROM outbox WHERE envelope_id = ?').pluck().get(envelopeId(n)),
              `transaction ${n}: outbox`,
            ).toBe(ids[0]);
          }
          // The triggers' bookkeeping committed with the rows that caused it.
          const conversation = db
            .prepare('SELECT last_message_id, unread_count FROM conversations WHERE id = ?')
            .get(CRASH_CONVERSATION_ID) as { last_message_id: number | null; unread_count: number };
          expect(conversation.last_message_id, `kill ${k}: last message`).toBe(
            inDb === 0 ? null : db.prepare('SELECT max(id) FROM messages').pluck().get(),
          );
          expect(conversation.unread_count, `kill ${k}: unread`).toBe(
            count(db, 'SELECT count(*) AS n FROM messages WHERE outgoing = 0'),
          );
          if ((k + 1) % FULL_CHECK_EVERY === 0 || k === KILLS - 1) checkEveryTransaction(db, inDb);
          last = inDb;
        } finally {
          db.close();
        }
      }

      const sorted = [...delays].sort((a, b) => a - b);
      const summary = {
        kills,
        transactionsVerified: last,
        messagesVerified: expectedMessages(last),
        committedButUnreported: unreported,
        killDelayMs: { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1) },
        seed: SEED,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      };
      console.log(`crash test summary ${JSON.stringify(summary)}`);
      expect(kills).toBe(KILLS);
    },
    TOTAL_LIMIT_MS + 60_000,
  );
});
