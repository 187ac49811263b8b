import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { generateIdentityKey } from '../src-main/core/identity/identityKey';
import {
  addMembers,
  createDeviceIdentity,
  createGroup,
  encrypt,
  exportRatchetTree,
  generateKeyPackage,
  joinGroup,
  MlsGroupState,
  MlsStore,
  processMessage,
  type MlsDeviceIdentity,
  type MlsSuiteName,
} from '../src-main/core/mls';
import { openEncryptedDatabase } from '../src-main/core/store/encryptedDatabase';
import { migrate } from '../src-main/core/store/migrate';
import { MlsGroupRepository } from '../src-main/core/store/repositories/mlsGroupRepository';
import { Transactor } from '../src-main/core/store/transactor';
import { round, summarize, timer, type BenchContext, type BenchResult } from './harness';

/**
 * MLS costs (DESIGN.md §5: a 1,000-member group adds one member in ≤ 150 ms
 * and sends one message in ≤ 5 ms, X-Wing suite), for both Parley suites at
 * 2, 100 and 1,000 members:
 *
 *  - keypackage.generate: one KeyPackage (two HPKE key pairs and a signature);
 *  - add_commit: the committer's side of adding one member (commit and
 *    Welcome), from an established group;
 *  - tree_export: encoding the ratchet tree the joiner needs beside the
 *    Welcome (done when the Welcome is released, after the commit);
 *  - add_process: an existing member processing that commit;
 *  - join: the new member joining from the Welcome and tree;
 *  - send / receive: one 1 KB application message;
 *  - send_persisted: send plus storing the new state in an encrypted
 *    database (MlsStore.commit, the journal path), i.e. what a real send costs;
 *  - overhead: ciphertext bytes beyond the 1 KB plaintext;
 *  - state: bytes of the serialized state of one member, and of one journal row.
 *
 * The group is built once per size (one commit adding everybody); each add
 * sample starts from a fresh copy of the same state (deserialized outside the
 * timer), since a state may produce only one message.
 *
 * PARLEY_BENCH_MLS_SIZES (default "2,100,1000") and PARLEY_BENCH_MLS_SUITES
 * (default "xwing,classic") narrow the run for development.
 */

const SIZES = (process.env.PARLEY_BENCH_MLS_SIZES ?? '2,100,1000').split(',').map(Number);
const SUITES: MlsSuiteName[] = (process.env.PARLEY_BENCH_MLS_SUITES ?? 'xwing,classic')
  .split(',')
  .map((s) => {
    if (s !== 'xwing' && s !== 'classic') throw new Error(`unknown suite ${s}`);
    return s;
  });
const KEYPACKAGE_SAMPLES = 40;
const PLAINTEXT = new Uint8Array(randomBytes(1024));

function device(): MlsDeviceIdentity {
  const id = generateIdentityKey();
  return createDeviceIdentity(id.privateKey, id.publicKey, `12D3KooW${randomBytes(20).toString('hex')}`);
}

async function keyPackages(suite: MlsSuiteName, count: number) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const d = device();
    out.push({ device: d, kp: await generateKeyPackage(d, { suite, lastResort: false, now: Date.now() }) });
  }
  return out;
}

/**
 * Wall time of `fn`, and the CPU time this process spent meanwhile. The
 * machine the benchmarks run on is shared: when other processes compete for
 * its two cores, wall time includes waiting for a core, CPU time does not
 * (it does include V8's parallel GC threads).
 */
async function clock<T>(wall: number[], cpu: number[], fn: () => Promise<T>): Promise<T> {
  const c0 = process.cpuUsage();
  const t = timer();
  const result = await fn();
  wall.push(t());
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  return result;
}

function samplesFor(n: number): { adds: number; messages: number } {
  return n >= 1000
    ? { adds: 5, messages: 50 }
    : n >= 100
      ? { adds: 10, messages: 100 }
      : { adds: 20, messages: 200 };
}

