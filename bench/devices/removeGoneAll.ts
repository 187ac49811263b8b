import { addOwnDeviceTo, listedPhone } from '../../src-main/core/runtime/testing/listedPhone';
import { makeMessagingPeer, type MessagingPeer } from '../../src-main/core/runtime/testing/messagingPeer';
import { round, summarize, timer, type BenchContext, type BenchResult } from '../harness';

/**
 * `remove.gone_all` (docs/protocol.md §13.13; budget ≤ 5 s): a device that is
 * in 50 groups is removed, until its leaf is gone from all of them, on every
 * member, with the members online. Two real profiles and nodes on 127.0.0.1
 * (Ann, who removes, and Bob, a member of every group), production code and
 * timings; Ann's phone is a listed device (entry 1 of Ann's real list, a
 * version 2 credential, runtime/testing/listedPhone.ts) that Ann added to
 * every group with the `addOwnDevice` intent, and does not run, like a lost
 * phone. The clock starts when Ann appends the `remove` entry (what "Remove
 * device" does) and stops when neither Ann's nor Bob's state of any of the
 * 50 groups has the phone's leaf: Ann commits 50 Removes (§13.8 step 2, one
 * conversation at a time) and Bob processes them.
 *
 * Setup: 50 groups need 50 of Bob's KeyPackages, and /parley/keypackage/1.0.0
 * serves 8 per peer then one per 30 s; Bob's node is started with the
 * bench tuning `keyPackagePerPeer` (runtime/keyPackageTuning.test.ts checks
 * the default stays). Also reported: when the phone was gone from Ann's
 * groups (the commits made), and the per-group times at Bob (p50/p95).
 * Repeated ROUNDS times with fresh profiles; p50 and max of the rounds.
 */

const GROUPS = Number(process.env.PARLEY_BENCH_REMOVE_GROUPS ?? 50);
const ROUNDS = Number(process.env.PARLEY_BENCH_REMOVE_ROUNDS ?? 3);

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const svc = (p: MessagingPeer) => p.running().service;
const hasLeaf = (p: MessagingPeer, conversationId: number, peerId: string) =>
  svc(p)
    .groups.state(conversationId)
    ?.members.some((m) => m.peerId === peerId) ?? false;

async function round1(
  ctx: BenchContext,
  k: number,
): Promise<{ goneAll: number; goneAtAnn: number; perGroup: number[] }> {
  const ann = makeMessagingPeer(`Ann${k}`);
  const bob = makeMessagingPeer(`Bob${k}`, {
    node: { keyPackagePerPeer: { capacity: GROUPS + 10, refillPerSecond: 10 } },
  });
  ctx.defer(() => ann.dispose());
  ctx.defer(() => bob.dispose());
  await Promise.all([ann.online(), bob.online()]);
  await svc(bob).acceptInvite(svc(ann).createInvite());
  await until(() => ann.dmWith(bob) !== null, 20_000, 'the DM');
  const ik = new Uint8Array(ann.identity.publicKey);
  const phone = await listedPhone(ann.running(), GROUPS);
  await until(() => (bob.running().devices.headOf(ik)?.seq ?? -1) === 1, 20_000, 'Bob holds the phone');

  const build = timer();
  const atAnn: number[] = [];
  for (let g = 0; g < GROUPS; g++) {
    const id = await svc(ann).createGroup(`Group ${g}`, [ann.contactId(bob) ?? -1]);
    const added = await addOwnDeviceTo(ann.running(), id, phone.more[g]!);
    if (added !== 'committed') throw new Error(`group ${g}: the phone's add was ${added}`);
    atAnn.push(id);
  }
  await until(() => bob.groups().length === GROUPS, 120_000, 'Bob in every group');
  const atBob = bob.groups();
  const pid = phone.device.peerId;
  await until(() => atBob.every((id) => hasLeaf(bob, id, pid)), 120_000, 'Bob sees the phone everywhere');
  ctx.log(`remove: round ${k}: ${GROUPS} groups with the phone built in ${(build() / 1000).toFixed(1)} s`);

  const perGroup = new Map<number, number>();
  let goneAtAnn = 0;
  const t = timer();
  ann.running().devices.appendRemove(pid);
  await until(
    () => {
      for (const id of atBob) if (!perGroup.has(id) && !hasLeaf(bob, id, pid)) perGroup.set(id, t());
      if (goneAtAnn === 0 && atAnn.every((id) => !hasLeaf(ann, id, pid))) goneAtAnn = t();
      return goneAtAnn > 0 && perGroup.size === atBob.length;
    },
    120_000,
    'the phone gone from every group at Ann and Bob',
  );
  const goneAll = t();
  await ann.offline();
  await bob.offline();
  return { goneAll, goneAtAnn, perGroup: [...perGroup.values()] };
}

/** The `remove` part of bench/devices.bench.ts. */
export async function removeBench(ctx: BenchContext): Promise<BenchResult[]> {
  const goneAll: number[] = [];
  const goneAtAnn: number[] = [];
  const perGroup: number[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    const r = await round1(ctx, k);
    ctx.log(`remove: round ${k}: gone from all in ${round(r.goneAll)} ms`);
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
