import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from './core';
import { isParleyError } from './errors';
import { LOCK_FILE } from './profile/profileLock';

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-core-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createCore', () => {
  it('runs the whole slice through dispatch: create, lock, unlock, wrong passphrase', async () => {
    const core = createCore({ profileDir: dir, shell: 'cli', version: 't', kdfCost: FAST_KDF });
    const events: unknown[] = [];
    core.onEvent((name, payload) => events.push([name, payload]));
    expect(await core.dispatch('profile.status', {})).toEqual({ ok: true, value: { state: 'none' } });
    expect(await core.dispatch('profile.create', { displayName: 'Ada', passphrase: 'correct horse battery' })).toEqual(
      { ok: true, value: { state: 'unlocked', displayName: 'Ada' } },
    );
    expect(await core.dispatch('profile.lock', {})).toEqual({ ok: true, value: { state: 'locked' } });
    expect(await core.dispatch('profile.unlock', { passphrase: 'wrong one!' })).toMatchObject({
      ok: false,
      error: { code: 'WRONG_PASSPHRASE' },
    });
    expect(await core.dispatch('profile.unlock', { passphrase: 'correct horse battery' })).toMatchObject({
      ok: true,
      value: { state: 'unlocked' },
    });
    expect(events.map((e) => (e as [string, { state: string }])[1].state)).toEqual(['unlocked', 'locked', 'unlocked']);
    await core.close();
  });

  it('allows one process per profile: a second core is refused until the first closes', async () => {
    const first = createCore({ profileDir: dir, shell: 'cli', version: 't' });
    let code: string | undefined;
    try {
      createCore({ profileDir: dir, shell: 'cli', version: 't' });
    } catch (err) {
      code = isParleyError(err) ? err.code : String(err);
    }
    expect(code).toBe('PROFILE_IN_USE');
    await first.close();
    const second = createCore({ profileDir: dir, shell: 'cli', version: 't' });
    await second.close();
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    writeFileSync(join(dir, LOCK_FILE), '999999999');
    const core = createCore({ profileDir: dir, shell: 'cli', version: 't' });
    await core.close();
  });

  it('refuses a lock held by a live process', () => {
    // pid 1 is always alive.
    writeFileSync(join(dir, LOCK_FILE), '1');
    expect(() => createCore({ profileDir: dir, shell: 'cli', version: 't' })).toThrow(/already open/);
  });
});
