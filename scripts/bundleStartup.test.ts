import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * The shipped bundles fit together: out/main/index.js (Electron main + the
 * core) loaded in Node with a fake `electron`, out/preload/index.cjs run
 * sandboxed in a vm context, and a request from "the renderer" answered by
 * the real core and an event delivered back. Unit tests of single modules
 * cannot catch a bundle that fails to load, a preload that requires a Node
 * module, or IPC channels that main and preload name differently.
 *
 * Unlocking starts the app's peer node, which listens on every interface and
 * announces itself by mDNS: so this runs only where nothing but loopback
 * exists (`../shared/tools/in-netns`, as `npm test` runs in CI).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HARNESS = fileURLToPath(new URL('./testing/startupHarness.mjs', import.meta.url));
const built = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].every((f) =>
  existsSync(join(ROOT, f)),
);
const foreign = Object.entries(networkInterfaces())
  .filter(([, addrs]) => (addrs ?? []).some((a) => !a.internal))
  .map(([name]) => name);
if (built && foreign.length > 0) {
  console.warn(
    `bundle start-up test skipped: run inside ../shared/tools/in-netns (non-loopback interfaces: ${foreign.join(', ')})`,
  );
}

interface HarnessOutput {
  ok: boolean;
  error?: string;
  result: Record<string, unknown> & {
    webPreferences: Record<string, unknown>;
    events: { state: string }[];
  };
}

function runHarness(profileDir: string, appData: string): Promise<HarnessOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARNESS, ROOT, profileDir, appData], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as HarnessOutput);
      } catch {
        reject(new Error(`harness printed no result; stderr:\n${err.slice(-2000)}`));
      }
    });
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-startup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!built || foreign.length > 0)('the built app starts with a fake electron', () => {
  it('opens the profile, answers a request through the preload, delivers events, and quits closing the core', async () => {
    const profileDir = join(dir, 'profile');
    const output = await runHarness(profileDir, join(dir, 'appData'));
    expect(output.error).toBeUndefined();
    expect(output.ok).toBe(true);
    const r = output.result;

    // The window: the hardened options, the built renderer and preload.
    expect(r.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(r.preloadPath).toBe(join(ROOT, 'out', 'preload', 'index.cjs'));
    // The preload exposes exactly the contract bridge.
    expect(r.exposed).toEqual(['parley']);
    expect(r.bridgeMethods).toEqual(['request', 'subscribe']);

    // Requests through the real preload reach the real core.
    expect(r.appInfo).toEqual({
      ok: true,
      value: expect.objectContaining({ name: 'Parley', shell: 'electron', profileDir }),
    });
    expect(r.statusBefore).toEqual({ ok: true, value: { state: 'none' } });
    expect(r.created).toMatchObject({ ok: true, value: { state: 'unlocked', displayName: 'Startup Test' } });
    // …and the core's event came back through webContents.send and the preload's subscribe.
    expect(r.events.map((e) => e.state)).toContain('unlocked');
    // A frame that is not the renderer is refused.
    expect(r.foreignFrame).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });

    // The renderer comes from the app's own scheme, never file://, with the CSP on the response.
    expect(r.rendererUrl).toBe('app://parley/index.html');
    expect(r.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    expect(r.appPage).toMatchObject({ status: 200, csp: expect.stringContaining("script-src 'self'") });
    expect(r.appOutside).toBe(404);

    // parley:// links: registered, and delivered from the first launch, a second launch and open-url.
    expect(r.defaultProtocolClients).toEqual(['parley']);
    expect(r.firstLaunchLink).toEqual([{ link: 'parley://invite/FirstLaunchLink' }]);
    expect(r.invites).toEqual([
      { link: 'parley://invite/SecondLaunchLink' },
      { link: 'parley://invite/OpenUrlLink' },
    ]);

    // Tray with its menu and the badge.
    expect(r.tray).toEqual({
      tooltip: 'Parley',
      menu: ['Open Parley', 'Lock', 'separator', 'Quit Parley'],
      badge: 0,
    });

    // A native dialog: the renderer gets a handle and a name, not the path.
    expect(r.picked).toEqual({
      ok: true,
      value: {
        files: [
          { handle: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'package.json', size: expect.any(Number) },
        ],
      },
    });
    expect(JSON.stringify(r.picked)).not.toContain(ROOT);

    // Web links: no new windows; opened in the browser only after the user said yes.
    expect(r.windowOpen).toEqual(['deny', 'deny', 'deny']);
    expect(r.messageBoxes).toBe(2);
    expect(r.openedExternal).toEqual(['https://example.org/opened']);

    // Closing the window keeps Parley in the tray; a second launch opens a window again.
    expect(r.quitAfterClose).toBe(false);
    expect(r.windowsAfterReopen).toBe(1);

    // Quit waits for the core: the profile lock is released and every IPC handler removed.
    expect(r.quit).toBe(true);
    expect(r.lockReleased).toBe(true);
    expect(r.handlersLeft).toBe(0);
    expect(r.errorBoxes).toEqual([]);
    expect(r.exitCode).toBeNull();
    expect(existsSync(join(profileDir, 'profile.json'))).toBe(true);
  });
});
