import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../core';

/**
 * "Go online" (net.goOnline): a shell may start with networking off (the web
 * shell without an address to listen on) and start the node when the user
 * asks; the status never claims a connection it does not have.
 */
const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
let dir: string;
let core: Core;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-online-'));
});
afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('net.goOnline', () => {
  it('starts the node of a shell that started offline, once, and then it runs', async () => {
    core = createCore({
      profileDir: dir,
      shell: 'web',
      version: 't',
      kdfCost: FAST_KDF,
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], startOffline: true },
    });
    await core.dispatch('profile.create', { displayName: 'Ada', passphrase: 'correct horse battery' });
    await core.idle();
    expect(await core.dispatch('net.status', {})).toEqual({
      ok: true,
      value: { state: 'offline', peers: 0, peerId: null, addresses: [], problem: null },
    });
    expect(await core.dispatch('contacts.createInvite', {})).toMatchObject({
      ok: false,
      error: { code: 'OFFLINE', message: expect.stringContaining('Go online') },
    });

    const states: string[] = [];
    core.onEvent((name, payload) => {
      if (name === 'net.status') states.push((payload as { state: string }).state);
    });
    // Two clicks at once start one node.
    const [a, b] = await Promise.all([core.dispatch('net.goOnline', {}), core.dispatch('net.goOnline', {})]);
    expect(a).toMatchObject({ ok: true, value: { state: 'looking', peers: 0, peerId: expect.any(String) } });
    expect(b).toEqual(a);
    expect(states).toContain('looking');
    expect(await core.dispatch('net.status', {})).toEqual(a);
    expect((await core.dispatch('contacts.createInvite', {})).ok).toBe(true);

    // Locking stops the node; after the next unlock the shell is offline again until asked.
    await core.dispatch('profile.lock', {});
    await core.dispatch('profile.unlock', { passphrase: 'correct horse battery' });
    await core.idle();
    expect(await core.dispatch('net.status', {})).toMatchObject({ ok: true, value: { state: 'offline' } });
  });

  it('answers OFFLINE where the shell has no networking at all, and LOCKED while locked', async () => {
    core = createCore({ profileDir: dir, shell: 'cli', version: 't', kdfCost: FAST_KDF });
    expect(await core.dispatch('net.goOnline', {})).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    await core.dispatch('profile.create', { displayName: 'Ada', passphrase: 'correct horse battery' });
    expect(await core.dispatch('net.goOnline', {})).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
  });
});
