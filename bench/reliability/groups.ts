import { join } from 'node:path';
import { createBackup } from '../../src-main/core/backup/createBackup';
import { restoreBackup } from '../../src-main/core/backup/restoreBackup';
import { DEFAULT_DELIVERY_OPTIONS } from '../../src-main/core/delivery/deliveryService';
import { DEFAULT_ACCEPT_MS } from '../../src-main/core/mls';
import { DEFAULT_BACKOFF } from '../../src-main/core/net/backoff';
import { groupsAwaitingResync } from '../../src-main/core/groups/resync';
import { startMessaging } from '../../src-main/core/runtime/startMessaging';
import {
  makeMessagingPeer,
  until,
  type MessagingPeer,
} from '../../src-main/core/runtime/testing/messagingPeer';
import { openEncryptedDatabase } from '../../src-main/core/store/encryptedDatabase';
import { deriveKek, newKdfParams, wrapDataKey } from '../../src-main/core/store/keyDerivation';
import { newProfileHeader, writeProfileHeader } from '../../src-main/core/store/profileHeader';
import { Store } from '../../src-main/core/store/store';
import { silentLogger } from '../../src-main/core/util/logger';
import { round, summarize, timer, type BenchContext, type BenchResult } from '../harness';
import { ResyncRepository } from '../../src-main/core/store/repositories/resyncRepository';

/**
 * The groups half of bench/reliability.bench.ts (issue 13), with the app's
 * own timings (node, delivery, and the groups' 60 s acceptance window):
 *
 * - restore.writable: Ann talks with Bob and Carl (two DMs and the group
 *   "Crew"), backs up and closes her app; her backup is restored into a new
 *   profile that starts its messaging while Bob and Carl are online.
 *   Measured from the start of the restored device's messaging to every
 *   conversation rejoined (writable: its read-only mark cleared, which is
 *   also what makes the home list refresh). `restore.start` is the start of
 *   messaging alone (the machine-dependent baseline: node, KeyPackages).
 *   Budget (DESIGN.md §5): ≤ 5 s.
 * - admin_change.applied: the owner makes a change (rename, make admin,
 *   make member again, in turn), each right after the one before was
 *   applied, and it counts once all three members show it. Before commit
 *   acks each change after the first waited out the previous one's 60 s
 *   window. `admin_change.settled` is when the owner's epoch was accepted on
 *   the others' acks (the next change could go); `text.delivered` is a text
 *   in the same group reaching both others (the baseline for the ratio).
 *   Budget: ≤ 1 s.
 *
 * Everything on 127.0.0.1. Noisy while other tests run on the machine: the
 * results file is read with that in mind.
 */

const RESTORES = Number(process.env['PARLEY_BENCH_RESTORES'] ?? 5);
const ADMIN_CHANGES = Number(process.env['PARLEY_BENCH_ADMIN_CHANGES'] ?? 30);
const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const PASSWORD = 'backup password for the bench';

const production = {
  anyPort: true,
  node: { dialTimeoutMs: 5_000, dialGraceMs: 2_000, reconnect: DEFAULT_BACKOFF },
  delivery: DEFAULT_DELIVERY_OPTIONS,
  groups: { acceptMs: DEFAULT_ACCEPT_MS },
};