async function scenario(ctx: BenchContext, suite: MlsSuiteName, n: number): Promise<BenchResult[]> {
  const prefix = `${suite}.n${n}`;
  const { adds, messages } = samplesFor(n);
  const build = timer();
  const alice = device();
  const others = await keyPackages(suite, n - 1);
  let a = await createGroup(alice, { suite, name: `bench ${n}` });
  const added = await addMembers(
    a,
    others.map((o) => o.kp.keyPackage),
  );
  a = added.state;
  const bob = others[0];
  if (!bob) throw new Error('need at least two members');
  const joined = await joinGroup(
    bob.device,
    added.welcome!,
    { keyPackage: bob.kp.keyPackage, privateKeys: bob.kp.privateKeys },
    exportRatchetTree(added.state),
  );
  let b = joined.state;
  ctx.log(`${prefix}: group of ${a.members.length} built in ${(build() / 1000).toFixed(1)} s`);

  // Messages: Alice sends, Bob receives.
  const send: number[] = [];
  const sendCpu: number[] = [];
  const receive: number[] = [];
  const receiveCpu: number[] = [];
  let overhead = 0;
  for (let i = 0; i < messages; i++) {
    const out = await clock(send, sendCpu, () => encrypt(a, PLAINTEXT));
    a = out.state;
    out.wipeConsumed();
    overhead = out.message.length - PLAINTEXT.length;
    const got = await clock(receive, receiveCpu, () => processMessage(b, out.message));
    b = got.state;
    got.wipeConsumed();
  }

  // Send with persistence: the state goes to an encrypted database in the
  // same step, as the messaging layer does before the message leaves.
  const db = openEncryptedDatabase(join(ctx.tmpDir, `${prefix}.db`), randomBytes(32), { create: true });
  ctx.defer(() => db.close());
  migrate(db);
  const conv = Number(
    db.prepare("INSERT INTO conversations (kind, created_at, last_activity_at) VALUES ('group', 0, 0)").run()
      .lastInsertRowid,
  );
  const store = new MlsStore(new MlsGroupRepository(db), new Transactor(db));
  const snapshot = timer();
  store.save(conv, a);
  const snapshotMs = snapshot();
  a = store.load(conv)!;
  const persisted: number[] = [];
  for (let i = 0; i < Math.min(messages, 50); i++) {
    const t = timer();
    const out = await encrypt(a, PLAINTEXT);
    store.commit(conv, out);
    persisted.push(t());
    a = out.state;
  }
  const size = store.sizeOf(conv);

  // Adds: each from a fresh copy of the same state, processed by Bob, joined by the newcomer.
  const aBytes = a.serialize();
  const bBytes = b.serialize();
  const newcomers = await keyPackages(suite, adds);
  const add: number[] = [];
  const addCpu: number[] = [];
  const treeExport: number[] = [];
  const treeExportCpu: number[] = [];
  const addProcess: number[] = [];
  const addProcessCpu: number[] = [];
  const joinMs: number[] = [];
  const joinCpu: number[] = [];
  let commitBytes = 0;
  let welcomeBytes = 0;
  let treeBytes = 0;
  for (const newcomer of newcomers) {
    const fresh = MlsGroupState.deserialize(aBytes);
    const out = await clock(add, addCpu, () => addMembers(fresh, [newcomer.kp.keyPackage]));
    commitBytes = out.commit.length;
    welcomeBytes = out.welcome?.length ?? 0;
    const tree = await clock(treeExport, treeExportCpu, async () => exportRatchetTree(out.state));
    treeBytes = tree.length;
    const bobFresh = MlsGroupState.deserialize(bBytes);
    await clock(addProcess, addProcessCpu, () => processMessage(bobFresh, out.commit));
    await clock(joinMs, joinCpu, () =>
      joinGroup(
        newcomer.device,
        out.welcome!,
        { keyPackage: newcomer.kp.keyPackage, privateKeys: newcomer.kp.privateKeys },
        tree,
      ),
    );
  }

  return [
    ...summarize(`${prefix}.add_commit`, add),
    ...summarize(`${prefix}.add_commit.cpu`, addCpu, ['p50', 'p95']),
    ...summarize(`${prefix}.tree_export`, treeExport),
    ...summarize(`${prefix}.tree_export.cpu`, treeExportCpu, ['p50']),
    ...summarize(`${prefix}.add_process`, addProcess),
    ...summarize(`${prefix}.add_process.cpu`, addProcessCpu, ['p50']),
    ...summarize(`${prefix}.join`, joinMs),
    ...summarize(`${prefix}.join.cpu`, joinCpu, ['p50']),
    ...summarize(`${prefix}.send`, send),
    ...summarize(`${prefix}.send.cpu`, sendCpu, ['p50', 'p95']),
    ...summarize(`${prefix}.receive`, receive),
    ...summarize(`${prefix}.receive.cpu`, receiveCpu, ['p50']),
    ...summarize(`${prefix}.send_persisted`, persisted),
    { metric: `${prefix}.overhead_per_1kb_message`, value: overhead, unit: 'bytes' },
    { metric: `${prefix}.commit_bytes`, value: commitBytes, unit: 'bytes' },
    { metric: `${prefix}.welcome_bytes`, value: welcomeBytes, unit: 'bytes' },
    { metric: `${prefix}.ratchet_tree_bytes`, value: treeBytes, unit: 'bytes' },
    { metric: `${prefix}.state_bytes`, value: aBytes.length, unit: 'bytes' },
    { metric: `${prefix}.state_db_bytes`, value: size.state, unit: 'bytes' },
    {
      metric: `${prefix}.journal_row_bytes`,
      value: size.journalRows ? round(size.journal / size.journalRows) : 0,
      unit: 'bytes',
    },
    { metric: `${prefix}.state_snapshot_write`, value: round(snapshotMs), unit: 'ms' },
  ];
}

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [
    { metric: 'loadavg.1min.start', value: round(loadavg()[0] ?? 0), unit: 'load' },
  ];
  for (const suite of SUITES) {
    const d = device();
    const gen: number[] = [];
    for (let i = 0; i < KEYPACKAGE_SAMPLES; i++) {
      const t = timer();
      await generateKeyPackage(d, { suite, lastResort: false, now: Date.now() });
      gen.push(t());
    }
    results.push(...summarize(`${suite}.keypackage.generate`, gen));
    for (const n of SIZES) results.push(...(await scenario(ctx, suite, n)));
  }
  results.push({ metric: 'loadavg.1min.end', value: round(loadavg()[0] ?? 0), unit: 'load' });
  return results;
}
