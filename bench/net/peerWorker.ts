import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { deliveryMigrations } from '../../src-main/core/delivery/schema';
import { generateIdentityKey } from '../../src-main/core/identity/identityKey';
import { startMessaging, type RunningMessaging } from '../../src-main/core/runtime/startMessaging';
import type { DeliverStatus, InboundEnvelope } from '../../src-main/core/net/deliverProtocol';
import { openEncryptedDatabase } from '../../src-main/core/store/encryptedDatabase';
import { migrate } from '../../src-main/core/store/migrate';
import type { NewMessage } from '../../src-main/core/store/repositories/messageRepository';
import { Store } from '../../src-main/core/store/store';
import { createJsonLogger, silentLogger } from '../../src-main/core/util/logger';
import {
  clock,
  tagOf,
  type FromWorker,
  type OpName,
  type Params,
  type PeerInit,
  type Result,
  type ToWorker,
} from './protocol';

/**
 * One bench peer on its own thread (bench/net.bench.ts): its own event loop,
 * its own SQLCipher connection, its own libp2p node, as one Parley app on a
 * LAN. Answers the requests of protocol.ts and posts a `committed` event for
 * every incoming tagged text once its transaction has committed.
 */

if (!parentPort) throw new Error('peerWorker.ts runs only as a worker thread (bench/net.bench.ts starts it)');
const port = parentPort;
const init = workerData as PeerInit;
const post = (message: FromWorker): void => port.postMessage(message);

mkdirSync(join(init.dir, init.name), { recursive: true });
const db = openEncryptedDatabase(join(init.dir, init.name, 'parley.db'), randomBytes(32), { create: true });
migrate(db, deliveryMigrations);
if (init.synchronous !== '') db.pragma(`synchronous = ${init.synchronous}`);
const store = new Store(db, {
  attachmentsDir: join(init.dir, init.name, 'attachments'),
  logger: silentLogger,
});
const identity = { ...generateIdentityKey(), displayName: init.name };
let listenPort = 0;
let m: RunningMessaging | null = null;
let recordHandler = false;
let handler: number[] = [];

function running(): RunningMessaging {
  if (!m) throw new Error(`${init.name} is offline`);
  return m;
}

// --- commit stamps -----------------------------------------------------------
// Stamp incoming texts once their transaction has committed (see the header of
// bench/net.bench.ts): the stamp runs in a microtask, i.e. after the
// synchronous better-sqlite3 transaction that called insert has returned; when
// the insert was part of delivery's batch transaction, the db is still in a
// transaction then, and the check is repeated on the next turns until COMMIT.
const repo = store.messages;
const insert = repo.insert.bind(repo);
repo.insert = (message: NewMessage) => {
  const result = insert(message);
  const tag = tagOf(message.body);
  if (!message.outgoing && result.inserted && tag !== undefined) {
    let checks = 0;
    const stamp = (): void => {
      const at = clock();
      if (db.inTransaction) {
        if (++checks < 100_000) setImmediate(stamp);
        return;
      }
      if (repo.get(result.id) === null) return;
      post({ kind: 'committed', tag, at });
    };
    queueMicrotask(stamp);
  }
  return result;
};

// --- commits at the receiver, forwarded by the main thread ------------------
const remote = new Set<string>();
const remoteListeners = new Set<(tag: string) => void>();

function onRemoteCommit(tag: string): void {
  remote.add(tag);
  for (const listener of [...remoteListeners]) listener(tag);
}

/** Resolves on the next forwarded commit; rejects after `ms`. */
function nextRemoteCommit(ms: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const listener = (tag: string): void => {
      clearTimeout(t);
      remoteListeners.delete(listener);
      resolve(tag);
    };
    const t = setTimeout(() => {
      remoteListeners.delete(listener);
      reject(new Error(`${init.name}: ${what}: no commit reported at the receiver within ${ms} ms`));
    }, ms);
    remoteListeners.add(listener);
  });
}

async function remoteCommitted(tag: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!remote.has(tag)) {
    const left = end - Date.now();
    if (left <= 0) throw new Error(`${init.name}: ${tag} not committed at the receiver within ${ms} ms`);
    await nextRemoteCommit(left, tag);
  }
}

const BODY_BYTES = 1024;

/** A 1 KB text whose first word tags it. */
function body(tag: string): string {
  const head = `#${tag} `;
  return head + 'x'.repeat(BODY_BYTES - head.length);
}

