import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deliveryMigrations } from '../src-main/core/delivery/schema';
import { generateIdentityKey } from '../src-main/core/identity/identityKey';
import { startMessaging, type RunningMessaging } from '../src-main/core/messaging/startMessaging';
import { nonLoopbackInterfaces } from '../src-main/core/net/testing/netHarness';
import type { DeliverStatus, InboundEnvelope } from '../src-main/core/net/deliverProtocol';
import { openEncryptedDatabase, type Db } from '../src-main/core/store/encryptedDatabase';
import { migrate } from '../src-main/core/store/migrate';
import type { NewMessage } from '../src-main/core/store/repositories/messageRepository';
import { Store } from '../src-main/core/store/store';
import { createJsonLogger, silentLogger, type LogLevel } from '../src-main/core/util/logger';
import { round, summarize, timer, type BenchContext, type BenchResult } from './harness';

/**
 * The network path end to end (DESIGN.md §5, issue 5): real peers in ONE Node
 * process, each with its own SQLCipher database (WAL, synchronous = FULL, as
 * the app opens it) and its own libp2p node on 127.0.0.1, wired by
 * startMessaging with production delivery and node defaults (only the listen
 * address is forced to loopback). Every message takes the real path:
 * MessagingService.sendText → MLS encrypt → message row + outbox row in one
 * transaction → DeliveryService pump → deliver protocol over TCP/noise/yamux →
 * receiver DeliveryService → MLS decrypt → state + message row + seen id in one
 * transaction → ack.
 *
 * "Committed" is observed by wrapping the receiver's
 * `store.messages.insert` (this instance only, nothing in src-main changes):
 * the insert runs inside the receiver's synchronous better-sqlite3
 * transaction, and the wrapper stamps the time in a queued microtask, which
 * runs only once that synchronous stack has returned, i.e. after COMMIT (and
 * its fsync). The wrapper checks the row is visible and the db is no longer in
 * a transaction before stamping. When the insert was part of delivery's batch
 * transaction (group commit, several envelopes per COMMIT), the db is still in
 * a transaction then: the check is repeated with setImmediate until the batch
 * committed, so such a stamp may be late by at most one event-loop turn.
 *
 * Metrics:
 * - latency.*: 1,000 sequential 1 KB texts A → B (next one only after the
 *   previous is committed at B), from the sendText call to B's commit. Also the
 *   sender's own share (sendText returning: MLS encrypt + local transaction)
 *   and the receiver's handler share (deliver handler entry → committed), so a
 *   missed budget can be placed in a layer.
 * - throughput: ~10 s of 1 KB texts A → B with at most WINDOW uncommitted at
 *   once; messages committed at B per second, first send to last commit.
 * - catchup.N: C offline, A sends N (PARLEY_BENCH_HELD, default 10,000) 1 KB
 *   texts to C, deposited with relay B (and kept by A); A stops; C starts →
 *   time from the startMessaging call until all N are committed at C.
 * - mdns.first_message: only inside ../shared/tools/in-netns (IN_NETNS set and
 *   no non-loopback interface): two befriended peers whose stored addresses
 *   are erased restart with mDNS on (production interval and tag); A calls
 *   sendText right after both started → B commits. Otherwise skipped with the
 *   reason printed.
 *
 * Knobs: PARLEY_BENCH_HELD (catch-up size), PARLEY_BENCH_WINDOW (throughput
 * window, default 256); for profiling only: PARLEY_BENCH_ONLY (phases),
 * PARLEY_BENCH_SYNCHRONOUS (see below). bench/net/fsyncProbe.ts and
 * bench/net/headsProbe.ts isolate two costs this bench showed.
 */

