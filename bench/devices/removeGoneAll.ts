import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { addOwnDeviceTo, listedPhone } from '../../src-main/core/runtime/testing/listedPhone';
import { makeMessagingPeer, type MessagingPeer } from '../../src-main/core/runtime/testing/messagingPeer';
import { round, summarize, timer, type BenchContext, type BenchResult } from '../harness';
import type { FromMember, ToMember } from './memberWorker';

/**
 * `remove.gone_all` (docs/protocol.md §13.13; budget ≤ 5 s): a device that is
 * in 50 groups is removed, until its leaf is gone from all of them, on every
 * member, with the members online. Two real profiles and nodes on 127.0.0.1,
 * production code and timings: Ann, who removes, on the main thread, and Bob,
 * a member of every group, on his own thread (devices/memberWorker.ts: his
 * own event loop, database and node, as on his own computer). Ann's phone is
 * a listed device (entry 1 of Ann's real list, a version 2 credential,
 * runtime/testing/listedPhone.ts) that Ann added to every group with the
 * `addOwnDevice` intent, and does not run, like a lost phone. The clock
 * starts when Ann appends the `remove` entry (what "Remove device" does) and
 * stops when neither Ann's nor Bob's state of any of the 50 groups has the
 * phone's leaf: Ann commits 50 Removes (§13.8 step 2, one conversation at a
 * time) and Bob processes them.
 *
 * Setup: 50 groups need 50 of Bob's KeyPackages, and /parley/keypackage/1.0.0
 * serves 8 per peer then one per 30 s; Bob's node is started with the bench
 * tuning `keyPackagePerPeer` (runtime/keyPackageTuning.test.ts checks the
 * default stays). Also reported: when the phone was gone from Ann's groups
 * (her commits made), and the per-group times at Bob. ROUNDS rounds with
 * fresh profiles; p50 and max of the rounds.
 */

const GROUPS = Number(process.env.PARLEY_BENCH_REMOVE_GROUPS ?? 50);
const ROUNDS = Number(process.env.PARLEY_BENCH_REMOVE_ROUNDS ?? 3);
const now = () => performance.timeOrigin + performance.now();

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Bob on his own thread; `next(op)` waits for his next message of that kind. */
function startBob(ctx: BenchContext): {
  send: (m: ToMember) => void;
  next: <K extends FromMember['op']>(op: K, ms?: number) => Promise<Extract<FromMember, { op: K }>>;
  worker: Worker;
} {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./memberWorker.ts', import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true },
  );
  ctx.defer(() => worker.terminate());
  const inbox: FromMember[] = [];
  const waiters: Array<() => void> = [];
  worker.on('message', (m: FromMember) => {
    inbox.push(m);
    for (const w of waiters.splice(0)) w();
  });
  worker.on('error', (err) => {
    inbox.push({ op: 'error', message: err.message });
    for (const w of waiters.splice(0)) w();
  });
  const next = async <K extends FromMember['op']>(op: K, ms = 180_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const error = inbox.find((m) => m.op === 'error');
      if (error && error.op === 'error') throw new Error(error.message);
      const i = inbox.findIndex((m) => m.op === op);
      if (i >= 0) return inbox.splice(i, 1)[0] as Extract<FromMember, { op: K }>;
      if (Date.now() > deadline) throw new Error(`Bob did not answer ${op}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 1_000);
      });
    }
  };
  return { send: (m) => worker.postMessage(m), next, worker };
}

const hasLeaf = (p: MessagingPeer, conversationId: number, peerId: string) =>
  p
    .running()
    .service.groups.state(conversationId)
    ?.members.some((m) => m.peerId === peerId) ?? false;

async function removeRound(
  ctx: BenchContext,
  k: number,
): Promise<{ goneAll: number; goneAtAnn: number; perGroup: number[] }> {
  const bob = startBob(ctx);
  const ann = makeMessagingPeer(`Ann${k}`);
  ctx.defer(() => ann.dispose());
  await Promise.all([ann.online(), bob.next('ready')]);
  const svc = ann.running().service;
  bob.send({ op: 'accept', invite: svc.createInvite() });
  const { identityKey } = await bob.next('accepted');
  const bobContact = () => ann.store.contacts.byIdentityKey(Buffer.from(identityKey, 'hex'))?.id ?? null;
  await until(() => bobContact() !== null, 20_000, 'Bob a contact');
  const phone = await listedPhone(ann.running(), GROUPS);

  const build = timer();
  const groups: number[] = [];
  for (let g = 0; g < GROUPS; g++) {
    const id = await svc.createGroup(`Group ${g}`, [bobContact() ?? -1]);
    const added = await addOwnDeviceTo(ann.running(), id, phone.more[g]!);
    if (added !== 'committed') throw new Error(`group ${g}: the phone's add was ${added}`);
    groups.push(id);
  }
  const pid = phone.device.peerId;
  bob.send({ op: 'watch', phone: pid, groups: GROUPS });
  await bob.next('watching');
  ctx.log(`remove: round ${k}: ${GROUPS} groups with the phone built in ${(build() / 1000).toFixed(1)} s`);

  const t0 = now();
  ann.running().devices.appendRemove(pid);
  await until(() => groups.every((id) => !hasLeaf(ann, id, pid)), 120_000, 'the phone gone at Ann');
  const atAnn = now();
  const { at } = await bob.next('gone');
  const goneAll = Math.max(atAnn, ...at) - t0;
  bob.send({ op: 'close' });
  await bob.next('closed');
  await bob.worker.terminate();
  await ann.offline();
  return { goneAll, goneAtAnn: atAnn - t0, perGroup: at.map((x) => x - t0) };
}

/** The `remove` part of bench/devices.bench.ts. */
export async function removeBench(ctx: BenchContext): Promise<BenchResult[]> {
  const goneAll: number[] = [];
  const goneAtAnn: number[] = [];
  const perGroup: number[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    const r = await removeRound(ctx, k);
    ctx.log(`remove: round ${k}: gone from all in ${round(r.goneAll)} ms (at Ann ${round(r.goneAtAnn)} ms)`);
    goneAll.push(r.goneAll / 1000);
    goneAtAnn.push(r.goneAtAnn);
    perGroup.push(...r.perGroup);
  }
  return [
    ...summarize('remove.gone_all', goneAll, ['p50', 'max'], 's'),
    ...summarize('remove.gone_at_remover_ms', goneAtAnn, ['p50', 'max']),
    ...summarize('remove.gone_per_group_at_member_ms', perGroup, ['p50', 'p95']),
    { metric: 'remove.groups', value: GROUPS, unit: 'groups' },
    { metric: 'remove.rounds', value: ROUNDS, unit: 'rounds' },
  ];
}
