import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeBinaryFrame, WS_CLOSE, type ServerFrame } from '../../../src-shared/contract';
import { createCore, type Core } from '../../core/core';
import { silentLogger } from '../../core/util/logger';
import { startWebShell, type WebShell } from './webShell';

const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const TOKEN = 'test-token-0123456789';

let root: string;
let core: Core;
let shell: WebShell;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'parley-web-'));
  const staticDir = join(root, 'renderer');
  const profileDir = join(root, 'profile');
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Parley</title>');
  writeFileSync(join(root, 'secret.txt'), 'outside the web root');
  core = createCore({ profileDir, shell: 'web', version: 'test', kdfCost: FAST_KDF });
  shell = await startWebShell({ core, staticDir, port: 0, logger: silentLogger, token: TOKEN });
});

afterEach(async () => {
  await shell.close();
  await core.close();
  rmSync(root, { recursive: true, force: true });
});

function get(
  path: string,
  host = `127.0.0.1:${shell.port}`,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: shell.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Connected {
  status: number;
  ws?: WebSocket;
  /** The server's first frame. */
  hello?: ServerFrame;
  /** Set when the server accepted the upgrade and then closed it (a refused credential). */
  closeCode?: number;
}

/**
 * Opens a socket and resolves with the HTTP status of a refused upgrade, the
 * close code of a refused credential, or the open socket and its hello frame.
 */
function connect(opts: {
  token?: string;
  secret?: string;
  origin?: string | null;
  path?: string;
}): Promise<Connected> {
  const origin = opts.origin === undefined ? `http://127.0.0.1:${shell.port}` : opts.origin;
  const query =
    opts.secret !== undefined
      ? `?secret=${encodeURIComponent(opts.secret)}`
      : opts.token === undefined
        ? ''
        : `?token=${encodeURIComponent(opts.token)}`;
  const ws = new WebSocket(`ws://127.0.0.1:${shell.port}${opts.path ?? '/bridge'}${query}`, {
    ...(origin === null ? {} : { origin }),
  });
  return new Promise((resolve) => {
    ws.once('message', (data) =>
      resolve({ status: 101, ws, hello: JSON.parse(data.toString()) as ServerFrame }),
    );
    ws.on('close', (code) => resolve({ status: 101, closeCode: code }));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.on('error', () => resolve({ status: 0 }));
  });
}

function call(ws: WebSocket, id: number, name: string, params: unknown): Promise<ServerFrame> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (frame.t === 'res' && frame.id === id) {
        ws.off('message', onMessage);
        resolve(frame);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ t: 'req', id, name, params }));
  });
}