const LATENCY_RUNS = 1_000;
const WARMUP = 50;
const THROUGHPUT_MS = 10_000;
/** Uncommitted texts allowed in flight in the throughput phase (PARLEY_BENCH_WINDOW). */
const WINDOW = Number(process.env['PARLEY_BENCH_WINDOW'] ?? 256);
const HELD = Number(process.env['PARLEY_BENCH_HELD'] ?? 10_000);
const BODY_BYTES = 1024;
const STEP_TIMEOUT_MS = 20_000;
const SETUP_TIMEOUT_MS = 60_000;
/**
 * Diagnostic only (to place a missed budget): PARLEY_BENCH_SYNCHRONOUS=NORMAL
 * (or OFF) reopens nothing but sets that pragma on every peer's database after
 * opening it, so a run shows what the fsync of synchronous = FULL costs.
 * Unset (the default and the only setting whose figures count): the app's FULL.
 */
const SYNCHRONOUS = process.env['PARLEY_BENCH_SYNCHRONOUS'] ?? '';
/** Profiling aid: PARLEY_BENCH_ONLY=catchup (comma-separated: latency, throughput, catchup, mdns). */
const ONLY = new Set((process.env['PARLEY_BENCH_ONLY'] ?? '').split(',').filter((x) => x !== ''));
/** Debugging aid: PARLEY_BENCH_LOG=debug (or info, warn, error) prints every peer's log on stderr. */
const LOG_LEVEL = (process.env['PARLEY_BENCH_LOG'] ?? '') as LogLevel | '';
const wants = (phase: string): boolean => ONLY.size === 0 || ONLY.has(phase);
if (!['', 'FULL', 'NORMAL', 'OFF'].includes(SYNCHRONOUS)) {
  throw new Error(`PARLEY_BENCH_SYNCHRONOUS must be FULL, NORMAL or OFF, not ${SYNCHRONOUS}`);
}

// ---------------------------------------------------------------------------
// Peers

interface Peer {
  name: string;
  db: Db;
  store: Store;
  identity: { publicKey: Buffer; privateKey: Buffer; displayName: string };
  port: number;
  m: RunningMessaging | null;
  /** Texts committed here (incoming), by tag, with the commit time (performance.now()). */
  committed: Map<string, number>;
  /** Deliver-handler durations (entry → resolved, i.e. committed), ms, when recording. */
  handler: number[];
  recordHandler: boolean;
  waiters: Map<string, () => void>;
  online(mdns?: boolean): Promise<RunningMessaging>;
  offline(): Promise<void>;
  running(): RunningMessaging;
}

function makePeer(dir: string, name: string): Peer {
  mkdirSync(join(dir, name), { recursive: true });
  const db = openEncryptedDatabase(join(dir, name, 'parley.db'), randomBytes(32), { create: true });
  migrate(db, deliveryMigrations);
  if (SYNCHRONOUS !== '') db.pragma(`synchronous = ${SYNCHRONOUS}`);
  const store = new Store(db, { attachmentsDir: join(dir, name, 'attachments'), logger: silentLogger });
  const key = generateIdentityKey();
  const peer: Peer = {
    name,
    db,
    store,
    identity: { ...key, displayName: name },
    port: 0,
    m: null,
    committed: new Map(),
    handler: [],
    recordHandler: false,
    waiters: new Map(),
    async online(mdns = false) {
      if (peer.m) return peer.m;
      const m = await startMessaging({
        store,
        identity: peer.identity,
        ...(LOG_LEVEL
          ? { logger: createJsonLogger((line) => process.stderr.write(`${name} ${line}\n`), LOG_LEVEL) }
          : {}),
        node: { listen: [`/ip4/127.0.0.1/tcp/${peer.port}`], ...(mdns ? { mdns: true } : {}) },
      });
      // The node calls `delivery.onEnvelope` through the instance property: time the handler.
      const inner = m.delivery.onEnvelope;
      m.delivery.onEnvelope = async (e: InboundEnvelope): Promise<DeliverStatus> => {
        const elapsed = timer();
        const status = await inner(e);
        if (peer.recordHandler) peer.handler.push(elapsed());
        return status;
      };
      const address = m.node.addresses()[0] ?? '';
      peer.port = Number(/\/tcp\/(\d+)/.exec(address)?.[1] ?? 0);
      peer.m = m;
      return m;
    },
    async offline() {
      const m = peer.m;
      peer.m = null;
      await m?.stop();
    },
    running() {
      if (!peer.m) throw new Error(`${name} is offline`);
      return peer.m;
    },
  };
  // Stamp incoming texts once their transaction has committed (see the header).
  const repo = store.messages;
  const insert = repo.insert.bind(repo);
  repo.insert = (message: NewMessage) => {
    const result = insert(message);
    const tag = /^#(\S+) /.exec(message.body ?? '')?.[1];
    if (!message.outgoing && result.inserted && tag !== undefined) {
      let checks = 0;
      const stamp = (): void => {
        const at = performance.now();
        if (db.inTransaction) {
          // Inside delivery's batch transaction (group commit): committed only
          // when the batch is; look again once the current task has finished.
          if (++checks < 100_000) setImmediate(stamp);
          return;
        }
        if (repo.get(result.id) === null) return;
        peer.committed.set(tag, at);
        const wake = peer.waiters.get(tag);
        if (wake) {
          peer.waiters.delete(tag);
          wake();
        }
      };
      queueMicrotask(stamp);
    }
    return result;
  };
  return peer;
}

