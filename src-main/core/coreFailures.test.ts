import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from './core';
import { flipByteInPage, pageSize, pagesOf } from './store/testing/damage';

/**
 * Issue #14 item 5: networking that failed to start must be reported, not
 * hidden behind "running"; and a half-started messaging must not leave a
 * timer behind that reads a damaged or closed database (a FileService timer
 * crashed the node on shutdown).
 */

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const PASSPHRASE = 'correct horse battery';
let dir: string;
const servers: Server[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-fail-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  rmSync(dir, { recursive: true, force: true });
});

function core(listen = '/ip4/127.0.0.1/tcp/0'): Core {
  return createCore({
    profileDir: dir,
    shell: 'cli',
    version: 't',
    kdfCost: FAST_KDF,
    network: { listen: [listen], tuning: { files: { retryMs: 100 }, keyPackagePoolSize: 1 } },
  });
}

async function takenPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('networking that cannot start', () => {
  it('says the port is in use, in net.status and in the error of a network request', async () => {
    const port = await takenPort();
    const c = core(`/ip4/127.0.0.1/tcp/${port}`);
    await c.dispatch('profile.create', { displayName: 'Ada', passphrase: PASSPHRASE });
    await c.idle();
    const status = await c.dispatch('net.status', {});
    expect(status).toMatchObject({
      ok: true,
      value: { state: 'offline', problem: expect.stringContaining(`port ${port} is in use`) },
    });
    expect(await c.dispatch('contacts.createInvite', {})).toMatchObject({
      ok: false,
      error: { code: 'OFFLINE', message: expect.stringContaining(`port ${port} is in use`) },
    });
    await c.close();
  });

  it('with a damaged page under the files table: says so, and leaves no timer reading the database', async () => {
    const first = core();
    await first.dispatch('profile.create', { displayName: 'Ada', passphrase: PASSPHRASE });
    await first.idle();
    const db = first.store().db;
    const pages = pagesOf(db, 'attachments');
    const size = pageSize(db);
    await first.close();
    for (const p of pages) flipByteInPage(join(dir, 'parley.db'), p, size);

    const second = core();
    await second.dispatch('profile.unlock', { passphrase: PASSPHRASE });
    await second.idle();
    expect(await second.dispatch('net.status', {})).toMatchObject({
      ok: true,
      value: { state: 'offline', problem: expect.stringContaining('damaged') },
    });
    // Several retry periods while unlocked, then after the database closed: no stray timer fires.
    await new Promise((r) => setTimeout(r, 400));
    await second.close();
    await new Promise((r) => setTimeout(r, 400));
  });
});