describe('web shell', () => {
  it('prints a 127.0.0.1 URL that carries the token in the fragment', () => {
    expect(shell.url).toBe(`http://127.0.0.1:${shell.port}/#token=${TOKEN}`);
  });

  it('serves the renderer with a strict CSP and no caching of index.html', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Parley</title>');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get('/', 'evil.example:80')).status).toBe(421);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/x/../../secret.txt']) {
      const res = await get(p);
      expect(res.body).not.toContain('outside the web root');
    }
  });

  it('refuses a socket without a credential, or from another origin or path, before the upgrade', async () => {
    expect((await connect({})).status).toBe(401);
    expect((await connect({ token: TOKEN, origin: 'http://evil.example' })).status).toBe(403);
    expect((await connect({ token: TOKEN, origin: null })).status).toBe(403);
    expect((await connect({ token: TOKEN, path: '/other' })).status).toBe(403);
  });

  it('spends the URL token on the first socket and hands that tab a secret', async () => {
    const first = await connect({ token: TOKEN });
    expect(first.hello).toEqual({ t: 'hello', secret: expect.stringMatching(/^[\w-]{43}$/) });
    const secret = (first.hello as { secret: string }).secret;
    // The same printed URL in another browser: refused with a code the page can explain.
    expect(await connect({ token: TOKEN })).toEqual({ status: 101, closeCode: WS_CLOSE.LINK_USED });
    // A reload of the first tab presents its secret and works, also after the first socket is gone.
    first.ws!.close();
    const reload = await connect({ secret });
    expect(reload.hello).toEqual({ t: 'hello' });
    expect((await call(reload.ws!, 1, 'profile.status', {})).t).toBe('res');
    reload.ws!.close();
  });

  it('tells a tab from an earlier run (or a wrong credential) apart from a used link', async () => {
    expect(await connect({ secret: 'from-an-earlier-run' })).toEqual({
      status: 101,
      closeCode: WS_CLOSE.EARLIER_RUN,
    });
    expect(await connect({ token: 'wrong' })).toEqual({ status: 101, closeCode: WS_CLOSE.EARLIER_RUN });
    // Wrong credentials do not spend the real token.
    expect((await connect({ token: TOKEN })).hello).toMatchObject({ t: 'hello', secret: expect.any(String) });
  });

  it('takes upload bytes in binary frames, and refuses a binary frame without a target param', async () => {
    const { ws } = await connect({ token: TOKEN });
    await call(ws!, 1, 'profile.create', { displayName: 'Ada', passphrase: 'correct horse battery' });
    const header = { t: 'req' as const, id: 2, name: 'profile.status', params: {}, bin: 'data' };
    // profile.status is strict: an extra `data` param is refused by the contract, not ignored.
    const reply = new Promise<ServerFrame>((resolve) =>
      ws!.on('message', (d) => {
        const f = JSON.parse(d.toString()) as ServerFrame;
        if (f.t === 'res' && f.id === 2) resolve(f);
      }),
    );
    ws!.send(encodeBinaryFrame(header, new Uint8Array([1, 2, 3])));
    expect(await reply).toMatchObject({ reply: { ok: false, error: { code: 'INVALID_PARAMS' } } });
    const closed = new Promise<number>((resolve) => ws!.on('close', (code) => resolve(code)));
    const { bin: _bin, ...noBin } = header;
    ws!.send(encodeBinaryFrame(noBin, new Uint8Array([1])));
    expect(await closed).toBe(1003);
  });

  it('answers contract requests over an accepted socket, with errors as { code, message }', async () => {
    const { status, ws } = await connect({ token: TOKEN });
    expect(status).toBe(101);
    const res = await call(ws!, 1, 'profile.status', {});
    expect(res).toEqual({ t: 'res', id: 1, reply: { ok: true, value: { state: 'none' } } });
    const bad = await call(ws!, 2, 'profile.unlock', { passphrase: 42 });
    expect(bad).toMatchObject({ reply: { ok: false, error: { code: 'INVALID_PARAMS' } } });
    const unknown = await call(ws!, 3, 'fs.readFile', {});
    expect(unknown).toMatchObject({ reply: { ok: false, error: { code: 'UNKNOWN_REQUEST' } } });
    ws!.close();
  });

  it('pushes core events to connected clients', async () => {
    const { ws } = await connect({ token: TOKEN });
    const event = new Promise<ServerFrame>((resolve) =>
      ws!.on('message', (d) => {
        const f = JSON.parse(d.toString()) as ServerFrame;
        if (f.t === 'evt') resolve(f);
      }),
    );
    await call(ws!, 1, 'profile.create', { displayName: 'Ada', passphrase: 'correct horse battery' });
    expect(await event).toEqual({
      t: 'evt',
      name: 'profile.changed',
      payload: { state: 'unlocked', displayName: 'Ada', canRemember: false, remembered: false },
    });
    ws!.close();
  });

  it('closes a socket that sends a malformed frame, and keeps serving others', async () => {
    const { ws, hello } = await connect({ token: TOKEN });
    const closed = new Promise<number>((resolve) => ws!.on('close', (code) => resolve(code)));
    ws!.send('{"t":"req","id":"nope"');
    expect(await closed).toBe(1003);
    const other = await connect({ secret: (hello as { secret: string }).secret });
    expect((await call(other.ws!, 1, 'profile.status', {})).t).toBe('res');
    other.ws!.close();
  });
});
