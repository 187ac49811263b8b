import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../core/core';
import { silentLogger } from '../../core/util/logger';
import { startWebShell, type WebShell } from './webShell';

/**
 * Issue #14 item 14: the web shell's 404, 405 and 421 answers lacked the
 * nosniff and CSP headers its pages carry: a browser could sniff an error
 * body as HTML and run it in the shell's origin.
 */

let root: string;
let core: Core;
let shell: WebShell;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'parley-web-errors-'));
  const staticDir = join(root, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Parley</title>');
  core = createCore({ profileDir: join(root, 'profile'), shell: 'web', version: 'test' });
  shell = await startWebShell({
    core,
    staticDir,
    port: 0,
    logger: silentLogger,
    token: 'test-token-0123456789',
  });
});
afterAll(async () => {
  await shell.close();
  await core.close();
  rmSync(root, { recursive: true, force: true });
});

function send(
  method: string,
  path: string,
  host: string,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: shell.port, method, path, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web shell error answers', () => {
  it.each([
    ['GET', '/no-such-file.html', 'own', 404],
    ['POST', '/', 'own', 405],
    ['GET', '/', 'evil.example:80', 421],
  ])(
    '%s %s (host %s) → %i with nosniff and a CSP that allows nothing',
    async (method, path, host, status) => {
      const res = await send(method, path, host === 'own' ? `127.0.0.1:${shell.port}` : host);
      expect(res.status).toBe(status);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
    },
  );
});
