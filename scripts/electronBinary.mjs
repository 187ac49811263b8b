// @ts-check
/**
 * The Electron binary: is it there, should we fetch it, fetch it.
 *
 * Since Electron 45 the `electron` npm package has no install script: the
 * binary is fetched on first use, by `require('electron')` (its index.js runs
 * its install.js when dist/ is missing) or by its `install-electron` bin,
 * which is install.js itself (node_modules/electron/package.json, "bin").
 * install.js downloads the zip with @electron/get, checks it against the
 * package's checksums.json, unpacks it into dist/ and writes path.txt. We run
 * that same install.js, so mirrors, caches and proxies work as Electron
 * documents them (ELECTRON_MIRROR, electron_config_cache, …).
 *
 * The package no longer reads ELECTRON_SKIP_BINARY_DOWNLOAD; Parley keeps
 * honouring it (CI and offline machines set it) by not fetching at all.
 *
 * Everything that decides is a pure function of facts, so it is tested with
 * fakes; the only side effects are `fetchElectron` and the callers' printing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** About 100 MB over a slow link; a stalled mirror must not hang `npm install` or `npm start` for ever. */
export const FETCH_TIMEOUT_MS = 15 * 60_000;
/** The command a user can run to fetch the binary by hand (package.json "electron:install"). */
export const RETRY_COMMAND = 'npm run electron:install';

/**
 * @typedef {{ version: string, executable: string }} ElectronInstall
 * @typedef {{ ok: true } | { ok: false, why: string }} FetchResult
 * @typedef {(root: string) => Promise<FetchResult>} Fetcher
 */

/** @param {string} path */
function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The executable under dist/ for a platform, as Electron's install.js names it.
 * @param {string} platform
 */
export function platformExecutable(platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/**
 * The Electron binary the package would launch, or null when it is missing or
 * stale. Mirrors install.js's own isInstalled(): dist/version equals the
 * package version, path.txt names this platform's executable, and that file
 * exists. Reading files here instead of `require('electron')` matters:
 * requiring the package starts a download when the binary is missing.
 * @param {string} root
 * @param {string} [platform]
 * @returns {ElectronInstall | null}
 */
export function findElectron(root, platform = process.platform) {
  const pkgDir = join(root, 'node_modules', 'electron');
  let version;
  try {
    version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
  if (typeof version !== 'string' || version === '') return null;
  const distVersion = readText(join(pkgDir, 'dist', 'version'))
    ?.trim()
    .replace(/^v/, '');
  const pathTxt = readText(join(pkgDir, 'path.txt'))?.trim();
  if (distVersion !== version || pathTxt !== platformExecutable(platform)) return null;
  const executable = join(pkgDir, 'dist', pathTxt);
  return existsSync(executable) ? { version, executable } : null;
}

/**
 * Whether to fetch the binary now.
 * @param {{ installed: ElectronInstall | null, packagePresent: boolean, env: Record<string, string | undefined> }} facts
 * @returns {{ action: 'ready', electron: ElectronInstall } | { action: 'fetch' } | { action: 'skip', why: string, hint: string }}
 */
export function planFetch({ installed, packagePresent, env }) {
  if (installed) return { action: 'ready', electron: installed };
  if (!packagePresent) {
    return { action: 'skip', why: 'the electron package is not installed', hint: 'run "npm install" first' };
  }
  const skip = env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  if (skip !== undefined && skip !== '' && skip !== '0' && skip !== 'false') {
    return {
      action: 'skip',
      why: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set',
      hint: `unset ELECTRON_SKIP_BINARY_DOWNLOAD and run "${RETRY_COMMAND}"`,
    };
  }
  return { action: 'fetch' };
}

/**
 * The last non-empty line of a tool's output: enough to say why it failed.
 * @param {string | Buffer | null | undefined} output
 */
export function lastLine(output) {
  const lines = String(output ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1) ?? '';
}

/**
 * Why a fetch failed, in a few words: @electron/get prints a stack, whose
 * first line carries the reason (ENOTFOUND, a 404, a checksum mismatch).
 * @param {string} stderr
 */
export function fetchFailureReason(stderr) {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at '));
  const reason = lines.find((l) => /error/i.test(l)) ?? lines.at(-1) ?? '';
  return reason.length > 160 ? `${reason.slice(0, 157)}…` : reason;
}

/**
 * Runs the electron package's install.js (its `install-electron` bin): the
 * documented way to fetch the binary. Output is captured, not shown: npm
 * hides install-script output anyway, and callers print one line.
 * @param {string} root
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<FetchResult>}
 */
export function fetchElectron(root, { timeoutMs = FETCH_TIMEOUT_MS } = {}) {
  const script = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(script))
    return Promise.resolve({ ok: false, why: 'node_modules/electron/install.js is missing' });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      // No progress bar: it is written for a terminal and would be captured here.
      env: { ...process.env, ELECTRON_GET_NO_PROGRESS: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      // A stack is a few KB; keep the tail bounded whatever the tool prints.
      stderr = (stderr + chunk).slice(-16_384);
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, why: err.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true });
      else if (signal) resolve({ ok: false, why: `stopped after ${Math.round(timeoutMs / 60_000)} minutes` });
      else resolve({ ok: false, why: fetchFailureReason(stderr) || `exit ${code}` });
    });
  });
}

/**
 * Makes sure the binary is there: fetched at most once per call.
 * @param {{ root: string, env: Record<string, string | undefined>, fetch: Fetcher, find?: (root: string) => ElectronInstall | null }} deps
 * @returns {Promise<{ electron: ElectronInstall, fetched: boolean } | { electron: null, why: string, hint: string }>}
 */
export async function ensureElectron({ root, env, fetch, find = findElectron }) {
  const plan = planFetch({
    installed: find(root),
    packagePresent: existsSync(join(root, 'node_modules', 'electron', 'package.json')),
    env,
  });
  if (plan.action === 'ready') return { electron: plan.electron, fetched: false };
  if (plan.action === 'skip') return { electron: null, why: plan.why, hint: plan.hint };
  const retry = `retry with "${RETRY_COMMAND}"`;
  const result = await fetch(root);
  if (!result.ok) return { electron: null, why: `the download failed: ${result.why}`, hint: retry };
  const electron = find(root);
  if (!electron) {
    return { electron: null, why: 'the download left no binary in node_modules/electron/dist', hint: retry };
  }
  return { electron, fetched: true };
}
