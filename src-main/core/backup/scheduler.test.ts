import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ParleyError } from '../errors';
import { silentLogger } from '../util/logger';
import { BackupScheduler, pruneScheduled, scheduledName, type ScheduleSettings } from './scheduler';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'parley-schedule-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const HOUR = 3_600_000;

function scheduler(initial: Partial<ScheduleSettings>, backup: (out: string, pw: string) => Promise<void>) {
  let settings: ScheduleSettings = { enabled: true, folder, intervalHours: 24, keep: 2, ...initial };
  let now = Date.UTC(2026, 0, 1, 12);
  let changes = 0;
  const s = new BackupScheduler({
    load: () => settings,
    save: (next) => {
      settings = next;
    },
    backup,
    onChange: () => changes++,
    logger: silentLogger,
    now: () => now,
  });
  return {
    s,
    settings: () => settings,
    advance: (ms: number) => (now += ms),
    changes: () => changes,
  };
}

describe('scheduled backups', () => {
  it('names archives by time and prunes only its own files, keeping the newest N', () => {
    expect(scheduledName(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe(
      'parley-backup-20260102-030405.parley-backup',
    );
    for (const day of ['01', '02', '03', '04'])
      writeFileSync(join(folder, `parley-backup-202601${day}-000000.parley-backup`), 'x');
    writeFileSync(join(folder, 'my-notes.txt'), 'keep');
    writeFileSync(join(folder, 'parley-backup-manual.parley-backup'), 'keep');
    expect(pruneScheduled(folder, 2)).toEqual([
      'parley-backup-20260102-000000.parley-backup',
      'parley-backup-20260101-000000.parley-backup',
    ]);
    expect(readdirSync(folder).sort()).toEqual([
      'my-notes.txt',
      'parley-backup-20260103-000000.parley-backup',
      'parley-backup-20260104-000000.parley-backup',
      'parley-backup-manual.parley-backup',
    ]);
  });

  it('runs when due, only with a password in memory, and forgets it on stop (lock)', async () => {
    const outs: string[] = [];
    const t = scheduler({}, async (out, pw) => {
      expect(pw).toBe('the backup password');
      writeFileSync(out, 'archive');
      outs.push(out);
    });
    await t.s.tick();
    expect(outs).toEqual([]);
    expect(t.s.status().hasPassword).toBe(false);
    t.s.setPassword('the backup password');
    await t.s.tick();
    expect(outs).toHaveLength(1);
    expect(t.settings().lastRunAt).toBeDefined();
    expect(t.changes()).toBe(1);
    // Not due again until the interval passed.
    await t.s.tick();
    expect(outs).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      t.advance(24 * HOUR);
      await t.s.tick();
    }
    expect(outs).toHaveLength(4);
    expect(readdirSync(folder)).toHaveLength(2);
    t.s.stop();
    expect(t.s.status().hasPassword).toBe(false);
    t.advance(48 * HOUR);
    await t.s.tick();
    expect(outs).toHaveLength(4);
  });

  it('records a failure for the user and tries again at the next interval', async () => {
    let fail = true;
    const t = scheduler({}, async (out) => {
      if (fail) throw new ParleyError('STORAGE_UNAVAILABLE', 'Could not write the backup: the disk is full.');
      writeFileSync(out, 'ok');
    });
    t.s.setPassword('pw pw pw pw');
    await t.s.tick();
    expect(t.settings().lastError).toBe('Could not write the backup: the disk is full.');
    fail = false;
    t.advance(24 * HOUR);
    await t.s.tick();
    expect(t.settings().lastError).toBeUndefined();
    expect(readdirSync(folder)).toHaveLength(1);
  });

  it('does nothing while disabled or without a folder', async () => {
    let runs = 0;
    const t = scheduler({ enabled: false }, async () => {
      runs++;
    });
    t.s.setPassword('pw pw pw pw');
    await t.s.tick();
    const u = scheduler({ folder: '' }, async () => {
      runs++;
    });
    u.s.setPassword('pw pw pw pw');
    await u.s.tick();
    expect(runs).toBe(0);
  });
});
