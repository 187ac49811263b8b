import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../../src-shared/contract';
import { silentLogger } from '../../core/util/logger';
import { connectControl, NO_NODE_MESSAGE } from './controlClient';
import { controlSocketPath, startControlServer, type ControlServer } from './controlServer';

const unix = process.platform !== 'win32';
let root: string;
let path: string;
const servers: ControlServer[] = [];

/** Echoes the request back; 'slow' waits for `release`, so tests can hold requests in flight. */
let release: () => void = () => {};
async function echo(name: unknown, params: unknown): Promise<Reply<unknown>> {
  if (name === 'slow') await new Promise<void>((r) => (release = r));
  if (name === 'unknown')
    return { ok: false, error: { code: 'UNKNOWN_REQUEST', message: 'Unknown request.' } };
  return { ok: true, value: { name, params } };
}

async function start(options: { maxLineBytes?: number; maxInFlight?: number } = {}): Promise<ControlServer> {
  const server = await startControlServer({ path, dispatch: echo, logger: silentLogger, ...options });
  servers.push(server);
  return server;
}

/** Sends raw bytes and collects every line the server writes until it closes (bounded by a timeout). */
function raw(data: string | Buffer): Promise<string[]> {
  return new Promise((resolveLines, reject) => {
    const socket = connect(path);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('server did not close the connection'));
    }, 5000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolveLines(text.split('\n').filter((l) => l !== ''));
    });
    socket.write(data);
  });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-ctl-'));
  path = controlSocketPath(root);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  rmSync(root, { recursive: true, force: true });
});

describe('controlSocketPath', () => {
  it('is parley.sock in the profile on Unix and a per-profile named pipe on Windows', () => {
    expect(controlSocketPath('/p/a', 'linux')).toBe('/p/a/parley.sock');
    const pipe = controlSocketPath('C:\\Users\\a\\profile', 'win32');
    expect(pipe).toMatch(/^\\\\\.\\pipe\\parley-[0-9a-f]{32}$/);
    expect(controlSocketPath('C:\\Users\\b\\profile', 'win32')).not.toBe(pipe);
  });
});

describe('control server and client', () => {
  it.skipIf(!unix)('creates the socket owner-only (0600)', async () => {
    await start();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('answers requests by id through dispatch', async () => {
    await start();
    const client = await connectControl(path);
    try {
      const [a, b] = await Promise.all([client.request('one', { x: 1 }), client.request('two', {})]);
      expect(a).toEqual({ ok: true, value: { name: 'one', params: { x: 1 } } });
      expect(b).toEqual({ ok: true, value: { name: 'two', params: {} } });
      expect(await client.request('unknown', {})).toMatchObject({
        ok: false,
        error: { code: 'UNKNOWN_REQUEST' },
      });
    } finally {
      client.close();
    }
  });

  it('refuses profile requests other than profile.status', async () => {
    await start();
    const client = await connectControl(path);
    try {
      expect(await client.request('profile.lock', {})).toMatchObject({
        ok: false,
        error: { code: 'UNKNOWN_REQUEST', message: expect.stringContaining('control socket') as string },
      });
      expect(await client.request('profile.status', {})).toMatchObject({ ok: true });
    } finally {
      client.close();
    }
  });

  it.each([
    ['not JSON', 'hello\n'],
    ['an array', '[1,2]\n'],
    ['a missing name', '{"id":1,"params":{}}\n'],
    ['an extra field', '{"id":1,"name":"a","params":{},"x":1}\n'],
    ['a negative id', '{"id":-1,"name":"a","params":{}}\n'],
  ])('answers a malformed frame (%s) with an error and closes', async (_label, line) => {
    await start();
    const lines = await raw(`${line}{"id":2,"name":"after","params":{}}\n`);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      id: null,
      reply: {
        ok: false,
        error: { code: 'INVALID_PARAMS', message: expect.stringMatching(/Malformed/) as string },
      },
    });
  });

  it('refuses a line over the size limit, with or without its newline', async () => {
    await start({ maxLineBytes: 1024 });
    const big = `{"id":1,"name":"a","params":{"pad":"${'x'.repeat(2000)}"}}`;
    for (const data of [big, `${big}\n`]) {
      const lines = await raw(data);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('too large');
    }
    // A frame just under the limit still works.
    const client = await connectControl(path);
    expect(await client.request('a', { pad: 'x'.repeat(900) })).toMatchObject({ ok: true });
    client.close();
  });

  it('refuses requests beyond the in-flight limit without closing', async () => {
    await start({ maxInFlight: 1 });
    const client = await connectControl(path);
    try {
      const slow = client.request('slow', {});
      await new Promise((r) => setTimeout(r, 50));
      expect(await client.request('fast', {})).toMatchObject({ ok: false, error: { message: /Too many/ } });
      release();
      expect(await slow).toMatchObject({ ok: true });
      expect(await client.request('fast', {})).toMatchObject({ ok: true });
    } finally {
      client.close();
    }
  });

  it('times out a request the node does not answer', async () => {
    await start();
    const client = await connectControl(path);
    try {
      expect(await client.request('slow', {}, { timeoutMs: 50 })).toMatchObject({
        ok: false,
        error: { code: 'DISCONNECTED', message: expect.stringContaining('in time') as string },
      });
    } finally {
      release();
      client.close();
    }
  });

  it('refuses to start while another server answers on the socket', async () => {
    await start();
    await expect(start()).rejects.toMatchObject({ code: 'PROFILE_IN_USE' });
  });

  it.skipIf(!unix)('removes a stale socket left by a crashed node', async () => {
    // A node killed without cleanup leaves its socket file behind: reproduce that in a child that dies by SIGKILL.
    const script = `require('node:net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))`;
    expect(spawnSync(process.execPath, ['-e', script, path], { timeout: 10_000 }).signal).toBe('SIGKILL');
    expect(existsSync(path)).toBe(true);
    await expect(connectControl(path)).rejects.toMatchObject({ message: NO_NODE_MESSAGE });
    await start();
    const client = await connectControl(path);
    expect(await client.request('a', {})).toMatchObject({ ok: true });
    client.close();
  });

  it.skipIf(!unix)('never deletes a file that is not a socket', async () => {
    writeFileSync(path, 'mine');
    await expect(start()).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(existsSync(path)).toBe(true);
  });

  it('removes the socket on close and reports "no node" afterwards', async () => {
    const server = await start();
    await server.close();
    if (unix) expect(existsSync(path)).toBe(false);
    await expect(connectControl(path)).rejects.toMatchObject({
      code: 'DISCONNECTED',
      message: NO_NODE_MESSAGE,
    });
  });

  it('fails pending requests when the server goes away', async () => {
    const server = await start();
    const client = await connectControl(path);
    const pending = client.request('slow', {});
    await new Promise((r) => setTimeout(r, 20));
    const closing = server.close();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    release();
    await closing;
    client.close();
  });
});
