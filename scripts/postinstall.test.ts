import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BINDING_FILE,
  findElectron,
  installedModuleVersion,
  lastLine,
  main,
  MODULE,
  OUT_DIR,
  parseStamp,
  planNativeBuild,
  STAMP_FILE,
} from './postinstall.mjs';

let root: string;

function write(path: string, content: string) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

function installElectron({ binary }: { binary: boolean }) {
  write('node_modules/electron/package.json', JSON.stringify({ name: 'electron', version: '45.4.1' }));
  write('node_modules/electron/path.txt', 'electron');
  if (binary) write('node_modules/electron/dist/electron', '#!/bin/sh\n');
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-postinstall-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  vi.restoreAllMocks();
});

const STAMP = { electron: '45.4.1', module: '12.11.1', platform: 'linux', arch: 'x64' };
const FACTS = {
  electron: { version: '45.4.1', executable: '/x/electron' },
  moduleVersion: '12.11.1',
  stamp: null,
  bindingExists: false,
  platform: 'linux',
  arch: 'x64',
  env: {},
};

describe('findElectron', () => {
  it('is null when the electron package or its path.txt is missing', () => {
    expect(findElectron(root)).toBeNull();
    write('node_modules/electron/package.json', JSON.stringify({ version: '45.4.1' }));
    expect(findElectron(root)).toBeNull();
  });

  it('is null when path.txt names a binary that was never downloaded', () => {
    installElectron({ binary: false });
    expect(findElectron(root)).toBeNull();
  });

  it('is null for an empty path.txt', () => {
    installElectron({ binary: true });
    write('node_modules/electron/path.txt', '\n');
    expect(findElectron(root)).toBeNull();
  });

  it('finds the binary and the version when both are there', () => {
    installElectron({ binary: true });
    expect(findElectron(root)).toEqual({
      version: '45.4.1',
      executable: join(root, 'node_modules', 'electron', 'dist', 'electron'),
    });
  });
});

describe('installedModuleVersion', () => {
  it('reads the installed version or says none', () => {
    expect(installedModuleVersion(root)).toBeNull();
    write(`node_modules/${MODULE}/package.json`, JSON.stringify({ version: '12.11.1' }));
    expect(installedModuleVersion(root)).toBe('12.11.1');
  });
});

describe('parseStamp', () => {
  it('reads a complete stamp', () => {
    expect(parseStamp(JSON.stringify({ ...STAMP, extra: 1 }))).toEqual(STAMP);
  });

  it.each([
    undefined,
    '',
    '{',
    'null',
    '[]',
    JSON.stringify({ ...STAMP, arch: 64 }),
    JSON.stringify({ electron: 'x' }),
  ])('ignores the bad stamp %j', (text) => {
    expect(parseStamp(text)).toBeNull();
  });
});

describe('planNativeBuild', () => {
  it('skips when the Electron binary is absent', () => {
    const plan = planNativeBuild({ ...FACTS, electron: null });
    expect(plan.action).toBe('skip');
    expect(plan.message).toMatch(/Electron binary is not installed; skipped/);
    expect(plan.message).not.toContain('\n');
  });

  it('skips when asked to by the environment', () => {
    expect(planNativeBuild({ ...FACTS, env: { PARLEY_SKIP_ELECTRON_NATIVE: '1' } }).action).toBe('skip');
  });

  it('skips when the module is not installed', () => {
    expect(planNativeBuild({ ...FACTS, moduleVersion: null }).action).toBe('skip');
  });

  it('builds when nothing was built yet', () => {
    const plan = planNativeBuild(FACTS);
    expect(plan).toMatchObject({ action: 'build', target: STAMP });
  });

  it('skips when the existing build matches Electron, module, platform and arch', () => {
    expect(planNativeBuild({ ...FACTS, stamp: STAMP, bindingExists: true }).action).toBe('skip');
  });

  it.each([
    ['Electron was upgraded', { stamp: { ...STAMP, electron: '44.0.0' }, bindingExists: true }],
    ['the module was upgraded', { stamp: { ...STAMP, module: '12.0.0' }, bindingExists: true }],
    ['the arch changed', { stamp: { ...STAMP, arch: 'arm64' }, bindingExists: true }],
    ['the platform changed', { stamp: { ...STAMP, platform: 'darwin' }, bindingExists: true }],
    ['the binary was deleted', { stamp: STAMP, bindingExists: false }],
  ])('rebuilds when %s', (_why, change) => {
    expect(planNativeBuild({ ...FACTS, ...change }).action).toBe('build');
  });
});

describe('lastLine', () => {
  it('keeps the last meaningful line of tool output', () => {
    expect(lastLine('a\nb\n\n  \n')).toBe('b');
    expect(lastLine('one\r\ntwo\r\n')).toBe('two');
    expect(lastLine(undefined)).toBe('');
    expect(lastLine(Buffer.from('x\ny'))).toBe('y');
  });
});

describe('main', () => {
  function logged() {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
    return lines;
  }

  it('prints one line and builds nothing without the Electron binary', async () => {
    write(`node_modules/${MODULE}/package.json`, JSON.stringify({ version: '12.11.1' }));
    installElectron({ binary: false });
    const lines = logged();
    await main(root);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/skipped the Electron native build/);
  });

  it('prints one line when the Electron build is up to date', async () => {
    write(`node_modules/${MODULE}/package.json`, JSON.stringify({ version: '12.11.1' }));
    installElectron({ binary: true });
    write(join(OUT_DIR, BINDING_FILE), 'binary');
    write(
      join(OUT_DIR, STAMP_FILE),
      JSON.stringify({ ...STAMP, platform: process.platform, arch: process.arch }),
    );
    const lines = logged();
    await main(root);
    expect(lines).toEqual([expect.stringMatching(/up to date/)]);
  });

  it('reports a failed build in one line and does not throw', async () => {
    // The package folder holds only package.json: there is nothing to build, so the build fails fast.
    write(`node_modules/${MODULE}/package.json`, JSON.stringify({ version: '12.11.1' }));
    installElectron({ binary: true });
    const lines = logged();
    await expect(main(root)).resolves.toBeUndefined();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/building/);
    expect(lines[1]).toMatch(/could not build .* for Electron/);
  });
});

describe('scripts/postinstall.mjs as run by npm', () => {
  it('exits 0 with one line in this checkout, whatever the Electron install state', () => {
    const script = fileURLToPath(new URL('./postinstall.mjs', import.meta.url));
    const result = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, PARLEY_SKIP_ELECTRON_NATIVE: '1' },
    });
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });
});
