import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appProtocolHandler, resolveAppRequest } from './appProtocol';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-app-'));
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Parley</title>');
  writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('maps app://parley/… to files inside the renderer folder only', () => {
    const root = join(dir, 'renderer');
    expect(resolveAppRequest('app://parley/index.html', root)).toBe(join(root, 'index.html'));
    expect(resolveAppRequest('app://parley/', root)).toBe(join(root, 'index.html'));
    expect(resolveAppRequest('app://parley/assets/app.js?v=1#x', root)).toBe(join(root, 'assets', 'app.js'));
    // The URL parser already folds dot segments into the root: these name renderer/secret.txt.
    expect(resolveAppRequest('app://parley/../secret.txt', root)).toBe(join(root, 'secret.txt'));
    expect(resolveAppRequest('app://parley/%2e%2e/secret.txt', root)).toBe(join(root, 'secret.txt'));
    for (const url of [
      'app://parley/..%2fsecret.txt',
      'app://parley/assets/..%2f..%2fsecret.txt',
      'app://parley/assets/%00.js',
      'app://other/index.html',
      'file:///etc/passwd',
      'app://parley/%E0%A4%A',
      'not a url',
    ]) {
      expect(resolveAppRequest(url, root), url).toBeNull();
    }
  });

  it('serves files with their type, nosniff and the CSP; 404 otherwise', async () => {
    const handle = appProtocolHandler(join(dir, 'renderer'), "default-src 'self'");
    const page = await handle(new Request('app://parley/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Parley</title>');
    expect((await handle(new Request('app://parley/assets/app.js'))).headers.get('content-type')).toMatch(
      /javascript/,
    );
    const outside = await handle(new Request('app://parley/../secret.txt'));
    expect(outside.status).toBe(404);
    expect(await outside.text()).not.toContain('outside');
    expect((await handle(new Request('app://parley/missing.js'))).status).toBe(404);
    expect((await handle(new Request('app://parley/index.html', { method: 'POST', body: 'x' }))).status).toBe(
      404,
    );
  });
});