/** Resolves once `tag` is committed at `peer`; rejects after `ms`. */
function committedAt(peer: Peer, tag: string, ms = STEP_TIMEOUT_MS): Promise<number> {
  const at = peer.committed.get(tag);
  if (at !== undefined) return Promise.resolve(at);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      peer.waiters.delete(tag);
      reject(new Error(`${tag} not committed at ${peer.name} within ${ms} ms`));
    }, ms);
    peer.waiters.set(tag, () => {
      clearTimeout(t);
      resolve(peer.committed.get(tag) ?? performance.now());
    });
  });
}

/** Polls until `what` holds; bounded. */
async function until(what: () => boolean, ms: number, label: string, everyMs = 10): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function contactId(p: Peer, other: Peer): number | null {
  const r = p.db.prepare('SELECT id FROM contacts WHERE identity_key = ?').get(other.identity.publicKey) as
    { id: number } | undefined;
  return r?.id ?? null;
}

function dmWith(p: Peer, other: Peer): number {
  const r = p.db
    .prepare(`SELECT id FROM conversations WHERE kind = 'dm' AND contact_id = ?`)
    .get(contactId(p, other)) as { id: number } | undefined;
  if (!r) throw new Error(`${p.name} has no DM with ${other.name}`);
  return r.id;
}

async function befriend(inviter: Peer, invitee: Peer): Promise<void> {
  const invite = inviter.running().service.createInvite();
  await invitee.running().service.acceptInvite(invite);
  await until(
    () => {
      try {
        return dmWith(inviter, invitee) > 0;
      } catch {
        return false;
      }
    },
    SETUP_TIMEOUT_MS,
    `${inviter.name} joins the DM with ${invitee.name}`,
  );
}

/** A 1 KB text whose first word tags it. */
function body(tag: string): string {
  const head = `#${tag} `;
  return head + 'x'.repeat(BODY_BYTES - head.length);
}

