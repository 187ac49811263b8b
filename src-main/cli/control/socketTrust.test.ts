import { chmodSync, chownSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../../core/core';
import { isParleyError } from '../../core/errors';
import { silentLogger } from '../../core/util/logger';
import { connectControl } from './controlClient';
import { controlSocketPath, startControlServer, type ControlServer } from './controlServer';

/**
 * Issue #14 item 3: a profile folder that already existed as 0777 stayed
 * 0777 after `init` and `node`; another local user renamed `parley.sock`
 * away, put a fake one in its place, and captured `parley send`'s text and
 * an invite. The folder is now closed to others by every shell (createCore),
 * refused when another user owns it, and clients check the socket and its
 * folder before they send anything.
 */

const posix = process.platform !== 'win32';
const root = typeof process.getuid === 'function' && process.getuid() === 0;
/** `nobody` on Debian; any uid other than ours will do. */
const OTHER_UID = 65534;

let base: string;
const servers: ControlServer[] = [];
const fakes: Server[] = [];

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'parley-trust-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(fakes.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  rmSync(base, { recursive: true, force: true });
});

/** A listener that records every byte it is sent: the other user's fake node. */
async function fakeNode(path: string): Promise<{ received: () => string }> {
  let got = '';
  const server = createServer((socket) => socket.on('data', (chunk) => (got += chunk.toString('utf8'))));
  await new Promise<void>((r) => server.listen(path, () => r()));
  fakes.push(server);
  return { received: () => got };
}

const echo = async (name: unknown, params: unknown) => ({ ok: true as const, value: { name, params } });

describe.skipIf(!posix)('the profile folder', () => {
  it('is closed to other users when a shell opens a folder that existed as 0777', async () => {
    const dir = join(base, 'profile');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const core = createCore({ profileDir: dir, shell: 'cli', version: 'test', logger: silentLogger });
    await core.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it.skipIf(!root)('is refused with a clear message when another user owns it', () => {
    const dir = join(base, 'theirs');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, OTHER_UID, OTHER_UID);
    let caught: unknown;
    try {
      createCore({ profileDir: dir, shell: 'cli', version: 'test', logger: silentLogger });
    } catch (err) {
      caught = err;
    }
    expect(isParleyError(caught, 'INVALID_STATE')).toBe(true);
    expect((caught as Error).message).toMatch(/belongs to another user \(uid 65534\)/);
  });
});

describe.skipIf(!posix)('a client of the control socket', () => {
  it('sends nothing to a socket in a folder other users can change (the probe)', async () => {
    const dir = join(base, 'open');
    mkdirSync(dir);
    const path = controlSocketPath(dir);
    const real = await startControlServer({ path, dispatch: echo, logger: silentLogger });
    servers.push(real);
    // The other user's move: the real socket renamed away, a fake one in its place.
    chmodSync(dir, 0o777);
    renameSync(path, join(dir, 'moved.sock'));
    const fake = await fakeNode(path);
    const err = await connectControl(path).catch((e: unknown) => e);
    expect(isParleyError(err, 'INVALID_STATE')).toBe(true);
    expect((err as Error).message).toMatch(/can be changed by other users \(mode 777\)/);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.received()).toBe('');
  });

  it.skipIf(!root)('sends nothing to a socket another user owns, even in a private folder', async () => {
    const dir = join(base, 'private');
    mkdirSync(dir, { mode: 0o700 });
    const path = controlSocketPath(dir);
    const fake = await fakeNode(path);
    chownSync(path, OTHER_UID, OTHER_UID);
    const err = await connectControl(path).catch((e: unknown) => e);
    expect(isParleyError(err, 'INVALID_STATE')).toBe(true);
    expect((err as Error).message).toMatch(/socket .* belongs to another user/);
    expect(fake.received()).toBe('');
  });

  it('talks to the real node in a private folder', async () => {
    const dir = join(base, 'ok');
    mkdirSync(dir, { mode: 0o700 });
    const path = controlSocketPath(dir);
    servers.push(await startControlServer({ path, dispatch: echo, logger: silentLogger }));
    const client = await connectControl(path);
    expect(await client.request('status', {})).toEqual({ ok: true, value: { name: 'status', params: {} } });
    client.close();
  });

  it('the node refuses to listen in a folder other users can change', async () => {
    const dir = join(base, 'open-server');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const err = await startControlServer({
      path: controlSocketPath(dir),
      dispatch: echo,
      logger: silentLogger,
    }).catch((e: unknown) => e);
    expect(isParleyError(err, 'INVALID_STATE')).toBe(true);
  });
});
