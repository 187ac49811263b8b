import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Outbox } from '../../src-main/core/delivery/outbox';
import { encodeFrame } from '../../src-main/core/groups/wireFrame';
import { generateIdentityKey } from '../../src-main/core/identity/identityKey';
import {
  addMembers,
  createDeviceIdentity,
  createGroup,
  DEFAULT_SUITE,
  encrypt,
  exportRatchetTree,
  generateKeyPackage,
  joinGroup,
  MlsStore,
  processMessage,
  type MlsDeviceIdentity,
  type MlsGroupState,
} from '../../src-main/core/mls';
import { registerDeviceDirectory } from '../../src-main/core/mls/deviceDirectory';
import { ListedPerson, TestDirectory, type ListedDevice } from '../../src-main/core/mls/testing/listedUsers';
import { openEncryptedDatabase } from '../../src-main/core/store/encryptedDatabase';
import { migrate } from '../../src-main/core/store/migrate';
import { Store } from '../../src-main/core/store/store';
import { silentLogger } from '../../src-main/core/util/logger';
import { round, summarize, timer, type BenchContext, type BenchResult } from '../harness';

/**
 * `send.group_50x3` (docs/protocol.md §13.13; budget ≤ 5 ms per message,
 * like DESIGN.md §5's 1,000-member send): one 1 KB message in a group of 50
 * people × 3 devices, 150 leaves, with the X-Wing suite. Every person has a
 * real, signed device list (device 0 with a version 1 credential, devices 1
 * and 2 with version 2 credentials naming their `add` entries, §13.6), and
 * the sender and the receiver judge every leaf against those lists (a
 * registered device directory), as running devices do; the heads are pinned
 * in 0xFA03 by the add commit.
 *
 * Measured the way bench/mls.bench.ts measures sends:
 * - `send`: MLS encrypt of the 1 KB plaintext (1,000 messages);
 * - `receive`: another person's device decrypting it;
 * - `to_outbox`: what messaging stores per send (groups/groupSendQueue.ts):
 *   encrypt, then in ONE transaction (committed without waiting for the disk,
 *   store/durability.ts) the new group state, the message row and 149 outbox
 *   rows, one per other device, in an encrypted database (200 messages; the
 *   recipients are not connected, so only the send cost counts), with its
 *   CPU time beside (wall time also counts waiting for a core), and the
 *   same without the outbox rows (`persisted_no_outbox`: state and message
 *   row only), so the rows' share shows whatever the machine's load.
 * Baseline in the same run: a 1,000-member single-device group's `send`
 * (mls.bench.ts's `xwing.n1000.send`), and the ratio of the two p50s.
 */

const PEOPLE = 50;
const DEVICES_PER_PERSON = 3;
const MESSAGES = Number(process.env.PARLEY_BENCH_SEND_MESSAGES ?? 1_000);
const OUTBOX_MESSAGES = 200;
const BASELINE_MEMBERS = Number(process.env.PARLEY_BENCH_SEND_BASELINE ?? 1_000);
const BASELINE_MESSAGES = 200;
const PLAINTEXT = new Uint8Array(randomBytes(1024));

async function keyPackageOf(d: MlsDeviceIdentity) {
  return generateKeyPackage(d, { suite: DEFAULT_SUITE, lastResort: false, now: Date.now() });
}

/** The 150-leaf group: Ann's device 0 made it; Bob's device 0 joined; everyone judges with the lists. */
async function group50x3(ctx: BenchContext): Promise<{
  sender: MlsGroupState;
  receiver: MlsGroupState;
  others: ListedDevice[];
}> {
  const people = Array.from({ length: PEOPLE }, (_, i) => new ListedPerson(`p${i}`));
  for (const p of people) for (let d = 1; d < DEVICES_PER_PERSON; d++) p.link();
  const dir = new TestDirectory();
  for (const p of people) dir.learn(p);
  const all = people.flatMap((p) => p.devices);
  const [ann, bob] = [people[0]!.devices[0]!, people[1]!.devices[0]!];
  const offs = [ann, bob].map((d) => registerDeviceDirectory(d.device.signaturePublicKey, dir));
  ctx.defer(() => offs.forEach((off) => off()));
  const others = all.filter((d) => d !== ann);
  const kps = await Promise.all(others.map((d) => keyPackageOf(d.device)));
  const made = await createGroup(ann.device, { suite: DEFAULT_SUITE, name: 'bench 50x3' });
  const added = await addMembers(
    made,
    kps.map((k) => k.keyPackage),
  );
  const bobKp = kps[others.indexOf(bob)]!;
  const joined = await joinGroup(
    bob.device,
    added.welcome!,
    { keyPackage: bobKp.keyPackage, privateKeys: bobKp.privateKeys },
    exportRatchetTree(added.state),
  );
  if (added.state.members.length !== PEOPLE * DEVICES_PER_PERSON)
    throw new Error(`group has ${added.state.members.length} leaves`);
  return { sender: added.state, receiver: joined.state, others };
}

/** Encrypt (and, for the 50 × 3 group, decrypt) `n` messages; returns the new states and samples. */
async function sends(
  sender: MlsGroupState,
  receiver: MlsGroupState | null,
  n: number,
): Promise<{ sender: MlsGroupState; send: number[]; receive: number[] }> {
  const send: number[] = [];
  const receive: number[] = [];
  let s = sender;
  let r = receiver;
  for (let i = 0; i < n; i++) {
    const t = timer();
    const out = await encrypt(s, PLAINTEXT);
    send.push(t());
    s = out.state;
    out.wipeConsumed();
    if (r) {
      const u = timer();
      const got = await processMessage(r, out.message);
      receive.push(u());
      r = got.state;
      got.wipeConsumed();
    }
  }
  return { sender: s, send, receive };
}

