import { nonLoopbackInterfaces } from '../src-main/core/net/testing/netHarness';
import type { LogLevel } from '../src-main/core/util/logger';
import { round, summarize, type BenchContext, type BenchResult } from './harness';
import { PeerWorker, until } from './net/peerClient';
import { clock, type Synchronous } from './net/protocol';

/**
 * The network path end to end (DESIGN.md §5, issue 5): real peers, EACH ON ITS
 * OWN WORKER THREAD (bench/net/peerWorker.ts) — its own event loop, its own
 * SQLCipher connection (WAL, synchronous = FULL, as the app opens it) and its
 * own libp2p node on 127.0.0.1, wired by startMessaging with production
 * delivery and node defaults (only the listen address is forced to loopback).
 * Two Parley apps on one LAN are two processes on two machines: sender and
 * receiver work at the same time, each on its own core. On one event loop they
 * would take turns, and the figures would be the sum of both sides' CPU rather
 * than a delivery. Results taken before this change (bench/results/net.json
 * until the worker split) ran all peers on ONE event loop and are not
 * comparable.
 *
 * Every message takes the real path: MessagingService.sendText → MLS encrypt →
 * message row + outbox row in one transaction → DeliveryService pump → deliver
 * protocol over TCP/noise/yamux → receiver DeliveryService → MLS decrypt →
 * state + message row + seen id in one transaction → ack.
 *
 * The main thread only orchestrates (typed requests, bench/net/protocol.ts) and
 * never stands inside a measured interval: every stamp is taken in a peer's
 * thread on the process-wide clock (protocol.ts `clock()`), the send start in
 * the sender's thread right before sendText, the commit in the receiver's.
 * Sender loops (latency, throughput, catch-up fill) run inside the sender's
 * worker; the main thread forwards the receiver's commit events to it.
 *
 * "Committed" is observed by wrapping the receiver's `store.messages.insert`
 * (in the worker, this instance only, nothing in src-main changes): the insert
 * runs inside the receiver's synchronous better-sqlite3 transaction, and the
 * wrapper stamps the time in a queued microtask, which runs only once that
 * synchronous stack has returned, i.e. after COMMIT (and its fsync). The
 * wrapper checks the row is visible and the db is no longer in a transaction
 * before stamping. When the insert was part of delivery's batch transaction
 * (group commit, several envelopes per COMMIT), the db is still in a
 * transaction then: the check is repeated with setImmediate until the batch
 * committed, so such a stamp may be late by at most one event-loop turn.
 *
 * Metrics:
 * - latency.*: 1,000 sequential 1 KB texts A → B (next one only after the
 *   previous is committed at B), from the sendText call to B's commit. Also the
 *   sender's own share (sendText returning: MLS encrypt + local transaction)
 *   and the receiver's handler share (deliver handler entry → committed), so a
 *   missed budget can be placed in a layer.
 * - throughput: ~10 s of 1 KB texts A → B as a bot or script sends them,
 *   with SENDERS (default 32) sendText calls in flight, issued in order, and
 *   at most WINDOW uncommitted at B; messages committed at B per second, first
 *   send to last commit. Sends waiting for the conversation together are
 *   stored in one transaction (GroupOps.send). throughput.sequential: the same
 *   with one awaited sendText call at a time (what one person typing gets is
 *   far below either).
 * - catchup.N: C offline, A sends N (PARLEY_BENCH_HELD, default 10,000) 1 KB
 *   texts to C, deposited with relay B (and kept by A); A stops; C starts →
 *   time from the startMessaging call (stamped in C's thread) until all N are
 *   committed at C.
 * - mdns.first_message: only inside ../shared/tools/in-netns (IN_NETNS set and
 *   no non-loopback interface): two befriended peers whose stored addresses
 *   are erased restart with mDNS on (production interval and tag); A calls
 *   sendText right after both started → B commits. Otherwise skipped with the
 *   reason printed.
 *
 * Knobs: PARLEY_BENCH_HELD (catch-up size), PARLEY_BENCH_WINDOW (throughput
 * window, default 256), PARLEY_BENCH_SENDERS (calls in flight, default 32); for profiling only: PARLEY_BENCH_ONLY (phases),
 * PARLEY_BENCH_SYNCHRONOUS (see below). bench/net/fsyncProbe.ts and
 * bench/net/headsProbe.ts isolate two costs this bench showed.
 */