// ---------------------------------------------------------------------------

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const peers: Peer[] = [];
  const peer = (name: string): Peer => {
    const p = makePeer(ctx.tmpDir, name);
    peers.push(p);
    return p;
  };
  ctx.defer(async () => {
    for (const p of peers) {
      await p.offline();
      p.store.stop();
      if (p.db.open) p.db.close();
    }
  });

  ctx.log('one process, three peers (A, B, C) on 127.0.0.1, encrypted DBs, production delivery defaults');
  if (SYNCHRONOUS !== '') ctx.log(`DIAGNOSTIC RUN: synchronous = ${SYNCHRONOUS} (the app uses FULL)`);
  const a = peer('A');
  const b = peer('B');
  const c = peer('C');
  await Promise.all([a.online(), b.online(), c.online()]);
  await befriend(a, b);
  await befriend(a, c);
  await befriend(b, c);
  const peerOf = (p: Peer): string => p.running().node.peerId;
  await until(
    () => {
      const relays = a.running().directory.relaysOf(peerOf(c));
      return relays.includes(peerOf(b)) && b.running().directory.sealPublicKey(peerOf(c)) !== null;
    },
    SETUP_TIMEOUT_MS,
    "C's relay list at A",
  );
  const ab = dmWith(a, b);

  // --- latency --------------------------------------------------------------
  if (wants('latency')) {
    for (let i = 0; i < WARMUP; i++) {
      await a.running().service.sendText(ab, body(`w${i}`));
      await committedAt(b, `w${i}`);
    }
    const total: number[] = [];
    const sendCall: number[] = [];
    b.handler.length = 0;
    b.recordHandler = true;
    for (let i = 0; i < LATENCY_RUNS; i++) {
      const tag = `l${i}`;
      const start = performance.now();
      await a.running().service.sendText(ab, body(tag));
      sendCall.push(performance.now() - start);
      total.push((await committedAt(b, tag)) - start);
    }
    b.recordHandler = false;
    const handler = [...b.handler];
    results.push(...summarize('latency', total, ['p50', 'p99', 'max']));
    results.push(...summarize('latency.send_call', sendCall, ['p50', 'p99']));
    results.push(...summarize('latency.receive_handler', handler, ['p50', 'p99']));
    ctx.log(
      `latency (${LATENCY_RUNS} sequential 1 KB sends, after ${WARMUP} warm-up): ` +
        results
          .slice(-7)
          .map((r) => `${r.metric} ${r.value}`)
          .join(', '),
    );
  }

  // --- throughput -----------------------------------------------------------
  if (wants('throughput')) {
    let sent = 0;
    let done = 0;
    let lastCommit = 0;
    const pending: Promise<void>[] = [];
    const first = performance.now();
    let slot: (() => void) | null = null;
    while (performance.now() - first < THROUGHPUT_MS) {
      if (sent - done >= WINDOW) {
        await new Promise<void>((resolve) => {
          slot = resolve;
        });
        continue;
      }
      const tag = `t${sent}`;
      await a.running().service.sendText(ab, body(tag));
      sent++;
      pending.push(
        committedAt(b, tag, THROUGHPUT_MS + 60_000).then((at) => {
          done++;
          lastCommit = Math.max(lastCommit, at);
          const wake = slot;
          slot = null;
          wake?.();
        }),
      );
    }
    const sendingMs = performance.now() - first;
    await Promise.all(pending);
    const seconds = (lastCommit - first) / 1000;
    results.push({ metric: 'throughput', value: round(sent / seconds, 1), unit: 'msg/s' });
    results.push({
      metric: 'throughput.send_calls',
      value: round(sent / (sendingMs / 1000), 1),
      unit: 'msg/s',
    });
    ctx.log(
      `throughput: ${sent} sent in ${round(sendingMs)} ms (window ${WINDOW}), all committed at B after ${round(seconds, 2)} s`,
    );
  }

  // --- offline catch-up -------------------------------------------------------
  if (wants('catchup')) {
    const ac = dmWith(a, c);
    const cId = peerOf(c);
    await c.offline();
    ctx.log(`catch-up: C offline; A sends ${HELD} 1 KB texts to C (held by B)`);
    const fill = timer();
    for (let i = 0; i < HELD; i++) {
      await a.running().service.sendText(ac, body(`c${i}`));
      // Keep the outbox backlog bounded so the fill measures holding, not an unbounded queue.
      if (i % 500 === 499) {
        // Polled slowly: counting held rows costs the peers' shared CPU too.
        await until(() => heldAt(a.db, cId) >= i + 1 - 500, 10 * 60_000, 'holding to catch up', 100);
        if (i % 2_000 === 1_999) ctx.log(`catch-up: ${i + 1} sent (${round(fill() / 1000, 1)} s)`);
      }
    }
    await until(
      () => heldAt(a.db, cId) >= HELD && b.running().mailbox.stats().items >= HELD,
      Math.max(SETUP_TIMEOUT_MS, HELD * 50),
      `${HELD} held at B`,
      100,
    );
    ctx.log(`catch-up: ${HELD} held by B (fill took ${round(fill() / 1000, 1)} s); A stops, C starts`);
    await a.offline();
    // Monotonic clock, for cutting this phase out of a --cpu-prof profile.
    ctx.log(`catch-up: C starts at hrtime ${process.hrtime.bigint() / 1000n} µs`);
    const start = performance.now();
    await c.online();
    const started = performance.now() - start;
    await committedAt(c, `c${HELD - 1}`, Math.max(60_000, HELD * 20));
    await until(() => c.committed.size >= HELD, 10_000, 'all committed');
    const elapsed = Math.max(...[...c.committed.values()]) - start;
    const count = (
      c.db
        .prepare('SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND outgoing = 0')
        .get(dmWith(c, a)) as { n: number }
    ).n;
    if (count < HELD) throw new Error(`C has ${count} of ${HELD} messages`);
    results.push({ metric: `catchup.${HELD}`, value: round(elapsed), unit: 'ms' });
    results.push({ metric: 'catchup.start', value: round(started), unit: 'ms' });
    results.push({ metric: 'catchup.rate', value: round(HELD / (elapsed / 1000), 1), unit: 'msg/s' });
    ctx.log(`catch-up: C start ${round(started)} ms, ${HELD} committed after ${round(elapsed)} ms`);
    ctx.log(`catch-up: done at hrtime ${process.hrtime.bigint() / 1000n} µs`);
  }
  for (const p of [a, b, c]) await p.offline();

  // --- mDNS -------------------------------------------------------------------
  const foreign = nonLoopbackInterfaces();
  const inNetns = (process.env['IN_NETNS'] ?? '') !== '';
  if (!wants('mdns')) {
    ctx.log('mdns.first_message not run (PARLEY_BENCH_ONLY)');
  } else if (!inNetns || foreign.length > 0) {
    const why = !inNetns
      ? 'not inside ../shared/tools/in-netns (IN_NETNS unset)'
      : `non-loopback interfaces present: ${foreign.join(', ')}`;
    const message = `mdns.first_message skipped: ${why}; mDNS runs only in a private loopback-only namespace`;
    ctx.log(message);
  } else {
    const d = peer('D');
    const e = peer('E');
    await Promise.all([d.online(), e.online()]);
    await befriend(d, e);
    await until(() => e.running().directory.sealPublicKey(peerOf(d)) !== null, SETUP_TIMEOUT_MS, 'profiles');
    const de = dmWith(d, e);
    await Promise.all([d.offline(), e.offline()]);
    // Forget every stored address and take new ports: only mDNS can bring them together.
    for (const p of [d, e]) {
      p.db.prepare(`UPDATE devices SET addresses = '[]'`).run();
      p.port = 0;
    }
    const start = performance.now();
    await Promise.all([d.online(true), e.online(true)]);
    const startedMs = performance.now() - start;
    await d.running().service.sendText(de, body('m0'));
    let connected = 0;
    const watch = until(() => d.running().node.isConnected(peerOf(e)), 30_000, 'mDNS connection').then(() => {
      connected = performance.now() - start;
    });
    const at = await committedAt(e, 'm0', 30_000);
    await watch;
    results.push({ metric: 'mdns.first_message', value: round(at - start), unit: 'ms' });
    results.push({ metric: 'mdns.connected', value: round(connected), unit: 'ms' });
    results.push({ metric: 'mdns.start', value: round(startedMs), unit: 'ms' });
    ctx.log(
      `mDNS: both started in ${round(startedMs)} ms, connected ${round(connected)} ms, first message ${round(at - start)} ms`,
    );
    await Promise.all([d.offline(), e.offline()]);
  }
  return results;
}

function heldAt(db: Db, recipient: string): number {
  return (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM outbox WHERE recipient = ? AND state = 'held' AND message_id IS NOT NULL`,
      )
      .get(recipient) as { n: number }
  ).n;
}
