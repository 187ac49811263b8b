import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * electron-builder.yml, checked by electron-builder itself: the configuration
 * is loaded and schema-validated by app-builder-lib, then the built app is
 * really packaged (the `dir` target) with a stand-in Electron so nothing is
 * downloaded, and the packaged file list is checked: the bundles and this
 * platform's native bindings in, tests, sources, maps, fixtures and
 * devDependencies out, the fuses flipped. A broken configuration fails here,
 * where no installer can be built.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./testing/packageWithFakeElectron.mjs', import.meta.url));
const built = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].every((f) =>
  existsSync(join(ROOT, f)),
);

interface Packaged {
  config: Record<string, unknown>;
  /** Files inside app.asar, '/'-rooted. */
  files: string[];
  /** Files in app.asar.unpacked, relative. */
  unpacked: string[];
  fuses: Record<string, number | string> | null;
  executable: string | null;
}

let work: string;
let packaged: Packaged;

function packageApp(): Promise<Packaged> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ROOT, work], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as Packaged);
      } catch {
        reject(new Error(`packaging failed (exit ${code}):\n${(err || out).slice(-3000)}`));
      }
    });
  });
}

describe.skipIf(!built)('electron-builder.yml', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'parley-dist-'));
    packaged = await packageApp();
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('declares the app id, the parley:// scheme and an installer for each platform', () => {
    expect(packaged.config).toMatchObject({
      appId: 'org.parley.desktop',
      productName: 'Parley',
      asar: true,
      protocols: [{ schemes: ['parley'] }],
      linux: ['AppImage', 'deb', 'rpm'],
      win: ['nsis'],
      mac: ['dmg'],
    });
  });

  it('packs the built bundles and the package manifest', () => {
    for (const file of [
      '/package.json',
      '/out/main/index.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
      '/resources/icon.png',
    ]) {
      expect(packaged.files).toContain(file);
    }
    expect(packaged.files.some((f) => /^\/out\/renderer\/assets\/.*\.js$/.test(f))).toBe(true);
    expect(packaged.files.some((f) => /^\/out\/renderer\/assets\/noto-color-emoji-.*\.woff2$/.test(f))).toBe(
      true,
    );
  });

  it("unpacks this platform's native bindings and the worker threads, and no other platform's", () => {
    const tag = `${process.platform}-${process.arch}`;
    expect(packaged.unpacked).toContain(`node_modules/better-sqlite3-multiple-ciphers/prebuilds/${tag}.node`);
    expect(packaged.unpacked.some((f) => f.startsWith(`node_modules/argon2/prebuilds/${tag}/`))).toBe(true);
    expect(packaged.unpacked).toContain('out/main/integrityCheck.worker.js');
    expect(packaged.unpacked).toContain('out/main/backupSnapshot.worker.js');
    const bindings = packaged.unpacked.filter((f) => f.endsWith('.node'));
    expect(bindings.filter((f) => !f.includes(tag) && !f.includes(`musl-${process.arch}`))).toEqual([]);
  });

  it('leaves out sources, tests, maps, fixtures and everything used only to build', () => {
    const all = [...packaged.files, ...packaged.unpacked.map((f) => `/${f}`)];
    const offending = all.filter(
      (f) =>
        /\.(map|ts|tsx|mts|cts|md)$/.test(f) ||
        /\.(test|spec)\.[cm]?js$/.test(f) ||
        /\/(test|tests|__tests__|fixtures|__fixtures__|examples?|bench)\//.test(f) ||
        /^\/(src-main|src-preload|src-shared|src-renderer|e2e|bench|scripts|docs)\//.test(f) ||
        /\/(deps|src)\/.*\.(c|cc|cpp|h)$/.test(f),
    );
    expect(offending).toEqual([]);
    const packages = new Set(
      all.flatMap((f) => {
        const m = /^\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f);
        return m?.[1] ? [m[1]] : [];
      }),
    );
    for (const dev of [
      'electron',
      'electron-builder',
      'vite',
      'vitest',
      'react',
      'typescript',
      '@playwright/test',
    ]) {
      expect(packages.has(dev), dev).toBe(false);
    }
    for (const runtime of ['better-sqlite3-multiple-ciphers', 'argon2', 'libp2p', 'ts-mls', 'zod', 'ws']) {
      expect(packages.has(runtime), runtime).toBe(true);
    }
  });

  it('flips the Electron fuses in the packaged executable', () => {
    expect(packaged.executable).toMatch(/parley|Parley/);
    // '0' (48) disabled, '1' (49) enabled; order from @electron/fuses FuseV1Options.
    expect(packaged.fuses).toEqual({
      version: '1',
      0: 48, // RunAsNode
      1: 49, // EnableCookieEncryption
      2: 48, // EnableNodeOptionsEnvironmentVariable
      3: 48, // EnableNodeCliInspectArguments
      4: 49, // EnableEmbeddedAsarIntegrityValidation
      5: 49, // OnlyLoadAppFromAsar
      6: 48, // LoadBrowserProcessSpecificV8Snapshot
      7: 48, // GrantFileProtocolExtraPrivileges
    });
  });
});
