import type { RestoreWaiting } from '../../../src-shared/contract';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../core';

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const UNLOCK = 'correct horse battery';
const PASSWORD = 'a separate backup password';
let root: string;
const cores: Core[] = [];

function core(name: string): Core {
  const c = createCore({
    profileDir: join(root, name),
    shell: 'cli',
    version: '9.9.9',
    kdfCost: FAST_KDF,
    checkIntegrity: async () => ({ ok: true, problems: 0 }),
  });
  cores.push(c);
  return c;
}

async function ok<T>(p: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const reply = await p;
  if (!reply.ok) throw new Error(JSON.stringify(reply.error));
  return reply.value as T;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-backup-handlers-'));
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  rmSync(root, { recursive: true, force: true });
});

async function seededCore(): Promise<Core> {
  const a = core('a');
  await ok(a.dispatch('profile.create', { displayName: 'Ada', passphrase: UNLOCK }));
  const db = a.profile.database();
  const now = Date.now();
  const cid = Number(
    db
      .prepare(
        "INSERT INTO conversations (kind, name, created_at, last_activity_at) VALUES ('group', 'Book club', ?, ?)",
      )
      .run(now, now).lastInsertRowid,
  );
  db.prepare(
    `INSERT INTO messages (conversation_id, uid, sender_key, outgoing, body, sent_at, received_at, state)
     VALUES (?, 'u1', ?, 1, 'see you thursday', ?, ?, 'delivered')`,
  ).run(cid, Buffer.alloc(32, 1), now, now);
  return a;
}

