import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ensureElectron,
  fetchElectron,
  fetchFailureReason,
  findElectron,
  planFetch,
  platformExecutable,
  type FetchResult,
} from './electronBinary.mjs';
import { main } from './postinstall.mjs';
import { chooseShell } from './start.mjs';

let root: string;

function write(path: string, content: string) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** The electron npm package as Electron 45 ships it: no dist/ until install.js ran. */
function installPackage() {
  write('node_modules/electron/package.json', JSON.stringify({ name: 'electron', version: '45.4.1' }));
}

/** What Electron's install.js leaves behind after a successful download. */
function installBinary() {
  const exe = platformExecutable(process.platform);
  write('node_modules/electron/dist/version', 'v45.4.1');
  write('node_modules/electron/path.txt', exe);
  write(`node_modules/electron/dist/${exe}`, '#!/bin/sh\n');
}

/** A fake of `install-electron`: counts calls, and "downloads" when told to. */
function fakeFetch(result: FetchResult) {
  const calls: string[] = [];
  const fetch = async (at: string): Promise<FetchResult> => {
    calls.push(at);
    if (result.ok) installBinary();
    return result;
  };
  return { fetch, calls };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-electron-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('findElectron', () => {
  it('is null without the package, and without the binary (the state Electron 45 installs in)', () => {
    expect(findElectron(root)).toBeNull();
    installPackage();
    expect(findElectron(root)).toBeNull();
  });

  it('finds the binary install.js unpacked', () => {
    installPackage();
    installBinary();
    expect(findElectron(root)).toEqual({
      version: '45.4.1',
      executable: join(root, 'node_modules', 'electron', 'dist', platformExecutable(process.platform)),
    });
  });

  it('is null when dist/ holds another Electron version (an upgrade fetches again)', () => {
    installPackage();
    installBinary();
    write('node_modules/electron/dist/version', 'v44.0.0');
    expect(findElectron(root)).toBeNull();
  });

  it('is null when path.txt names another platform or the executable is gone', () => {
    installPackage();
    installBinary();
    expect(findElectron(root, process.platform === 'win32' ? 'linux' : 'win32')).toBeNull();
    rmSync(join(root, 'node_modules', 'electron', 'dist', platformExecutable(process.platform)));
    expect(findElectron(root)).toBeNull();
  });
});

describe('planFetch', () => {
  const installed = { version: '45.4.1', executable: '/x/electron' };

  it('uses a binary that is there', () => {
    expect(planFetch({ installed, packagePresent: true, env: {} })).toEqual({
      action: 'ready',
      electron: installed,
    });
  });

  it('fetches when the binary is absent', () => {
    expect(planFetch({ installed: null, packagePresent: true, env: {} })).toEqual({ action: 'fetch' });
  });

  it.each(['1', 'true', 'yes'])('skips with ELECTRON_SKIP_BINARY_DOWNLOAD=%s', (value) => {
    const plan = planFetch({
      installed: null,
      packagePresent: true,
      env: { ELECTRON_SKIP_BINARY_DOWNLOAD: value },
    });
    expect(plan).toMatchObject({ action: 'skip', why: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set' });
  });

  it.each(['', '0', 'false'])('fetches with ELECTRON_SKIP_BINARY_DOWNLOAD=%j', (value) => {
    const plan = planFetch({
      installed: null,
      packagePresent: true,
      env: { ELECTRON_SKIP_BINARY_DOWNLOAD: value },
    });
    expect(plan.action).toBe('fetch');
  });

  it('says to run npm install when the package itself is missing', () => {
    expect(planFetch({ installed: null, packagePresent: false, env: {} })).toMatchObject({
      action: 'skip',
      hint: 'run "npm install" first',
    });
  });
});

describe('fetchFailureReason', () => {
  it('keeps the error line of a stack, not the frames', () => {
    const stack = [
      'RequestError: getaddrinfo ENOTFOUND github.com',
      '    at ClientRequest.<anonymous> (/x/got/index.js:1:2)',
      '    at Object.onceWrapper (node:events:632:26)',
    ].join('\n');
    expect(fetchFailureReason(stack)).toBe('RequestError: getaddrinfo ENOTFOUND github.com');
  });

  it('keeps one line of bounded length', () => {
    expect(fetchFailureReason(`Error: ${'x'.repeat(500)}`).length).toBeLessThanOrEqual(160);
    expect(fetchFailureReason('')).toBe('');
  });
});

describe('fetchElectron', () => {
  it('runs the package install.js and reports its failure reason in one line', async () => {
    write(
      'node_modules/electron/install.js',
      "console.error('Error: getaddrinfo ENOTFOUND example.invalid\\n    at x (y.js:1:1)'); process.exit(1);",
    );
    expect(await fetchElectron(root)).toEqual({
      ok: false,
      why: 'Error: getaddrinfo ENOTFOUND example.invalid',
    });
  });

  it('succeeds when install.js exits 0', async () => {
    write('node_modules/electron/install.js', 'process.exit(0);');
    expect(await fetchElectron(root)).toEqual({ ok: true });
  });

  it('stops a download that hangs', async () => {
    write('node_modules/electron/install.js', 'setInterval(() => {}, 1000);');
    expect(await fetchElectron(root, { timeoutMs: 200 })).toMatchObject({ ok: false });
  });

  it('says so when the package has no install.js', async () => {
    expect(await fetchElectron(root)).toMatchObject({ ok: false, why: expect.stringMatching(/install\.js/) });
  });
});

describe('ensureElectron', () => {
  it('present: uses it without fetching', async () => {
    installPackage();
    installBinary();
    const { fetch, calls } = fakeFetch({ ok: true });
    expect(await ensureElectron({ root, env: {}, fetch })).toMatchObject({ fetched: false });
    expect(calls).toHaveLength(0);
  });

  it('absent and the fetch works: fetches once and finds the binary', async () => {
    installPackage();
    const { fetch, calls } = fakeFetch({ ok: true });
    const outcome = await ensureElectron({ root, env: {}, fetch });
    expect(outcome).toMatchObject({ fetched: true, electron: { version: '45.4.1' } });
    expect(calls).toEqual([root]);
  });

  it('absent and the fetch fails: no binary, the reason and how to retry', async () => {
    installPackage();
    const { fetch, calls } = fakeFetch({ ok: false, why: 'getaddrinfo ENOTFOUND' });
    expect(await ensureElectron({ root, env: {}, fetch })).toEqual({
      electron: null,
      why: 'the download failed: getaddrinfo ENOTFOUND',
      hint: 'retry with "npm run electron:install"',
    });
    expect(calls).toHaveLength(1);
  });

  it('absent and the skip variable set: never fetches', async () => {
    installPackage();
    const { fetch, calls } = fakeFetch({ ok: true });
    const outcome = await ensureElectron({ root, env: { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, fetch });
    expect(outcome).toMatchObject({ electron: null, why: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set' });
    expect(calls).toHaveLength(0);
  });

  it('a fetch that "succeeds" without leaving a binary is a failure', async () => {
    installPackage();
    const outcome = await ensureElectron({ root, env: {}, fetch: async () => ({ ok: true }) });
    expect(outcome).toMatchObject({ electron: null, why: expect.stringMatching(/no binary/) });
  });
});

describe('postinstall main', () => {
  async function run(env: Record<string, string>, result: FetchResult) {
    const lines: string[] = [];
    const { fetch, calls } = fakeFetch(result);
    await main(root, { env, fetch, log: (line) => lines.push(line) });
    return { lines, calls };
  }

  it('binary present: one line, no fetch', async () => {
    installPackage();
    installBinary();
    const { lines, calls } = await run({}, { ok: true });
    expect(lines).toEqual(['parley postinstall: Electron 45.4.1 is installed.']);
    expect(calls).toHaveLength(0);
  });

  it('absent, fetch works: one line saying npm start opens the desktop app', async () => {
    installPackage();
    const { lines, calls } = await run({}, { ok: true });
    expect(lines).toEqual([
      expect.stringMatching(/fetched Electron 45\.4\.1; "npm start" opens the desktop app/),
    ]);
    expect(calls).toHaveLength(1);
  });

  it('absent, fetch fails (offline): one line with the reason and the retry command', async () => {
    installPackage();
    const { lines } = await run({}, { ok: false, why: 'getaddrinfo ENOTFOUND' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/download failed: getaddrinfo ENOTFOUND.*web shell.*npm run electron:install/);
  });

  it('skip variable: one line, no fetch', async () => {
    installPackage();
    const { lines, calls } = await run({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, { ok: true });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD is set/);
    expect(calls).toHaveLength(0);
  });
});

describe('npm start: chooseShell', () => {
  async function choose(env: Record<string, string>, result: FetchResult) {
    const lines: string[] = [];
    const { fetch, calls } = fakeFetch(result);
    const shell = await chooseShell({ root, env, fetch, log: (line) => lines.push(line) });
    return { shell, lines, calls };
  }

  it('binary present: the desktop app, nothing fetched', async () => {
    installPackage();
    installBinary();
    const { shell, calls, lines } = await choose({}, { ok: true });
    expect(shell).toEqual({ kind: 'electron' });
    expect(calls).toHaveLength(0);
    expect(lines).toHaveLength(0);
  });

  it('absent and the fetch works: fetches once, then the desktop app', async () => {
    installPackage();
    const { shell, calls, lines } = await choose({}, { ok: true });
    expect(shell).toEqual({ kind: 'electron' });
    expect(calls).toHaveLength(1);
    expect(lines).toEqual([expect.stringMatching(/fetching the Electron binary/)]);
  });

  it('absent and the fetch fails: the web shell with a one-line reason and the retry command', async () => {
    installPackage();
    const { shell, calls } = await choose({}, { ok: false, why: 'getaddrinfo ENOTFOUND' });
    expect(calls).toHaveLength(1);
    expect(shell.kind).toBe('web');
    const reason = shell.kind === 'web' ? shell.reason : '';
    expect(reason).not.toContain('\n');
    expect(reason).toMatch(/download failed: getaddrinfo ENOTFOUND.*web shell.*"npm run electron:install"/);
  });

  it('absent and the skip variable set: the web shell, no fetch, how to get Electron', async () => {
    installPackage();
    const { shell, calls } = await choose({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, { ok: true });
    expect(calls).toHaveLength(0);
    expect(shell).toEqual({
      kind: 'web',
      reason: expect.stringMatching(/unset ELECTRON_SKIP_BINARY_DOWNLOAD and run "npm run electron:install"/),
    });
  });
});

describe('scripts/postinstall.mjs as run by npm', () => {
  it('exits 0 with one line in this checkout', () => {
    const script = fileURLToPath(new URL('./postinstall.mjs', import.meta.url));
    const result = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      // Never a real download from a test: with the variable set the script only looks.
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });
});
