import { DEFAULT_DELIVERY_OPTIONS } from '../../src-main/core/delivery/deliveryService';
import { DEFAULT_BACKOFF } from '../../src-main/core/net/backoff';
import { NetnsRig, rigUnavailable } from '../../src-main/core/net/testing/netnsRig';
import {
  makeMessagingPeer,
  until,
  type MessagingPeer,
} from '../../src-main/core/runtime/testing/messagingPeer';
import { RigPeer } from '../../src-main/core/runtime/testing/rigPeer';
import { round, summarize, timer, type BenchContext, type BenchResult } from '../harness';

/**
 * The network half of bench/reliability.bench.ts (issue 13): restarts,
 * black holes and packet loss, with production node and delivery timings.
 *
 * - restart_both.*: Ann and Bob (and in the second set Carl, staying up) on
 *   127.0.0.1, listening on tcp/0 as the app asks. Both stop, then both start
 *   at once; Ann sends a text as soon as she is up. Measured from the moment
 *   both starts were issued to Bob's commit; every sample must have gone
 *   straight to Bob (never deposited with a holder). `startup` is how long
 *   the two starts themselves took (the machine-dependent baseline).
 * - blackhole.*: Ann and Bob in two network namespaces joined by a veth pair
 *   (net/testing/netnsRig.ts, needs root). Their established connections are
 *   black-holed with iptables DROP on their ports (the link itself stays
 *   up, as when a NAT mapping dies or a peer vanished behind a switch);
 *   `detected` is the time until Ann's node gives it up, `redialed` until a
 *   new connection is up, `message` until a text Ann sent right at the start
 *   is committed at Bob.
 * - loss0.* / loss5.*: the same two namespaces, the link first clean, then
 *   dropping 5 % of packets each way (iptables `statistic`): latency of 200
 *   sequential 1 KB texts (send call → Bob's commit) and throughput of 1,000
 *   texts with 32 sends in flight. Each peer is its own process, as two apps
 *   on a LAN. `*_ratio` compares 5 % loss with the clean link of the same run.
 */

const RESTARTS = Number(process.env['PARLEY_BENCH_RESTARTS'] ?? 20);
const BLACK_HOLES = Number(process.env['PARLEY_BENCH_BLACKHOLES'] ?? 5);
const LATENCY_TEXTS = 200;
const BURST_TEXTS = 1_000;
const BODY = 'x'.repeat(1_000);

const production = {
  anyPort: true,
  node: { dialTimeoutMs: 5_000, dialGraceMs: 2_000, reconnect: DEFAULT_BACKOFF, addressRefreshMs: 5_000 },
  delivery: DEFAULT_DELIVERY_OPTIONS,
};

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  await invitee.running().service.acceptInvite(inviter.running().service.createInvite());
  await until(() => inviter.dmWith(invitee) !== null, 60_000, 'DM joined');
}

