import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../core';
import { markThisDeviceRemoved } from '../devices/thisDeviceRemoval';
import { LOCK_FILE } from '../profile/profileLock';

/**
 * "Delete this profile" on a device removed from its person's devices (issue
 * 18, docs/protocol.md §13.8 step 4): only there, only after the typed
 * confirmation, and afterwards the folder is empty and onboarding can make a
 * new profile (or link this computer again) in it.
 */

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const UNLOCK = 'correct horse battery';
let root: string;
const cores: Core[] = [];

function core(dir: string): Core {
  const c = createCore({
    profileDir: dir,
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

async function refused(p: Promise<{ ok: boolean; error?: { code: string; message: string } }>) {
  const reply = await p;
  if (reply.ok) throw new Error('expected a refusal');
  return reply.error as { code: string; message: string };
}

function markRemoved(c: Core): void {
  markThisDeviceRemoved(c.store().settings, {
    peerId: '12D3KooWthisdevice',
    at: Date.UTC(2026, 11, 6, 9, 30),
    by: '12D3KooWphone',
    byName: 'Phone',
    reason: 'removed',
  });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-profile-delete-'));
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  rmSync(root, { recursive: true, force: true });
});

describe('profile.delete', () => {
  it('is refused on a device that is still one of its person’s devices, and nothing is lost', async () => {
    const dir = join(root, 'p');
    const c = core(dir);
    await ok(c.dispatch('profile.create', { displayName: 'Ada', passphrase: UNLOCK }));
    const err = await refused(c.dispatch('profile.delete', { confirm: 'Ada' }));
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toContain('Unlink it in Settings → Devices first');
    expect(c.profile.status().state).toBe('unlocked');
    expect(existsSync(join(dir, 'profile.json'))).toBe(true);
  });

  it('needs the profile’s name typed exactly; a wrong one deletes nothing', async () => {
    const dir = join(root, 'p');
    const c = core(dir);
    await ok(c.dispatch('profile.create', { displayName: 'Ada Lovelace', passphrase: UNLOCK }));
    markRemoved(c);
    for (const confirm of ['', 'ada lovelace', 'Ada', 'delete']) {
      const err = await refused(c.dispatch('profile.delete', { confirm }));
      expect(err.code).toBe('INVALID_PARAMS');
      expect(err.message).toContain('Ada Lovelace');
    }
    expect(c.profile.status().state).toBe('unlocked');
    expect(c.store().identity.displayName()).toBe('Ada Lovelace');
  });

  it('locked, it asks to unlock first', async () => {
    const dir = join(root, 'p');
    const c = core(dir);
    await ok(c.dispatch('profile.create', { displayName: 'Ada', passphrase: UNLOCK }));
    await ok(c.dispatch('profile.lock', {}));
    const err = await refused(c.dispatch('profile.delete', { confirm: 'Ada' }));
    expect(err.code).toBe('LOCKED');
    expect(c.profile.status().state).toBe('locked');
  });

  it('on a removed device: empties the folder, tells every window, and a new profile can start there', async () => {
    const dir = join(root, 'p');
    const c = core(dir);
    await ok(c.dispatch('profile.create', { displayName: 'Ada', passphrase: UNLOCK }));
    markRemoved(c);
    // Something of the profile's beside the database: an attachment and a sealed device key.
    writeFileSync(join(dir, 'device-key.bin'), 'sealed');
    const seen: string[] = [];
    c.onEvent((name, payload) => {
      if (name === 'profile.changed') seen.push((payload as { state: string }).state);
    });
    const status = await ok<{ state: string }>(c.dispatch('profile.delete', { confirm: ' Ada ' }));
    expect(status.state).toBe('none');
    expect(seen.at(-1)).toBe('none');
    // Only this process's lock file is left: the folder is still held, and empty of the profile.
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    expect((await ok<{ state: string }>(c.dispatch('profile.status', {}))).state).toBe('none');
    // Onboarding works again in the same folder (a new identity, nothing of the old one).
    await ok(c.dispatch('profile.create', { displayName: 'Bea', passphrase: UNLOCK }));
    expect(c.store().identity.displayName()).toBe('Bea');
    expect(c.store().settings.get('devices.thisDeviceRemoved')).toBeNull();
  });
});