describe('backup handlers', () => {
  it('backs up from a running app with progress, verifies, and restores into a fresh app that then shows the conversation', async () => {
    const a = await seededCore();
    const events: [string, unknown][] = [];
    a.onEvent((name, payload) => events.push([name, payload]));
    const out = join(root, 'ada.parley-backup');
    const created = await ok<{ path: string; files: number }>(
      a.dispatch('backup.create', { jobId: 'job1', path: out, password: PASSWORD }),
    );
    expect(created).toMatchObject({ path: out, files: 1 });
    const progress = events
      .filter(([n]) => n === 'backup.progress')
      .map(([, p]) => p as { jobId: string; phase: string });
    expect(progress.every((p) => p.jobId === 'job1')).toBe(true);
    expect(progress.map((p) => p.phase)).toContain('writing');
    expect(progress.at(-1)?.phase).toBe('done');

    // Verify works while locked.
    await ok(a.dispatch('profile.lock', {}));
    await expect(
      ok(a.dispatch('backup.verify', { jobId: 'v', path: out, password: PASSWORD })),
    ).resolves.toMatchObject({ appVersion: '9.9.9', files: 1 });
    expect(
      await a.dispatch('backup.verify', { jobId: 'v', path: out, password: 'wrong password' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'WRONG_PASSPHRASE', message: 'That password does not open this backup.' },
    });

    const b = core('b');
    const bEvents: [string, unknown][] = [];
    b.onEvent((name, payload) => bEvents.push([name, payload]));
    expect(
      await b.dispatch('backup.restore', { jobId: 'r', path: out, password: 'wrong password' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'WRONG_PASSPHRASE' },
    });
    expect(readdirSync(join(root, 'b'))).toEqual(['parley.pid']);
    const restored = await ok(b.dispatch('backup.restore', { jobId: 'r', path: out, password: PASSWORD }));
    expect(restored).toMatchObject({ files: 1, groupsToResync: 0 });
    expect(
      bEvents.some(([n, p]) => n === 'profile.changed' && (p as { state: string }).state === 'locked'),
    ).toBe(true);
    expect(
      bEvents.some(([n, p]) => n === 'backup.progress' && (p as { phase: string }).phase === 'restoring'),
    ).toBe(true);
    await ok(b.dispatch('profile.unlock', { passphrase: UNLOCK }));
    const list = await ok<{ title: string; lastMessage?: { preview: string } }[]>(
      b.dispatch('conversations.list', {}),
    );
    expect(list.map((c) => c.title)).toContain('Book club');
    expect(list[0]?.lastMessage?.preview).toBe('see you thursday');
  });

  it('the first unlock after a restore gets a "restored" context: when, from which backup, what still rejoins; until dismissed', async () => {
    const a = await seededCore();
    // The group has MLS state: after the restore this new device must rejoin it.
    const db = a.profile.database();
    const [group] = db.prepare("SELECT id FROM conversations WHERE name = 'Book club'").all() as {
      id: number;
    }[];
    db.prepare(
      'INSERT INTO mls_groups (conversation_id, group_id, epoch, state, updated_at) VALUES (?, ?, 1, ?, 0)',
    ).run(group?.id, Buffer.alloc(16, 7), Buffer.alloc(8));
    // A profile that was never restored has nothing to say.
    expect(await ok(a.dispatch('backup.restoreNotice', {}))).toBeNull();
    const out = join(root, 'ada.parley-backup');
    await ok(a.dispatch('backup.create', { jobId: 'j', path: out, password: PASSWORD }));

    const b = core('b');
    const before = Date.now();
    const restored = await ok<{ createdAt: string }>(
      b.dispatch('backup.restore', { jobId: 'r', path: out, password: PASSWORD }),
    );
    await ok(b.dispatch('profile.unlock', { passphrase: UNLOCK }));
    const notice = await ok<{
      restoredAt: number;
      backupCreatedAt: string;
      total: number;
      waiting: { title: string; waitingFor: RestoreWaiting }[];
    }>(b.dispatch('backup.restoreNotice', {}));
    expect(notice.restoredAt).toBeGreaterThanOrEqual(before);
    expect(notice.backupCreatedAt).toBe(restored.createdAt);
    expect(notice.total).toBe(1);
    expect(notice.waiting).toEqual([
      {
        conversationId: group?.id,
        title: 'Book club',
        // Whom it waits for, as data: the renderer says "Waiting for … to come online".
        waitingFor: { kind: 'restoring', waitingFor: expect.any(Array), others: expect.any(Number) },
      },
    ]);
    // It survives a lock (the context is for the first unlock the user sees), and goes once dismissed.
    await ok(b.dispatch('profile.lock', {}));
    await ok(b.dispatch('profile.unlock', { passphrase: UNLOCK }));
    expect(await ok(b.dispatch('backup.restoreNotice', {}))).not.toBeNull();
    await ok(b.dispatch('backup.dismissRestoreNotice', {}));
    expect(await ok(b.dispatch('backup.restoreNotice', {}))).toBeNull();
    expect(await b.dispatch('backup.restoreNotice', {})).toEqual({ ok: true, value: null });
  });

  it('never restores over an existing profile without consent, and not while unlocked', async () => {
    const a = await seededCore();
    const out = join(root, 'x.parley-backup');
    await ok(a.dispatch('backup.create', { jobId: 'j', path: out, password: PASSWORD }));
    expect(await a.dispatch('backup.restore', { jobId: 'r', path: out, password: PASSWORD })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    });
    await ok(a.dispatch('profile.lock', {}));
    expect(await a.dispatch('backup.restore', { jobId: 'r', path: out, password: PASSWORD })).toMatchObject({
      ok: false,
      error: { code: 'PROFILE_EXISTS' },
    });
    await ok(a.dispatch('backup.restore', { jobId: 'r', path: out, password: PASSWORD, replace: true }));
    expect(readdirSync(join(root, 'a')).some((n) => n.startsWith('before-restore-'))).toBe(true);
    await ok(a.dispatch('profile.unlock', { passphrase: UNLOCK }));
  });

  it('refuses bad input with clear errors: relative paths, locked backup, a weak password, a damaged file', async () => {
    const a = core('a');
    expect(
      await a.dispatch('backup.create', { jobId: 'j', path: '/tmp/x', password: PASSWORD }),
    ).toMatchObject({
      ok: false,
      error: { code: 'LOCKED' },
    });
    await ok(a.dispatch('profile.create', { displayName: 'Ada', passphrase: UNLOCK }));
    expect(
      await a.dispatch('backup.create', { jobId: 'j', path: 'rel/x', password: PASSWORD }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAMS' },
    });
    expect(
      await a.dispatch('backup.create', { jobId: 'j', path: join(root, 'w'), password: 'short' }),
    ).toMatchObject({ ok: false, error: { code: 'WEAK_PASSPHRASE' } });
    expect(
      await a.dispatch('backup.create', { jobId: 'bad id!', path: join(root, 'w'), password: PASSWORD }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAMS' },
    });
    const junk = join(root, 'junk.bin');
    writeFileSync(junk, Buffer.alloc(500, 3));
    expect(await a.dispatch('backup.verify', { jobId: 'v', path: junk, password: PASSWORD })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAMS', message: 'This file is not a Parley backup.' },
    });
    expect(existsSync(join(root, 'w'))).toBe(false);
  });

  it('cancel stops a running backup and leaves no file', async () => {
    const a = await seededCore();
    const out = join(root, 'cancel.parley-backup');
    const pending = a.dispatch('backup.create', { jobId: 'c', path: out, password: PASSWORD });
    expect(await ok(a.dispatch('backup.cancel', { jobId: 'c' }))).toEqual({ cancelled: true });
    expect(await pending).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(readdirSync(root).filter((n) => n.startsWith('cancel'))).toEqual([]);
    expect(await ok(a.dispatch('backup.cancel', { jobId: 'c' }))).toEqual({ cancelled: false });
  });

  it('keeps the schedule in the profile and the password only in memory', async () => {
    const a = await seededCore();
    const folder = join(root, 'scheduled');
    mkdirSync(folder);
    expect(await ok(a.dispatch('backup.getSchedule', {}))).toMatchObject({
      enabled: false,
      hasPassword: false,
    });
    expect(
      await a.dispatch('backup.setSchedule', {
        enabled: true,
        folder: join(root, 'nope'),
        intervalHours: 1,
        keep: 2,
      }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    const set = await ok(
      a.dispatch('backup.setSchedule', {
        enabled: true,
        folder,
        intervalHours: 24,
        keep: 2,
        password: PASSWORD,
      }),
    );
    expect(set).toMatchObject({ enabled: true, folder, keep: 2, hasPassword: true });
    // setSchedule starts a due backup at once.
    for (let i = 0; i < 200 && readdirSync(folder).length === 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    for (let i = 0; i < 200; i++) {
      const s = await ok<{ lastRunAt?: number }>(a.dispatch('backup.getSchedule', {}));
      if (s.lastRunAt) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const files = readdirSync(folder);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^parley-backup-\d{8}-\d{6}\.parley-backup$/);
    await ok(a.dispatch('profile.lock', {}));
    await ok(a.dispatch('profile.unlock', { passphrase: UNLOCK }));
    expect(await ok(a.dispatch('backup.getSchedule', {}))).toMatchObject({
      enabled: true,
      hasPassword: false,
    });
  });
});