const LATENCY_RUNS = 1_000;
const WARMUP = 50;
const THROUGHPUT_MS = 10_000;
/** Uncommitted texts allowed in flight in the throughput phase (PARLEY_BENCH_WINDOW). */
const WINDOW = Number(process.env['PARLEY_BENCH_WINDOW'] ?? 256);
const HELD = Number(process.env['PARLEY_BENCH_HELD'] ?? 10_000);
/** sendText calls the throughput phase keeps in flight (PARLEY_BENCH_SENDERS). */
const SENDERS = Number(process.env['PARLEY_BENCH_SENDERS'] ?? 32);
const BODY_BYTES = 1024;
const STEP_TIMEOUT_MS = 20_000;
const SETUP_TIMEOUT_MS = 60_000;
/**
 * Diagnostic only (to place a missed budget): PARLEY_BENCH_SYNCHRONOUS=NORMAL
 * (or OFF) reopens nothing but sets that pragma on every peer's database after
 * opening it, so a run shows what the fsync of synchronous = FULL costs.
 * Unset (the default and the only setting whose figures count): the app's FULL.
 */
const SYNCHRONOUS = knob<Synchronous>('PARLEY_BENCH_SYNCHRONOUS', ['', 'FULL', 'NORMAL', 'OFF']);
/** Profiling aid: PARLEY_BENCH_ONLY=catchup (comma-separated: latency, throughput, catchup, mdns). */
const ONLY = new Set((process.env['PARLEY_BENCH_ONLY'] ?? '').split(',').filter((x) => x !== ''));
/** Debugging aid: PARLEY_BENCH_LOG=debug (or info, warn, error) prints every peer's log on stderr. */
const LOG_LEVEL = knob<LogLevel | ''>('PARLEY_BENCH_LOG', ['', 'debug', 'info', 'warn', 'error']);
const wants = (phase: string): boolean => ONLY.size === 0 || ONLY.has(phase);
for (const [name, value] of [
  ['PARLEY_BENCH_WINDOW', WINDOW],
  ['PARLEY_BENCH_HELD', HELD],
  ['PARLEY_BENCH_SENDERS', SENDERS],
] as const) {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, not ${value}`);
  }
}

/** An environment setting that must be one of `allowed` ('' when unset). */
function knob<T extends string>(name: string, allowed: readonly T[]): T {
  const value = process.env[name] ?? '';
  const found = allowed.find((a) => a === value);
  if (found === undefined) {
    throw new Error(
      `${name} must be one of ${allowed.filter((a) => a !== '').join(', ')} (or unset), not ${value}`,
    );
  }
  return found;
}

/** A 1 KB text whose first word tags it (the workers' sender loops build the same). */
function body(tag: string): string {
  const head = `#${tag} `;
  return head + 'x'.repeat(BODY_BYTES - head.length);
}

/** The DM `p` has with `other`, once it exists (polled, bounded). */
async function dmWith(p: PeerWorker, other: PeerWorker): Promise<number> {
  let id: number | null = null;
  const found = async (): Promise<boolean> => {
    id = await p.call('dmWith', { identityKey: other.identityKey });
    return id !== null;
  };
  await until(found, SETUP_TIMEOUT_MS, `${p.name} joins the DM with ${other.name}`);
  if (id === null) throw new Error(`${p.name} has no DM with ${other.name}`);
  return id;
}

async function befriend(inviter: PeerWorker, invitee: PeerWorker): Promise<void> {
  const invite = await inviter.call('createInvite', {});
  await invitee.call('acceptInvite', { invite }, SETUP_TIMEOUT_MS);
  await dmWith(inviter, invitee);
}

async function online(p: PeerWorker, mdns = false): Promise<{ startedAt: number; startMs: number }> {
  const r = await p.call('online', { mdns }, SETUP_TIMEOUT_MS);
  p.peerId = r.peerId;
  return r;
}