function heldAt(recipient: string): number {
  return (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM outbox WHERE recipient = ? AND state = 'held' AND message_id IS NOT NULL`,
      )
      .get(recipient) as { n: number }
  ).n;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// --- operations ----------------------------------------------------------------
type Handlers = { [K in OpName]: (params: Params<K>) => Promise<Result<K>> | Result<K> };

const handlers: Handlers = {
  async online({ mdns }) {
    if (m) return { peerId: m.node.peerId, startedAt: clock(), startMs: 0 };
    const startedAt = clock();
    const started = await startMessaging({
      store,
      identity,
      ...(init.logLevel
        ? {
            logger: createJsonLogger((line) => process.stderr.write(`${init.name} ${line}\n`), init.logLevel),
          }
        : {}),
      node: { listen: [`/ip4/127.0.0.1/tcp/${listenPort}`], ...(mdns ? { mdns: true } : {}) },
    });
    const startMs = clock() - startedAt;
    // The node calls `delivery.onEnvelope` through the instance property: time the handler.
    const inner = started.delivery.onEnvelope;
    started.delivery.onEnvelope = async (e: InboundEnvelope): Promise<DeliverStatus> => {
      const t0 = clock();
      const status = await inner(e);
      if (recordHandler) handler.push(clock() - t0);
      return status;
    };
    const address = started.node.addresses()[0] ?? '';
    listenPort = Number(/\/tcp\/(\d+)/.exec(address)?.[1] ?? 0);
    m = started;
    return { peerId: started.node.peerId, startedAt, startMs };
  },
  async offline() {
    const was = m;
    m = null;
    await was?.stop();
    return null;
  },
  createInvite() {
    return running().service.createInvite();
  },
  async acceptInvite({ invite }) {
    await running().service.acceptInvite(invite);
    return null;
  },
  dmWith({ identityKey }) {
    const row = db
      .prepare(
        `SELECT v.id AS id FROM conversations v JOIN contacts c ON c.id = v.contact_id
         WHERE v.kind = 'dm' AND c.identity_key = ?`,
      )
      .get(Buffer.from(identityKey, 'hex')) as { id: number } | undefined;
    return row?.id ?? null;
  },
  relaysOf({ peerId }) {
    return running().directory.relaysOf(peerId);
  },
  hasSealPublicKey({ peerId }) {
    return running().directory.sealPublicKey(peerId) !== null;
  },
  async sendText({ conversationId, body: text }) {
    const start = clock();
    await running().service.sendText(conversationId, text);
    return { start, ms: clock() - start };
  },
  heldAt({ recipient }) {
    return heldAt(recipient);
  },
  mailboxItems() {
    return running().mailbox.stats().items;
  },
  isConnected({ peerId }) {
    return running().node.isConnected(peerId);
  },
  messagesCount({ conversationId }) {
    return (
      db
        .prepare('SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND outgoing = 0')
        .get(conversationId) as { n: number }
    ).n;
  },
  forgetAddresses() {
    if (m) throw new Error(`${init.name}: forgetAddresses only while offline`);
    db.prepare(`UPDATE devices SET addresses = '[]'`).run();
    listenPort = 0;
    return null;
  },
  handlerStart() {
    handler = [];
    recordHandler = true;
    return null;
  },
  handlerStop() {
    recordHandler = false;
    const out = handler;
    handler = [];
    return out;
  },
  async sequential({ conversationId, prefix, count, timeoutMs }) {
    const service = running().service;
    const starts: number[] = [];
    const sendCalls: number[] = [];
    for (let i = 0; i < count; i++) {
      const tag = `${prefix}${i}`;
      // The start is taken here, in the sender's thread, right before the call.
      const start = clock();
      await service.sendText(conversationId, body(tag));
      sendCalls.push(clock() - start);
      starts.push(start);
      await remoteCommitted(tag, timeoutMs);
    }
    return { starts, sendCalls };
  },
  async burst({ conversationId, prefix, ms, window, concurrency, timeoutMs }) {
    const service = running().service;
    let sent = 0;
    let done = 0;
    const counter = (tag: string): void => {
      if (tag.startsWith(prefix)) done++;
    };
    remoteListeners.add(counter);
    try {
      const first = clock();
      // Calls in flight; they are issued in order, so messages keep their order.
      const outstanding = new Set<Promise<unknown>>();
      while (clock() - first < ms) {
        if (sent - done >= window) {
          await nextRemoteCommit(timeoutMs, `${prefix} window`);
          continue;
        }
        if (outstanding.size >= concurrency) {
          // A failed send rejects here and fails the phase.
          await Promise.race(outstanding);
          continue;
        }
        const call: Promise<unknown> = service
          .sendText(conversationId, body(`${prefix}${sent}`))
          .finally(() => outstanding.delete(call));
        outstanding.add(call);
        sent++;
      }
      await Promise.all(outstanding);
      return { sent, first, sendingMs: clock() - first };
    } finally {
      remoteListeners.delete(counter);
    }
  },
  async fill({ conversationId, prefix, count, recipient, lag, timeoutMs }) {
    const service = running().service;
    const t0 = clock();
    for (let i = 0; i < count; i++) {
      await service.sendText(conversationId, body(`${prefix}${i}`));
      // Keep the outbox backlog bounded so the fill measures holding, not an unbounded queue.
      if (i % lag === lag - 1) {
        const end = Date.now() + timeoutMs;
        // Polled slowly: counting held rows costs this peer's CPU.
        while (heldAt(recipient) < i + 1 - lag) {
          if (Date.now() > end)
            throw new Error(`${init.name}: holding did not catch up within ${timeoutMs} ms`);
          await sleep(100);
        }
        if (i % 2_000 === 1_999) {
          post({ kind: 'log', message: `catch-up: ${i + 1} sent (${((clock() - t0) / 1000).toFixed(1)} s)` });
        }
      }
    }
    return null;
  },
  async close() {
    const was = m;
    m = null;
    await was?.stop();
    store.stop();
    if (db.open) db.close();
    return null;
  },
};

async function dispatch<K extends OpName>(op: K, params: Params<K>): Promise<Result<K>> {
  const fn = handlers[op] as (p: Params<K>) => Promise<Result<K>> | Result<K>;
  return fn(params);
}

port.on('message', (message: ToWorker) => {
  if (message.kind === 'remoteCommit') {
    onRemoteCommit(message.tag);
    return;
  }
  const { id, op, params } = message;
  dispatch(op, params).then(
    (value) => port.postMessage({ kind: 'response', id, op, ok: true, value } as FromWorker),
    (err: unknown) => {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      post({ kind: 'response', id, op, ok: false, error: `${init.name} ${op}: ${error}` });
    },
  );
});

post({ kind: 'ready', identityKey: Buffer.from(identity.publicKey).toString('hex') });
