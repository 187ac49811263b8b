import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ARCHIVE_KDF } from '../src-main/core/backup/archiveFormat';
import { createBackup } from '../src-main/core/backup/createBackup';
import { restoreBackup, verifyBackup } from '../src-main/core/backup/restoreBackup';
import { ProfileService } from '../src-main/core/profile/profileService';
import { silentLogger } from '../src-main/core/util/logger';
import { round, timer, type BenchContext, type BenchResult } from './harness';

/**
 * Backup, verify and restore of a profile of PARLEY_BENCH_BACKUP_MB (default
 * 1024 MB: DESIGN.md §5 budget ≤ 20 s each way): ~10 % messages (1 KB bodies,
 * indexed for search) and ~90 % attachments (8 MiB files). Production Argon2id
 * cost for the archive. Memory is the process's peak RSS above its level
 * before each step, sampled every 20 ms (the snapshot worker is a thread of
 * this process, so it is included).
 */
const MiB = 1024 * 1024;
const FILE_BYTES = 8 * MiB;
const BODY_BYTES = 1024;
const PASSPHRASE = 'bench unlock passphrase';
const PASSWORD = 'bench backup password';

function peakRss(): { stop(): number } {
  const base = process.memoryUsage().rss;
  let peak = base;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop() {
      clearInterval(t);
      peak = Math.max(peak, process.memoryUsage().rss);
      return round((peak - base) / MiB, 1);
    },
  };
}

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const totalMb = Number(process.env.PARLEY_BENCH_BACKUP_MB ?? 1024);
  const messageBytes = Math.round(totalMb * MiB * 0.1);
  const fileCount = Math.max(1, Math.round((totalMb * MiB - messageBytes) / FILE_BYTES));
  const dir = join(ctx.tmpDir, 'profile');
  const profile = new ProfileService({
    dir,
    logger: silentLogger,
    kdfCost: { memoryKiB: 1024, iterations: 1, parallelism: 1 },
  });
  ctx.defer(() => profile.lock());
  await profile.create('Bench', PASSPHRASE);
  const db = profile.database();

  ctx.log(`seeding ${Math.round(messageBytes / MiB)} MB of messages and ${fileCount} files of 8 MiB`);
  const now = Date.now();
  const conv = Number(
    db
      .prepare(
        "INSERT INTO conversations (kind, name, created_at, last_activity_at) VALUES ('group', 'Bench', ?, ?)",
      )
      .run(now, now).lastInsertRowid,
  );
  const insert = db.prepare(
    `INSERT INTO messages (conversation_id, uid, sender_key, outgoing, body, sent_at, received_at, state)
     VALUES (?, ?, ?, 0, ?, ?, ?, 'received')`,
  );
  const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
  const sender = Buffer.alloc(32, 5);
  const count = Math.ceil(messageBytes / BODY_BYTES);
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      let body = '';
      for (let j = i; body.length < BODY_BYTES; j = (j * 7 + 13) % words.length) body += `${words[j]} `;
      insert.run(conv, `m${i}`, sender, body.slice(0, BODY_BYTES), now + i, now + i);
    }
  });
  for (let i = 0; i < count; i += 10_000) batch(i, Math.min(count, i + 10_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  mkdirSync(join(dir, 'attachments'), { recursive: true });
  const chunk = randomBytes(FILE_BYTES);
  for (let i = 0; i < fileCount; i++) {
    chunk.writeUInt32BE(i, 0);
    writeFileSync(join(dir, 'attachments', `file-${i}.bin`), chunk);
  }
  const profileBytes = statSync(join(dir, 'parley.db')).size + fileCount * FILE_BYTES;
  ctx.log(`profile: ${Math.round(profileBytes / MiB)} MB; backing up`);

  const archive = join(ctx.tmpDir, 'bench.parley-backup');
  let rss = peakRss();
  let elapsed = timer();
  const connection = profile.secondConnection();
  const created = await createBackup({
    profileDir: dir,
    connection,
    out: archive,
    password: PASSWORD,
    appVersion: 'bench',
  });
  const backupMs = elapsed();
  const backupRss = rss.stop();
  connection.key.fill(0);

  ctx.log('verifying');
  rss = peakRss();
  elapsed = timer();
  await verifyBackup({ file: archive, password: PASSWORD });
  const verifyMs = elapsed();
  const verifyRss = rss.stop();

  ctx.log('restoring');
  rss = peakRss();
  elapsed = timer();
  await restoreBackup({ file: archive, password: PASSWORD, targetDir: join(ctx.tmpDir, 'restored') });
  const restoreMs = elapsed();
  const restoreRss = rss.stop();

  const mbps = (ms: number) => round(profileBytes / MiB / (ms / 1000), 1);
  return [
    { metric: 'profile.size', value: round(profileBytes / MiB, 1), unit: 'MB' },
    { metric: 'archive.size', value: round(created.archiveBytes / MiB, 1), unit: 'MB' },
    { metric: 'backup.time', value: round(backupMs), unit: 'ms' },
    { metric: 'backup.throughput', value: mbps(backupMs), unit: 'MB/s' },
    { metric: 'backup.peakRssDelta', value: backupRss, unit: 'MB' },
    { metric: 'verify.time', value: round(verifyMs), unit: 'ms' },
    { metric: 'verify.peakRssDelta', value: verifyRss, unit: 'MB' },
    { metric: 'restore.time', value: round(restoreMs), unit: 'ms' },
    { metric: 'restore.throughput', value: mbps(restoreMs), unit: 'MB/s' },
    { metric: 'restore.peakRssDelta', value: restoreRss, unit: 'MB' },
    { metric: 'archive.argon2id.memory', value: DEFAULT_ARCHIVE_KDF.memoryKiB, unit: 'KiB' },
  ];
}
