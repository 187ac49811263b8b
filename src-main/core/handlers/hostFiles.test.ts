import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppInfo } from '../../../src-shared/contract';
import { createCore, type Core } from '../core';
import type { HostShell } from '../host/hostShell';

/**
 * Backups and restores without a typed path (issue #15 items 4 and 5): the
 * web shell downloads the archive and uploads it back; the desktop app's
 * dialogs hand the core a path and the renderer a handle. Paths from a
 * renderer shell are refused.
 */
const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const UNLOCK = 'correct horse battery';
const PASSWORD = 'a separate backup password';
let root: string;
const cores: Core[] = [];

function core(name: string, shell: AppInfo['shell'], host?: HostShell): Core {
  const c = createCore({
    profileDir: join(root, name),
    shell,
    version: '9.9.9',
    kdfCost: FAST_KDF,
    checkIntegrity: async () => ({ ok: true, problems: 0 }),
    ...(host ? { host } : {}),
  });
  cores.push(c);
  return c;
}

async function ok<T>(p: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const reply = await p;
  if (!reply.ok) throw new Error(JSON.stringify(reply.error));
  return reply.value as T;
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-host-'));
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  rmSync(root, { recursive: true, force: true });
});

describe('web shell: backup as a download, restore from an upload', () => {
  it('downloads the archive once, then verifies and restores it from uploaded bytes', async () => {
    const a = core('a', 'web');
    await ok(a.dispatch('profile.create', { displayName: 'Ada', passphrase: UNLOCK }));
    const made = await ok<{ name: string; download: string; path?: string; archiveBytes: number }>(
      a.dispatch('backup.create', { jobId: 'b1', target: 'download', password: PASSWORD }),
    );
    expect(made.name).toMatch(/^parley-\d{4}-\d{2}-\d{2}\.parley-backup$/);
    expect(made.path).toBeUndefined();
    const token = /^\/download\/([0-9a-f]{32})$/.exec(made.download)?.[1] ?? '';
    const download = a.hostFiles.takeDownload(token);
    expect(download).toMatchObject({ name: made.name, size: made.archiveBytes });
    const archive = await readAll(download!.open());
    download!.cleanup?.();
    expect(archive.length).toBe(made.archiveBytes);
    // Spent: a second request for the same URL gets nothing.
    expect(a.hostFiles.takeDownload(token)).toBeNull();

    // "Restore from a backup" in a fresh web shell: the browser uploads the chosen file.
    const b = core('b', 'web');
    const begun = await ok<{ uploadId: string; chunkBytes: number }>(
      b.dispatch('host.uploadBegin', { name: made.name, size: archive.length }),
    );
    for (let offset = 0; offset < archive.length; offset += begun.chunkBytes) {
      await ok(
        b.dispatch('host.uploadChunk', {
          uploadId: begun.uploadId,
          offset,
          data: new Uint8Array(archive.subarray(offset, offset + begun.chunkBytes)),
        }),
      );
    }
    const file = await ok<{ handle: string; name: string; size: number }>(
      b.dispatch('host.uploadFinish', { uploadId: begun.uploadId }),
    );
    expect(file).toMatchObject({ name: made.name, size: archive.length });
    await expect(
      ok(b.dispatch('backup.verify', { jobId: 'v', source: file.handle, password: PASSWORD })),
    ).resolves.toMatchObject({ appVersion: '9.9.9' });
    await ok(b.dispatch('backup.restore', { jobId: 'r', source: file.handle, password: PASSWORD }));
    expect(await ok(b.dispatch('profile.unlock', { passphrase: UNLOCK }))).toMatchObject({
      state: 'unlocked',
      displayName: 'Ada',
    });
  });

  it('refuses paths from a renderer shell, handles it never issued, and uploads that break their promise', async () => {
    const a = core('a', 'web');
    await ok(a.dispatch('profile.create', { displayName: 'Ada', passphrase: UNLOCK }));
    expect(
      await a.dispatch('backup.create', { jobId: 'x', path: join(root, 'out.pb'), password: PASSWORD }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE', message: expect.stringMatching(/command line/) },
    });
    expect(
      await a.dispatch('backup.verify', { jobId: 'x', path: '/etc/passwd', password: PASSWORD }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(
      await a.dispatch('backup.verify', { jobId: 'x', source: 'f'.repeat(32), password: PASSWORD }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAMS', message: expect.stringMatching(/choose the file/) },
    });
    // Neither or both of path and handle: refused by the contract.
    expect(await a.dispatch('backup.create', { jobId: 'x', password: PASSWORD })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAMS' },
    });
    // No dialogs in the web shell.
    expect(await a.dispatch('host.pickFiles', { purpose: 'backup' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    });
    const begun = await ok<{ uploadId: string }>(a.dispatch('host.uploadBegin', { name: 'x', size: 4 }));
    expect(
      await a.dispatch('host.uploadChunk', { uploadId: begun.uploadId, offset: 0, data: new Uint8Array(5) }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    // The oversized upload was dropped: nothing to finish.
    expect(await a.dispatch('host.uploadFinish', { uploadId: begun.uploadId })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAMS' },
    });
  });
});

describe('desktop app: native dialogs keep the path in the core', () => {
  it('backs up where the save dialog pointed (replacing a file it agreed to) and restores what the open dialog chose', async () => {
    const saved = join(root, 'chosen', 'mine.parley-backup');
    mkdirSync(join(root, 'chosen'));
    writeFileSync(saved, 'an older backup the user agreed to replace');
    const asked: unknown[] = [];
    const host: HostShell = {
      pickFiles: async (o) => {
        asked.push(o);
        return [saved];
      },
      pickSaveTarget: async (o) => {
        asked.push(o);
        return saved;
      },
      pickFolder: async () => null,
    };
    const a = core('a', 'electron', host);
    await ok(a.dispatch('profile.create', { displayName: 'Ada', passphrase: UNLOCK }));
    const target = await ok<{ target: { handle: string; name: string } }>(
      a.dispatch('host.pickSaveTarget', { purpose: 'backup', suggestedName: 'x.parley-backup' }),
    );
    // The renderer sees a handle and a name, never the folder.
    expect(JSON.stringify(target)).not.toContain(root);
    expect(target.target.name).toBe('mine.parley-backup');
    const made = await ok<{ name: string; path?: string }>(
      a.dispatch('backup.create', { jobId: 'b', target: target.target.handle, password: PASSWORD }),
    );
    expect(made).toMatchObject({ name: 'mine.parley-backup' });
    expect(made.path).toBeUndefined();
    expect(readFileSync(saved).subarray(0, 6).toString()).not.toBe('an old');
    // A save handle does not open files for reading.
    expect(
      await a.dispatch('backup.verify', { jobId: 'v', source: target.target.handle, password: PASSWORD }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });

    const b = core('b', 'electron', host);
    const picked = await ok<{ files: { handle: string; name: string; size: number }[] }>(
      b.dispatch('host.pickFiles', { purpose: 'backup' }),
    );
    expect(picked.files).toEqual([
      { handle: expect.any(String), name: 'mine.parley-backup', size: expect.any(Number) },
    ]);
    await ok(
      b.dispatch('backup.restore', { jobId: 'r', source: picked.files[0]!.handle, password: PASSWORD }),
    );
    expect(asked).toEqual([
      { purpose: 'backup', suggestedName: 'x.parley-backup' },
      { purpose: 'backup', multiple: false },
    ]);
  });

  it('start at login goes through the shell, and says where it is not available', async () => {
    let enabled = false;
    const host: HostShell = {
      pickFiles: async () => [],
      pickSaveTarget: async () => null,
      pickFolder: async () => null,
      startAtLogin: { get: () => enabled, set: (on) => (enabled = on) },
    };
    const desktop = core('a', 'electron', host);
    expect(await ok(desktop.dispatch('host.getStartAtLogin', {}))).toEqual({
      supported: true,
      enabled: false,
    });
    expect(await ok(desktop.dispatch('host.setStartAtLogin', { enabled: true }))).toEqual({
      supported: true,
      enabled: true,
    });
    const web = core('b', 'web');
    expect(await ok(web.dispatch('host.getStartAtLogin', {}))).toEqual({ supported: false, enabled: false });
    expect(await web.dispatch('host.setStartAtLogin', { enabled: true })).toMatchObject({ ok: false });
  });
});
