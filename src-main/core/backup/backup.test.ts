import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../util/logger';
import { ProfileService } from '../profile/profileService';
import { assertSendable, groupsAwaitingResync, previousPeerId } from '../groups/resync';
import { peerIdOfDeviceKey } from '../net/deviceKey';
import { HEADER_BYTES, LENGTH_BYTES } from './archiveFormat';
import { isBackupError, type BackupProblem } from './backupError';
import { createBackup } from './createBackup';
import { restoreBackup, verifyBackup } from './restoreBackup';
import {
  FAST_KDF,
  PASSWORD,
  SECRET_WORDS,
  UNLOCK,
  listing,
  makeSampleProfile,
  userData,
  type SampleProfile,
} from './testing/sampleProfile';
import type { BackupProgress } from './progress';
import { ResyncRepository } from '../store/repositories/resyncRepository';

let sample: SampleProfile;
let archive: string;
let archiveBytes: Buffer;
let before: Record<string, unknown[]>;
let oldPeerId: string;
const progress: BackupProgress[] = [];

async function backupTo(name: string, extra: Partial<Parameters<typeof createBackup>[0]> = {}) {
  const connection = sample.profile.secondConnection();
  return createBackup({
    profileDir: sample.dir,
    connection,
    out: join(sample.root, name),
    password: PASSWORD,
    appVersion: '0.0.0-test',
    kdf: FAST_KDF,
    chunkBytes: 4096,
    ...extra,
  });
}

async function expectProblem(p: Promise<unknown>, problem: BackupProblem): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isBackupError(err)) throw err;
    expect(err.problem).toBe(problem);
    expect(err.message.length).toBeGreaterThan(10);
    return;
  }
  throw new Error(`expected ${problem}`);
}

beforeAll(async () => {
  sample = await makeSampleProfile();
  const db = sample.profile.database();
  before = userData(db);
  oldPeerId = peerIdOfDeviceKey(
    new Uint8Array(
      (db.prepare('SELECT device_key FROM device_secrets').get() as { device_key: Buffer }).device_key,
    ),
  );
  const result = await backupTo('good.parley-backup', { onProgress: (p) => progress.push(p) });
  archive = result.path;
  archiveBytes = readFileSync(archive);
  expect(result.archiveBytes).toBe(archiveBytes.length);
});
afterAll(() => sample.dispose());

