import { loadavg } from 'node:os';
import { NatRig, natRigUnavailable } from '../src-main/core/net/testing/natRig';
import { RigPeer } from '../src-main/core/runtime/testing/rigPeer';
import { round, summarize, type BenchContext, type BenchResult } from './harness';
import { directRows } from './reach/directRows';

/**
 * Beyond one LAN (issue 19; docs/protocol.md §14), on the NAT rig
 * (src-main/core/net/testing/natRig.ts, needs root: run
 * `../shared/tools/in-netns npm run bench -- reach`), with whole messaging
 * peers in their own processes and production node and delivery timings.
 * Ann and Bob each behind a masquerading router (Ann's port-randomising, so
 * no hole could be punched), Cy on the public network with `--public`, a
 * contact of Ann only; Bob reaches Ann only through Cy. Against DESIGN.md §5:
 *
 * - first_message.p50/p95/max ("two peers behind different NATs → first
 *   message, p95 ≤ 2 s"): Ann and Bob stop, then both start at once; Bob sends
 *   a text as soon as he is up. From the moment both starts were issued to
 *   Ann's commit. It takes Ann's reconnect to Cy and her new reservation, and
 *   Bob's dial through Cy. `startup` is how long the two starts themselves
 *   took (machine-dependent baseline).
 * - relay_restart.reservation / .message ("relay restart → reservation back,
 *   messages flowing ≤ 10 s"): Cy stops and starts again; from the start
 *   being issued to Ann's reservation being back, and to the commit at Ann of
 *   a text Bob sent right then.
 * - relayed.latency.p50/p99: 200 sequential 1 KB texts Bob → Ann through Cy,
 *   send call → Ann's commit.
 * - load1: the machine's 1-minute load average at the end (2 shared cores).
 *
 * Then, on a rig of their own (bench/reach/directRows.ts): the share of
 * relayed connections upgraded to direct per NAT kind, latency over the
 * direct and the relayed path, 100 MB file throughput direct vs relayed.
 */

const STARTS = Number(process.env['PARLEY_BENCH_REACH_STARTS'] ?? 10);
const RESTARTS = Number(process.env['PARLEY_BENCH_REACH_RESTARTS'] ?? 5);
const LATENCY_TEXTS = 200;
const BODY = 'x'.repeat(1_000);

/** Milliseconds on the clock every process of this machine shares (as rigPeerMain stamps). */
const clock = () => performance.timeOrigin + performance.now();

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const why = natRigUnavailable();
  if (why) throw new Error(`reach needs the NAT rig (${why}); run as root inside ../shared/tools/in-netns`);
  const rig = NatRig.create({
    publicHosts: ['c'],
    homes: [
      { name: 'a', nat: 'port-randomising' },
      { name: 'b', nat: 'port-preserving' },
    ],
  });
  ctx.defer(() => rig.dispose());
  const [cy, ann, bob] = await Promise.all([
    RigPeer.start(rig, 'c', {
      name: 'Cy',
      production: true,
      port: 4001,
      publicAddresses: [`/ip4/${rig.addressOf('c')}/tcp/4001`],
    }),
    RigPeer.start(rig, 'a', { name: 'Ann', production: true }),
    RigPeer.start(rig, 'b', { name: 'Bob', production: true }),
  ]);
  ctx.defer(() => Promise.all([ann.stop(), bob.stop(), cy.stop()]));
  await Promise.all([cy.online(), ann.online(), bob.online()]);
  await ann.accept(await cy.invite());
  await until(async () => (await ann.relays()).includes(cy.peerId), 60_000, 'a reservation on Cy');
  const bobDm = await bob.accept(await ann.invite());
  await until(async () => (await ann.dmWith(bob)) !== null, 60_000, 'the DM at Ann');
  await bob.send(bobDm, 'warm-up');
  await ann.waitCommitted('warm-up', 1, 60_000);
  ctx.log('rig up: Ann reserved on Cy, Bob reaches Ann through Cy');

  // Both behind NAT, both start at once → first message.
  const first: number[] = [];
  const startup: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    await Promise.all([ann.offline(), bob.offline()]);
    const t0 = clock();
    await Promise.all([ann.online(), bob.online()]);
    startup.push(clock() - t0);
    const body = `first-${i}`;
    await bob.send(bobDm, body);
    const at = await ann.waitCommitted(body, 1, 60_000);
    first.push(at - t0);
    ctx.log(`first message ${i + 1}/${STARTS}: ${round(at - t0)} ms`);
  }

  // The relay restarts → reservation back, messages flowing.
  const reservation: number[] = [];
  const message: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    await cy.offline();
    await until(async () => !(await ann.relays()).includes(cy.peerId), 30_000, 'the reservation gone');
    const t0 = clock();
    const started = cy.online();
    const body = `restart-${i}`;
    // Sent at once: it waits in Bob's outbox until Ann is reachable through Cy again.
    await bob.send(bobDm, body);
    await started;
    await until(async () => (await ann.relays()).includes(cy.peerId), 60_000, 'the reservation back');
    reservation.push(clock() - t0);
    const at = await ann.waitCommitted(body, 1, 60_000);
    message.push(at - t0);
    ctx.log(
      `relay restart ${i + 1}/${RESTARTS}: reservation ${round(reservation.at(-1) ?? 0)} ms, message ${round(at - t0)} ms`,
    );
  }

  // Relayed latency, one text at a time.
  const latency: number[] = [];
  for (let i = 0; i < LATENCY_TEXTS; i++) {
    const body = `lat-${i}-${BODY}`;
    const sentAt = await bob.sendTimed(bobDm, body);
    const at = await ann.waitCommitted(`lat-${i}-`, 1, 60_000);
    latency.push(at - sentAt);
  }
  const [connection] = (await bob.connections()).filter((c) => c.peerId === ann.peerId);
  if (!connection?.remoteAddress.includes('/p2p-circuit'))
    throw new Error('Bob reached Ann without the relay');

  return [
    ...summarize('first_message', first, ['p50', 'p95', 'max']),
    ...summarize('startup', startup, ['p50', 'max']),
    ...summarize('relay_restart.reservation', reservation, ['p50', 'max']),
    ...summarize('relay_restart.message', message, ['p50', 'max']),
    ...summarize('relayed.latency', latency, ['p50', 'p99']),
    { metric: 'leaked_packets', value: rig.leakedPackets(), unit: 'packets' },
    { metric: 'load1', value: round(loadavg()[0] ?? 0), unit: 'load' },
    ...(process.env['PARLEY_BENCH_REACH_DIRECT'] === '0' ? [] : await directRows(ctx)),
  ];
}