/** Polls every 2 ms (bounded): the figures are tens of milliseconds, `until`'s 25 ms step would blur them. */
async function soon(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function befriend(inviter: MessagingPeer, invitee: MessagingPeer): Promise<void> {
  await invitee.running().service.acceptInvite(inviter.running().service.createInvite());
  await until(() => inviter.dmWith(invitee) !== null, 60_000, 'DM joined');
}

/** Ann with Bob and Carl: two DMs and the group "Crew" that reached both. Returns Ann's group id. */
async function trio(ann: MessagingPeer, bob: MessagingPeer, carl: MessagingPeer): Promise<number> {
  await Promise.all([ann.online(), bob.online(), carl.online()]);
  await befriend(ann, bob);
  await befriend(ann, carl);
  const group = await ann
    .running()
    .service.createGroup('Crew', [ann.contactId(bob) ?? -1, ann.contactId(carl) ?? -1]);
  await until(() => bob.groups().length === 1 && carl.groups().length === 1, 60_000, 'the group reaches all');
  return group;
}

export async function restoreMetrics(ctx: BenchContext): Promise<BenchResult[]> {
  ctx.log(`restore with members online, ${RESTORES} times: every conversation writable`);
  const writable: number[] = [];
  const start: number[] = [];
  for (let i = 0; i < RESTORES; i++) {
    const [ann, bob, carl] = [
      makeMessagingPeer('Ann', production),
      makeMessagingPeer('Bob', production),
      makeMessagingPeer('Carl', production),
    ];
    await trio(ann, bob, carl);
    // A backup as the app makes it: a profile header wrapping the database key, then the archive.
    const kdf = newKdfParams(FAST_KDF);
    writeProfileHeader(
      join(ann.t.dir, 'profile.json'),
      newProfileHeader(
        kdf,
        wrapDataKey(ann.t.key, await deriveKek('unlock passphrase', kdf), kdf),
        new Date(),
      ),
    );
    const archive = join(ctx.tmpDir, `ann-${i}.parley-backup`);
    await createBackup({
      profileDir: ann.t.dir,
      connection: { path: ann.t.path, key: Buffer.from(ann.t.key) },
      out: archive,
      password: PASSWORD,
      appVersion: 'bench',
      kdf: FAST_KDF,
    });
    await ann.offline();
    const dir = join(ctx.tmpDir, `ann-restored-${i}`);
    await restoreBackup({ file: archive, password: PASSWORD, targetDir: dir });
    const db = openEncryptedDatabase(join(dir, 'parley.db'), Buffer.from(ann.t.key), { create: false });
    const store = new Store(db, { attachmentsDir: join(dir, 'attachments'), logger: silentLogger });
    const elapsed = timer();
    const restored = await startMessaging({
      store,
      identity: ann.identity,
      node: { listen: ['/ip4/127.0.0.1/tcp/0'], ...production.node },
      delivery: production.delivery,
      groups: production.groups,
    });
    start.push(elapsed());
    await soon(
      () => groupsAwaitingResync(new ResyncRepository(db)).length === 0,
      60_000,
      'every conversation rejoined',
    );
    writable.push(elapsed());
    await restored.stop();
    store.stop();
    db.close();
    for (const p of [ann, bob, carl]) await p.dispose();
  }
  const results = [
    ...summarize('restore.writable', writable, ['p50', 'max']),
    ...summarize('restore.start', start, ['p50']),
  ];
  results.push({
    metric: 'restore.writable.p50_ratio_to_start',
    value: round((results[0]?.value ?? 0) / (results[2]?.value ?? 1)),
    unit: 'x',
  });
  ctx.log(`restore: ${results.map((r) => `${r.metric} ${r.value}`).join(', ')}`);
  return results;
}

const nameAt = (p: MessagingPeer, id: number) =>
  (p.t.db.prepare('SELECT name FROM conversations WHERE id = ?').get(id) as { name: string }).name;
const roleAt = (p: MessagingPeer, id: number, who: MessagingPeer) =>
  (
    p.t.db
      .prepare('SELECT role FROM members WHERE conversation_id = ? AND identity_key = ?')
      .get(id, who.identity.publicKey) as { role: string } | undefined
  )?.role;

export async function adminChangeMetrics(ctx: BenchContext): Promise<BenchResult[]> {
  ctx.log(`admin changes with every member online, ${ADMIN_CHANGES} in a row: applied everywhere`);
  const [ann, bob, carl] = [
    makeMessagingPeer('Ann', production),
    makeMessagingPeer('Bob', production),
    makeMessagingPeer('Carl', production),
  ];
  ctx.defer(() => Promise.all([ann, bob, carl].map((p) => p.dispose())));
  const group = await trio(ann, bob, carl);
  const groupAt = (p: MessagingPeer) => (p === ann ? group : (p.groups()[0] ?? -1));
  const accepted = () => ann.running().service.groups.sequencers.get(group)?.seq.accepted === true;
  // The group's creation settles on acks too.
  await soon(accepted, 60_000, 'the creating commit accepted');

  const applied: number[] = [];
  const settled: number[] = [];
  const texts: number[] = [];
  const groups = ann.running().service.groups;
  for (let i = 0; i < ADMIN_CHANGES; i++) {
    const elapsed = timer();
    let shows: (p: MessagingPeer) => boolean;
    if (i % 3 === 0) {
      const name = `Crew ${i}`;
      await groups.rename(group, name);
      shows = (p) => nameAt(p, groupAt(p)) === name;
    } else {
      const role = i % 3 === 1 ? 'admin' : 'member';
      await groups.setRole(group, bob.identity.publicKey, role);
      shows = (p) => roleAt(p, groupAt(p), bob) === role;
    }
    await soon(() => [ann, bob, carl].every(shows), 60_000, `change ${i} applied everywhere`);
    applied.push(elapsed());
    await soon(accepted, 60_000, `change ${i} accepted`);
    settled.push(elapsed());
  }
  for (let i = 0; i < ADMIN_CHANGES; i++) {
    const elapsed = timer();
    const body = `text ${i}`;
    await ann.running().service.sendText(group, body);
    const arrived = (p: MessagingPeer) =>
      p.t.db
        .prepare('SELECT 1 FROM messages WHERE conversation_id = ? AND body = ?')
        .get(groupAt(p), body) !== undefined;
    await soon(() => arrived(bob) && arrived(carl), 60_000, `text ${i} delivered`);
    texts.push(elapsed());
  }
  const results = [
    ...summarize('admin_change.applied', applied, ['p50', 'p95', 'max']),
    ...summarize('admin_change.settled', settled, ['p50', 'max']),
    ...summarize('text.delivered', texts, ['p50']),
  ];
  results.push({
    metric: 'admin_change.applied.p50_ratio_to_text',
    value: round((results[0]?.value ?? 0) / (results[5]?.value ?? 1)),
    unit: 'x',
  });
  ctx.log(`admin changes: ${results.map((r) => `${r.metric} ${r.value}`).join(', ')}`);
  return results;
}