async function eventually(
  check: () => Promise<boolean>,
  ms: number,
  what: string,
  stepMs = 20,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

async function restartSet(ctx: BenchContext, withCarl: boolean): Promise<BenchResult[]> {
  const name = withCarl ? 'restart_both_with_carl' : 'restart_both';
  const ann = makeMessagingPeer('Ann', production);
  const bob = makeMessagingPeer('Bob', production);
  const carl = withCarl ? makeMessagingPeer('Carl', production) : null;
  const all = [ann, bob, ...(carl ? [carl] : [])];
  ctx.defer(() => Promise.all(all.map((p) => p.dispose())));
  await Promise.all(all.map((p) => p.online()));
  await befriend(ann, bob);
  if (carl) {
    await befriend(carl, ann);
    await befriend(carl, bob);
  }
  const bobPeer = bob.running().node.peerId;
  const firstMessage: number[] = [];
  const startup: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    await Promise.all([ann.offline(), bob.offline()]);
    const elapsed = timer();
    let sentId = -1;
    const annSide = ann.online().then(async () => {
      sentId = (await ann.running().service.sendText(ann.dmWith(bob) ?? -1, `restart-${i}`)).id;
    });
    await Promise.all([annSide, bob.online()]);
    startup.push(elapsed());
    const bobDm = bob.dmWith(ann) ?? -1;
    await until(
      () =>
        bob.t.db
          .prepare('SELECT 1 FROM messages WHERE conversation_id = ? AND body = ?')
          .get(bobDm, `restart-${i}`) !== undefined,
      60_000,
      `restart-${i} at Bob`,
    );
    firstMessage.push(elapsed());
    const row = ann.t.db
      .prepare('SELECT deposited_with FROM outbox WHERE message_id = ? AND recipient = ?')
      .get(sentId, bobPeer) as { deposited_with: string | null } | undefined;
    if (row?.deposited_with) throw new Error(`restart-${i} went through a holder, not directly`);
  }
  const results = [
    ...summarize(`${name}.first_message`, firstMessage, ['p50', 'p95', 'max']),
    ...summarize(`${name}.startup`, startup, ['p50', 'p95']),
  ];
  const p95 = results[1]?.value ?? 0;
  const startupP50 = results[3]?.value ?? 1;
  results.push({
    metric: `${name}.first_message.p95_ratio_to_startup`,
    value: round(p95 / startupP50),
    unit: 'x',
  });
  ctx.log(`${name}: ${results.map((r) => `${r.metric} ${r.value}`).join(', ')}`);
  return results;
}

export async function restartMetrics(ctx: BenchContext): Promise<BenchResult[]> {
  ctx.log(`both peers restarted at once, ${RESTARTS} times: first message delivered directly`);
  return [...(await restartSet(ctx, false)), ...(await restartSet(ctx, true))];
}

/** Two rig peers with a DM; the rig and processes are torn down by ctx.defer. */
async function rigPair(
  ctx: BenchContext,
): Promise<{ rig: NetnsRig; ann: RigPeer; bob: RigPeer; annDm: number; bobDm: number }> {
  const rig = NetnsRig.create(['a', 'b'], [['a', 'b']]);
  ctx.defer(() => rig.dispose());
  const [ann, bob] = await Promise.all([
    RigPeer.start(rig, 'a', { name: 'Ann', production: true }),
    RigPeer.start(rig, 'b', { name: 'Bob', production: true }),
  ]);
  ctx.defer(() => Promise.all([ann.stop(), bob.stop()]));
  await Promise.all([ann.online(), bob.online()]);
  const bobDm = await bob.accept(await ann.invite());
  await eventually(async () => (await ann.dmWith(bob)) !== null, 60_000, 'DM joined', 200);
  return { rig, ann, bob, annDm: (await ann.dmWith(bob)) ?? -1, bobDm };
}

const portOf = (address: string) => Number(/\/tcp\/(\d+)/.exec(address)?.[1] ?? 0);

export async function blackHoleMetrics(ctx: BenchContext): Promise<BenchResult[]> {
  const why = rigUnavailable();
  if (why) {
    ctx.log(`blackhole: skipped (${why}); run as root inside ../shared/tools/in-netns`);
    return [];
  }
  ctx.log(
    `a black-holed connection, ${BLACK_HOLES} times: detected, redialled, a text sent into it delivered`,
  );
  const { rig, ann, bob, annDm } = await rigPair(ctx);
  const detected: number[] = [];
  const redialed: number[] = [];
  const message: number[] = [];
  for (let i = 0; i < BLACK_HOLES; i++) {
    await eventually(
      async () => (await ann.isConnected(bob)) && (await bob.isConnected(ann)),
      60_000,
      'connected',
    );
    // Every connection between them (both may have dialled): one rule per pair of their ports.
    const annPorts = (await bob.connections())
      .filter((c) => c.peerId === ann.peerId)
      .map((c) => portOf(c.remoteAddress));
    const bobPorts = (await ann.connections())
      .filter((c) => c.peerId === bob.peerId)
      .map((c) => portOf(c.remoteAddress));
    if (annPorts.length === 0 || bobPorts.length === 0) throw new Error('no connection to black-hole');
    const elapsed = timer();
    for (const local of annPorts) for (const remote of bobPorts) rig.blackHoleConnection('a', local, remote);
    await ann.send(annDm, `hole-${i}`);
    await eventually(async () => !(await ann.isConnected(bob)), 60_000, 'dead connection given up');
    detected.push(elapsed());
    await eventually(async () => ann.isConnected(bob), 60_000, 'redialled');
    redialed.push(elapsed());
    await eventually(
      async () => ((await bob.committedAt([`hole-${i}`]))[0] ?? null) !== null,
      60_000,
      'text delivered',
    );
    message.push(elapsed());
    rig.clearRules('a');
  }
  const results = [
    ...summarize('blackhole.detected', detected, ['p50', 'max']),
    ...summarize('blackhole.redialed', redialed, ['p50', 'p95', 'max']),
    ...summarize('blackhole.message', message, ['p50', 'max']),
  ];
  ctx.log(results.map((r) => `${r.metric} ${r.value}`).join(', '));
  return results;
}