/** What messaging stores for one send: state, message row and one outbox row per other device, one transaction. */
async function toOutbox(
  ctx: BenchContext,
  state: MlsGroupState,
  recipients: readonly string[],
  tag: string,
): Promise<{ wall: number[]; cpu: number[] }> {
  const db = openEncryptedDatabase(join(ctx.tmpDir, `send-${tag}.db`), randomBytes(32), { create: true });
  ctx.defer(() => db.close());
  migrate(db);
  const store = new Store(db, {
    attachmentsDir: join(ctx.tmpDir, `send-${tag}-attachments`),
    logger: silentLogger,
  });
  const conversationId = store.conversations.create({
    kind: 'group',
    name: 'bench 50x3',
    groupId: Buffer.from(state.groupId),
    ciphersuite: state.suite.id,
    createdAt: Date.now(),
  });
  const mls = new MlsStore(store.mlsGroups, store.tx);
  const outbox = new Outbox(store, Date.now);
  mls.save(conversationId, state);
  let s = mls.load(conversationId)!;
  const me = Buffer.from(generateIdentityKey().publicKey);
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < OUTBOX_MESSAGES; i++) {
    const c0 = process.cpuUsage();
    const t = timer();
    const out = await encrypt(s, PLAINTEXT);
    const payload = encodeFrame({ kind: 'group', groupId: s.groupId, message: out.message });
    store.durability.lazy(() =>
      mls.commit(conversationId, out, () => {
        const { id } = store.messages.insert({
          conversationId,
          uid: randomBytes(16).toString('hex'),
          senderKey: me,
          outgoing: true,
          body: 'a message of about the length people write in a group, with a few more words',
          sentAt: Date.now(),
          receivedAt: Date.now(),
          state: 'pending',
        });
        for (const recipient of recipients)
          outbox.enqueue({ conversationId, messageId: id, recipient, payload });
      }),
    );
    samples.push(t());
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    s = out.state;
  }
  const rows = store.outbox.counts();
  if (rows.pending !== OUTBOX_MESSAGES * recipients.length)
    throw new Error(`outbox holds ${JSON.stringify(rows)}`);
  return { wall: samples, cpu };
}

/** mls.bench.ts's 1,000-member single-device group (X-Wing), built the same way: one add commit. */
async function baseline(ctx: BenchContext): Promise<number[]> {
  const device = () => {
    const id = generateIdentityKey();
    return createDeviceIdentity(id.privateKey, id.publicKey, `12D3KooW${randomBytes(20).toString('hex')}`);
  };
  const build = timer();
  const others = await Promise.all(
    Array.from({ length: BASELINE_MEMBERS - 1 }, () => keyPackageOf(device())),
  );
  const made = await createGroup(device(), { suite: DEFAULT_SUITE, name: 'bench n1000' });
  const added = await addMembers(
    made,
    others.map((k) => k.keyPackage),
  );
  ctx.log(`send: baseline group of ${added.state.members.length} built in ${(build() / 1000).toFixed(1)} s`);
  return (await sends(added.state, null, BASELINE_MESSAGES)).send;
}

/** The `send` part of bench/devices.bench.ts. */
export async function sendBench(ctx: BenchContext): Promise<BenchResult[]> {
  const build = timer();
  const g = await group50x3(ctx);
  ctx.log(`send: 50 people x 3 devices built and joined in ${(build() / 1000).toFixed(1)} s`);
  const run = await sends(g.sender, g.receiver, MESSAGES);
  const outbox = await toOutbox(
    ctx,
    run.sender,
    g.others.map((d) => d.device.peerId),
    'outbox',
  );
  // The same with no recipients: what the state and the message row cost without the 149 outbox rows.
  const alone = await toOutbox(ctx, run.sender, [], 'alone');
  const base = await baseline(ctx);
  const p50 = (xs: number[]) => summarize('x', xs, ['p50'])[0]!.value;
  return [
    ...summarize('send.group_50x3', run.send, ['p50', 'p95', 'max']),
    ...summarize('send.group_50x3.receive', run.receive, ['p50', 'p95']),
    ...summarize('send.group_50x3.to_outbox', outbox.wall, ['p50', 'p95', 'max']),
    // CPU time of this process meanwhile: wall time also counts waiting for a core on a shared machine.
    ...summarize('send.group_50x3.to_outbox.cpu', outbox.cpu, ['p50', 'p95']),
    ...summarize('send.group_50x3.persisted_no_outbox', alone.wall, ['p50', 'p95']),
    ...summarize('send.group_50x3.persisted_no_outbox.cpu', alone.cpu, ['p50']),
    {
      metric: 'send.group_50x3.outbox_rows_share_cpu',
      value: round(1 - p50(alone.cpu) / p50(outbox.cpu), 2),
      unit: 'ratio',
    },
    { metric: 'send.group_50x3.leaves', value: PEOPLE * DEVICES_PER_PERSON, unit: 'leaves' },
    { metric: 'send.group_50x3.outbox_rows_per_message', value: g.others.length, unit: 'rows' },
    ...summarize(`send.n${BASELINE_MEMBERS}_single.baseline`, base, ['p50', 'p95']),
    {
      metric: `send.group_50x3_vs_n${BASELINE_MEMBERS}_single`,
      value: round(p50(run.send) / p50(base), 2),
      unit: 'ratio',
    },
  ];
}