// ---------------------------------------------------------------------------

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const stops: (() => Promise<void>)[] = [];
  // Every worker started is stopped (its node stopped, its db closed, the
  // thread terminated), also when the bench fails or is interrupted.
  ctx.defer(async () => {
    await Promise.all(stops.map((stop) => stop()));
  });
  const peer = (name: string): Promise<PeerWorker> =>
    PeerWorker.start(
      { name, dir: ctx.tmpDir, synchronous: SYNCHRONOUS, logLevel: LOG_LEVEL },
      ctx.log,
      (stop) => stops.push(stop),
    );

  ctx.log(
    'three peers (A, B, C), each on its own worker thread, on 127.0.0.1, encrypted DBs, production delivery defaults',
  );
  if (SYNCHRONOUS !== '') ctx.log(`DIAGNOSTIC RUN: synchronous = ${SYNCHRONOUS} (the app uses FULL)`);
  const [a, b, c] = await Promise.all([peer('A'), peer('B'), peer('C')]);
  await Promise.all([online(a), online(b), online(c)]);
  await befriend(a, b);
  await befriend(a, c);
  await befriend(b, c);
  await until(
    async () =>
      (await a.call('relaysOf', { peerId: c.peerId })).includes(b.peerId) &&
      (await b.call('hasSealPublicKey', { peerId: c.peerId })),
    SETUP_TIMEOUT_MS,
    "C's relay list at A",
  );
  const ab = await dmWith(a, b);

  // --- latency --------------------------------------------------------------
  if (wants('latency')) {
    // A's loop sends the next text only once B's commit of the previous one was forwarded.
    b.forwardTo = a;
    await a.call(
      'sequential',
      { conversationId: ab, prefix: 'w', count: WARMUP, timeoutMs: STEP_TIMEOUT_MS },
      WARMUP * STEP_TIMEOUT_MS,
    );
    await b.call('handlerStart', {});
    const { starts, sendCalls } = await a.call(
      'sequential',
      { conversationId: ab, prefix: 'l', count: LATENCY_RUNS, timeoutMs: STEP_TIMEOUT_MS },
      LATENCY_RUNS * STEP_TIMEOUT_MS,
    );
    const handler = await b.call('handlerStop', {});
    b.forwardTo = null;
    const total = starts.map((start, i) => {
      const at = b.committed.get(`l${i}`);
      if (at === undefined) throw new Error(`l${i} has no commit stamp at B`);
      return at - start;
    });
    results.push(...summarize('latency', total, ['p50', 'p99', 'max']));
    results.push(...summarize('latency.send_call', sendCalls, ['p50', 'p99']));
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
    // First as a bot or script sending as fast as it can (SENDERS calls in
    // flight: the budget's "sustained" rate), then one awaited call at a time.
    for (const [prefix, concurrency, name] of [
      ['t', SENDERS, 'throughput'],
      ['s', 1, 'throughput.sequential'],
    ] as const) {
      b.forwardTo = a;
      const { sent, first, sendingMs } = await a.call(
        'burst',
        { conversationId: ab, prefix, ms: THROUGHPUT_MS, window: WINDOW, concurrency, timeoutMs: 60_000 },
        THROUGHPUT_MS + 120_000,
      );
      b.forwardTo = null;
      let lastCommit = 0;
      for (let i = 0; i < sent; i++)
        lastCommit = Math.max(lastCommit, await b.committedAt(`${prefix}${i}`, 60_000));
      const seconds = (lastCommit - first) / 1000;
      results.push({ metric: name, value: round(sent / seconds, 1), unit: 'msg/s' });
      results.push({
        metric: `${name}.send_calls`,
        value: round(sent / (sendingMs / 1000), 1),
        unit: 'msg/s',
      });
      ctx.log(
        `${name}: ${sent} sent in ${round(sendingMs)} ms (${concurrency} calls in flight, window ${WINDOW}), all committed at B after ${round(seconds, 2)} s`,
      );
    }
  }

  // --- offline catch-up -------------------------------------------------------
  if (wants('catchup')) {
    const ac = await dmWith(a, c);
    const ca = await dmWith(c, a);
    await c.call('offline', {});
    ctx.log(`catch-up: C offline; A sends ${HELD} 1 KB texts to C (held by B)`);
    const fillStart = clock();
    await a.call(
      'fill',
      { conversationId: ac, prefix: 'c', count: HELD, recipient: c.peerId, lag: 500, timeoutMs: 10 * 60_000 },
      HELD * 1_000 + 10 * 60_000,
    );
    await until(
      async () =>
        (await a.call('heldAt', { recipient: c.peerId })) >= HELD &&
        (await b.call('mailboxItems', {})) >= HELD,
      Math.max(SETUP_TIMEOUT_MS, HELD * 50),
      `${HELD} held at B`,
      100,
    );
    ctx.log(
      `catch-up: ${HELD} held by B (fill took ${round((clock() - fillStart) / 1000, 1)} s); A stops, C starts`,
    );
    await a.call('offline', {});
    // Monotonic clock, for cutting this phase out of a --cpu-prof profile.
    ctx.log(`catch-up: C starts at hrtime ${process.hrtime.bigint() / 1000n} µs`);
    const { startedAt, startMs } = await online(c);
    await c.committedAt(`c${HELD - 1}`, Math.max(60_000, HELD * 20));
    await until(async () => c.committed.size >= HELD, 10_000, 'all committed');
    const elapsed = Math.max(...c.committed.values()) - startedAt;
    const count = await c.call('messagesCount', { conversationId: ca });
    if (count < HELD) throw new Error(`C has ${count} of ${HELD} messages`);
    results.push({ metric: `catchup.${HELD}`, value: round(elapsed), unit: 'ms' });
    results.push({ metric: 'catchup.start', value: round(startMs), unit: 'ms' });
    results.push({ metric: 'catchup.rate', value: round(HELD / (elapsed / 1000), 1), unit: 'msg/s' });
    ctx.log(`catch-up: C start ${round(startMs)} ms, ${HELD} committed after ${round(elapsed)} ms`);
    ctx.log(`catch-up: done at hrtime ${process.hrtime.bigint() / 1000n} µs`);
  }
  await Promise.all([a, b, c].map((p) => p.call('offline', {})));

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
    const [d, e] = await Promise.all([peer('D'), peer('E')]);
    await Promise.all([online(d), online(e)]);
    await befriend(d, e);
    await until(async () => e.call('hasSealPublicKey', { peerId: d.peerId }), SETUP_TIMEOUT_MS, 'profiles');
    const de = await dmWith(d, e);
    await Promise.all([d.call('offline', {}), e.call('offline', {})]);
    // Forget every stored address and take new ports: only mDNS can bring them together.
    await Promise.all([d.call('forgetAddresses', {}), e.call('forgetAddresses', {})]);
    const [sd, se] = await Promise.all([online(d, true), online(e, true)]);
    // Both starts are stamped in the peers' threads: the phase begins with the earlier one.
    const start = Math.min(sd.startedAt, se.startedAt);
    const startedMs = Math.max(sd.startedAt + sd.startMs, se.startedAt + se.startMs) - start;
    await d.call('sendText', { conversationId: de, body: body('m0') });
    let connected = 0;
    const watch = until(
      async () => d.call('isConnected', { peerId: e.peerId }),
      30_000,
      'mDNS connection',
    ).then(() => {
      connected = clock() - start;
    });
    const at = await e.committedAt('m0', 30_000);
    await watch;
    results.push({ metric: 'mdns.first_message', value: round(at - start), unit: 'ms' });
    results.push({ metric: 'mdns.connected', value: round(connected), unit: 'ms' });
    results.push({ metric: 'mdns.start', value: round(startedMs), unit: 'ms' });
    ctx.log(
      `mDNS: both started in ${round(startedMs)} ms, connected ${round(connected)} ms, first message ${round(at - start)} ms`,
    );
    await Promise.all([d.call('offline', {}), e.call('offline', {})]);
  }
  return results;
}