async function linkFigures(
  ann: RigPeer,
  bob: RigPeer,
  annDm: number,
  label: string,
): Promise<{ latency: number[]; throughput: number }> {
  const latency: number[] = [];
  for (let i = 0; i < LATENCY_TEXTS; i++) {
    const body = `${label}-l${i}-${BODY}`;
    const sentAt = await ann.sendTimed(annDm, body);
    await bob.waitCommitted(`${label}-l${i}-`, 1, 60_000);
    const [at] = await bob.committedAt([body]);
    latency.push((at ?? Number.NaN) - sentAt);
  }
  const first = await ann.burst(annDm, `${label}-t`, BURST_TEXTS, 32);
  const last = await bob.waitCommitted(`${label}-t`, BURST_TEXTS, 170_000);
  return { latency, throughput: (BURST_TEXTS * 1000) / (last - first) };
}

export async function lossMetrics(ctx: BenchContext): Promise<BenchResult[]> {
  const why = rigUnavailable();
  if (why) {
    ctx.log(`loss: skipped (${why}); run as root inside ../shared/tools/in-netns`);
    return [];
  }
  const { rig, ann, bob, annDm } = await rigPair(ctx);
  const results: BenchResult[] = [];
  const figures: Record<string, { latency: number[]; throughput: number }> = {};
  for (const [label, loss] of [
    ['loss0', 0],
    ['loss5', 0.05],
  ] as const) {
    rig.setLoss('b', loss);
    figures[label] = await linkFigures(ann, bob, annDm, label);
    const dropped = rig.droppedPackets('b');
    rig.clearRules('b');
    const f = figures[label];
    results.push(...summarize(`${label}.latency`, f.latency, ['p50', 'p99', 'max']));
    results.push({ metric: `${label}.throughput`, value: round(f.throughput), unit: 'msg/s' });
    results.push({ metric: `${label}.dropped_packets`, value: dropped, unit: 'packets' });
    ctx.log(
      `${label}: ${results
        .filter((r) => r.metric.startsWith(label))
        .map((r) => `${r.metric} ${r.value}`)
        .join(', ')}`,
    );
  }
  const clean = summarize('x', figures['loss0']?.latency ?? [0], ['p50', 'p99']);
  const lossy = summarize('x', figures['loss5']?.latency ?? [0], ['p50', 'p99']);
  results.push(
    {
      metric: 'loss5.latency.p50_ratio',
      value: round((lossy[0]?.value ?? 0) / (clean[0]?.value || 1)),
      unit: 'x',
    },
    {
      metric: 'loss5.latency.p99_ratio',
      value: round((lossy[1]?.value ?? 0) / (clean[1]?.value || 1)),
      unit: 'x',
    },
    {
      metric: 'loss5.throughput_ratio',
      value: round((figures['loss5']?.throughput ?? 0) / (figures['loss0']?.throughput || 1)),
      unit: 'x',
    },
  );
  return results;
}