describe('backup', () => {
  it('reports progress from the snapshot to done, with bytes growing to the total', () => {
    expect(progress[0]?.phase).toBe('snapshot');
    expect(progress.at(-1)).toMatchObject({ phase: 'done' });
    const writing = progress.filter((p) => p.phase === 'writing');
    expect(writing.length).toBeGreaterThan(1);
    for (let i = 1; i < writing.length; i++) {
      expect(writing[i]!.bytesDone).toBeGreaterThanOrEqual(writing[i - 1]!.bytesDone);
    }
    expect(writing.at(-1)!.bytesDone).toBe(writing.at(-1)!.bytesTotal);
  });

  it('contains none of the message words or file bytes in the clear, and no SQLite header', () => {
    for (const word of SECRET_WORDS) expect(archiveBytes.includes(Buffer.from(word))).toBe(false);
    for (const bytes of sample.files.values()) {
      expect(archiveBytes.includes(bytes.subarray(0, 64))).toBe(false);
      expect(archiveBytes.includes(bytes.subarray(5_000, 5_064))).toBe(false);
    }
    expect(archiveBytes.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(archiveBytes.includes(Buffer.from('profile.json'))).toBe(false);
    expect(archiveBytes.subarray(0, 8).toString('latin1')).toBe('PARLEYBK');
  });

  it('leaves no snapshot or partial file behind', () => {
    expect(listing(sample.dir).filter((n) => n.includes('snapshot'))).toEqual([]);
    expect(listing(sample.root).filter((n) => n.includes('partial'))).toEqual([]);
  });

  it('refuses to overwrite an existing file and to write inside the profile', async () => {
    await expect(backupTo('good.parley-backup')).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(
      createBackup({
        profileDir: sample.dir,
        connection: sample.profile.secondConnection(),
        out: join(sample.dir, 'inside.bak'),
        password: PASSWORD,
        appVersion: 't',
        kdf: FAST_KDF,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(backupTo('weak.bak', { password: 'short' })).rejects.toMatchObject({
      code: 'WEAK_PASSPHRASE',
    });
  });

  it('cancel removes the partial archive', async () => {
    const controller = new AbortController();
    await expectProblem(
      backupTo('cancelled.bak', {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'writing' && p.bytesDone > 0) controller.abort();
        },
      }),
      'cancelled',
    );
    expect(listing(sample.root).filter((n) => n.startsWith('cancelled'))).toEqual([]);
  });

  it('keeps the app usable: the live database is written while the snapshot runs', async () => {
    const db = sample.profile.database();
    const pending = backupTo('concurrent.bak');
    db.prepare("INSERT INTO settings (key, value) VALUES ('during', 'backup')").run();
    const result = await pending;
    await expect(verifyBackup({ file: result.path, password: PASSWORD })).resolves.toMatchObject({
      files: 3,
    });
    db.prepare("DELETE FROM settings WHERE key = 'during'").run();
  });
});

describe('verify', () => {
  it('accepts a good archive and reports its contents', async () => {
    const seen: BackupProgress[] = [];
    const result = await verifyBackup({ file: archive, password: PASSWORD, onProgress: (p) => seen.push(p) });
    expect(result).toMatchObject({ files: 3, appVersion: '0.0.0-test', archiveBytes: archiveBytes.length });
    expect(seen.at(-1)).toMatchObject({ phase: 'done' });
  });

  it('tells a wrong password apart', async () => {
    await expectProblem(verifyBackup({ file: archive, password: 'not the password' }), 'wrong_password');
  });

  it('refuses a file that is not an archive, and a missing file', async () => {
    const other = join(sample.root, 'other.txt');
    writeFileSync(other, 'hello, not a backup at all');
    await expectProblem(verifyBackup({ file: other, password: PASSWORD }), 'not_archive');
    await expect(
      verifyBackup({ file: join(sample.root, 'missing'), password: PASSWORD }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
    });
  });
});

/** Offsets of each sealed chunk (its length prefix) in an archive. */
function chunkOffsets(bytes: Buffer): number[] {
  const out: number[] = [];
  let at = HEADER_BYTES;
  while (at < bytes.length) {
    out.push(at);
    at += LENGTH_BYTES + bytes.readUInt32BE(at);
  }
  return out;
}

describe('damage is always detected and nothing is written', () => {
  const damaged = () => join(sample.root, 'damaged.bak');
  const target = () => join(sample.root, 'restored-damaged');

  async function expectRefused(bytes: Buffer, problems: BackupProblem[], restore = false): Promise<void> {
    writeFileSync(damaged(), bytes);
    const run = restore
      ? restoreBackup({ file: damaged(), password: PASSWORD, targetDir: target() })
      : verifyBackup({ file: damaged(), password: PASSWORD });
    try {
      await run;
    } catch (err) {
      if (!isBackupError(err)) throw err;
      expect(problems).toContain(err.problem);
      expect(existsSync(target())).toBe(false);
      expect(listing(sample.root).filter((n) => n.includes('restoring'))).toEqual([]);
      return;
    }
    throw new Error('damage not detected');
  }

  it('truncation at many offsets, including every chunk boundary', async () => {
    const offsets = new Set<number>([0, 1, 7, 8, 9, HEADER_BYTES - 1, HEADER_BYTES, HEADER_BYTES + 1]);
    for (const c of chunkOffsets(archiveBytes)) for (const d of [0, 1, 3, 4, 5, 100]) offsets.add(c + d);
    for (let i = 1; i <= 40; i++) offsets.add(Math.floor((archiveBytes.length * i) / 41));
    offsets.add(archiveBytes.length - 1);
    let n = 0;
    for (const at of [...offsets].filter((o) => o < archiveBytes.length).sort((a, b) => a - b)) {
      await expectRefused(
        archiveBytes.subarray(0, at),
        ['truncated', 'not_archive', 'corrupt'],
        n++ % 10 === 0,
      );
    }
    expect(n).toBeGreaterThan(50);
  });

  it('one flipped bit at many offsets (every header byte, every chunk start and end, spread through)', async () => {
    const offsets = new Set<number>();
    // Header bytes 12..23 are the Argon2id cost: a flip there makes the KDF (bounded, but up to
    // 4 GiB) slow, so this quick sweep flips only their lowest bit; backup.long.test.ts flips every bit.
    for (let i = 0; i < HEADER_BYTES; i++) if (i < 12 || i > 23) offsets.add(i);
    for (const c of chunkOffsets(archiveBytes)) for (const d of [0, 3, 4, 20]) offsets.add(c + d);
    for (let i = 0; i < 60; i++) offsets.add(Math.floor((archiveBytes.length * i) / 60));
    offsets.add(archiveBytes.length - 1);
    let n = 0;
    for (const at of [15, 19, 23, ...offsets].filter((o) => o < archiveBytes.length)) {
      const copy = Buffer.from(archiveBytes);
      copy[at]! ^= at >= 12 && at <= 23 ? 1 : 1 << (at % 8);
      await expectRefused(
        copy,
        ['corrupt', 'truncated', 'wrong_password', 'not_archive', 'too_new'],
        n++ % 15 === 0,
      );
    }
    expect(n).toBeGreaterThan(100);
  });

  it('swapped, repeated, dropped chunks and trailing bytes', async () => {
    const offsets = chunkOffsets(archiveBytes);
    expect(offsets.length).toBeGreaterThan(5);
    const chunk = (i: number) => archiveBytes.subarray(offsets[i], offsets[i + 1] ?? archiveBytes.length);
    const head = archiveBytes.subarray(0, HEADER_BYTES);
    const all = offsets.map((_, i) => chunk(i));
    const swapped = [...all];
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    await expectRefused(Buffer.concat([head, ...swapped]), ['corrupt'], true);
    await expectRefused(Buffer.concat([head, ...all.slice(0, 2), ...all.slice(1)]), ['corrupt']);
    await expectRefused(Buffer.concat([head, ...all.slice(0, 1), ...all.slice(2)]), ['corrupt']);
    // Dropping the last chunk: the stream ends without its authenticated end.
    await expectRefused(Buffer.concat([head, ...all.slice(0, -1)]), ['truncated'], true);
    await expectRefused(Buffer.concat([archiveBytes, Buffer.from([0])]), ['corrupt']);
    await expectRefused(Buffer.concat([archiveBytes, archiveBytes.subarray(offsets[1]!)]), ['corrupt']);
  });

  it('a bumped format version is refused as too new, a lowered one as damaged', async () => {
    const newer = Buffer.from(archiveBytes);
    newer.writeUInt16BE(2, 8);
    await expectRefused(newer, ['too_new'], true);
    const older = Buffer.from(archiveBytes);
    older.writeUInt16BE(0, 8);
    await expectRefused(older, ['corrupt']);
  });

  it('a wrong password writes nothing', async () => {
    await expectProblem(
      restoreBackup({ file: archive, password: 'wrong password here', targetDir: target() }),
      'wrong_password',
    );
    expect(existsSync(target())).toBe(false);
  });
});

describe('restore', () => {
  it('round trip: every conversation, message, edit, reaction, contact and file is back; the device is new', async () => {
    const dir = join(sample.root, 'restored');
    const seen: BackupProgress[] = [];
    const result = await restoreBackup({
      file: archive,
      password: PASSWORD,
      targetDir: dir,
      onProgress: (p) => seen.push(p),
    });
    expect(seen.some((p) => p.phase === 'restoring')).toBe(true);
    expect(seen.at(-1)).toMatchObject({ phase: 'done' });
    expect(result.previousPeerId).toBe(oldPeerId);
    expect(result.peerId).not.toBe(oldPeerId);
    expect(result.groupsToResync).toBe(2);

    const restored = new ProfileService({ dir, logger: silentLogger, kdfCost: FAST_KDF });
    expect(restored.status().state).toBe('locked');
    await restored.unlock(UNLOCK);
    try {
      const db = restored.database();
      // Everything but the MLS group states, which are dropped so that this device can never
      // encrypt with secrets the original may still use: it rejoins instead (resync.ts).
      const { mls_groups: groupsBefore = [], ...rest } = before;
      const { mls_groups: groupsAfter, ...restoredRows } = userData(db);
      expect(restoredRows).toEqual(rest);
      expect(groupsAfter).toEqual([]);
      expect(groupsBefore).toHaveLength(2);
      for (const [path, bytes] of sample.files) {
        expect(readFileSync(join(dir, ...path.split('/'))).equals(bytes)).toBe(true);
      }
      const secrets = db.prepare('SELECT device_key FROM device_secrets').get() as { device_key: Buffer };
      expect(peerIdOfDeviceKey(new Uint8Array(secrets.device_key))).toBe(result.peerId);
      expect(db.prepare('SELECT count(*) AS n FROM key_packages').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM mls_device').get()).toEqual({ n: 0 });
      expect(groupsAwaitingResync(new ResyncRepository(db))).toHaveLength(2);
      await expect(async () =>
        assertSendable(new ResyncRepository(db), groupsAwaitingResync(new ResyncRepository(db))[0]!),
      ).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      expect(previousPeerId(new ResyncRepository(db))).toBe(oldPeerId);
      expect(db.prepare("SELECT value FROM settings WHERE key = 'theme'").get()).toEqual({ value: 'dark' });
    } finally {
      restored.lock();
    }
    expect(listing(dir).filter((n) => n.includes('restoring') || n.includes('snapshot'))).toEqual([]);
  });

  it('never overwrites an existing profile unless asked; with consent it keeps the old one aside', async () => {
    const dir = join(sample.root, 'restored-twice');
    await restoreBackup({ file: archive, password: PASSWORD, targetDir: dir });
    const header = readFileSync(join(dir, 'profile.json'));
    await expectProblem(
      restoreBackup({ file: archive, password: PASSWORD, targetDir: dir }),
      'target_exists',
    );
    expect(readFileSync(join(dir, 'profile.json')).equals(header)).toBe(true);
    const replaced = await restoreBackup({
      file: archive,
      password: PASSWORD,
      targetDir: dir,
      replace: true,
    });
    expect(replaced.replacedTo).toBeDefined();
    expect(existsSync(join(replaced.replacedTo!, 'profile.json'))).toBe(true);
    expect(existsSync(join(replaced.replacedTo!, 'parley.db'))).toBe(true);
    const again = new ProfileService({ dir, logger: silentLogger, kdfCost: FAST_KDF });
    await again.unlock(UNLOCK);
    expect(userData(again.database()).messages).toEqual(before.messages);
    again.lock();
  });

  it('restores into an existing empty folder (the running app before onboarding)', async () => {
    const dir = join(sample.root, 'empty-existing');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'parley.pid'), String(process.pid));
    await restoreBackup({ file: archive, password: PASSWORD, targetDir: dir, lockHeldByCaller: true });
    expect(listing(dir)).toEqual(['attachments', 'parley.db', 'parley.pid', 'profile.json']);
  });
});
