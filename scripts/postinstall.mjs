// @ts-check
/**
 * Builds better-sqlite3-multiple-ciphers for Electron into .native/electron/
 * when the Electron binary is installed. Electron's V8 ABI differs from Node's,
 * and the copy in node_modules must stay the Node build (vitest and the
 * `parley` CLI load it), so the build happens on a copy of the package in a
 * temporary folder and only the resulting .node file is kept.
 *
 * An install must never fail because of this step: every outcome, including
 * a failure, is one line on stdout and exit status 0.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MODULE = 'better-sqlite3-multiple-ciphers';
export const OUT_DIR = join('.native', 'electron');
export const BINDING_FILE = 'better_sqlite3.node';
export const STAMP_FILE = 'build.json';
const PREFIX = 'parley postinstall:';
/** prebuild-install downloads one file; a stalled mirror should not hang `npm install` forever. */
const PREBUILD_TIMEOUT_MS = 5 * 60_000;

/**
 * @typedef {{ version: string, executable: string }} ElectronInstall
 * @typedef {{ electron: string, module: string, platform: string, arch: string }} Stamp
 * @typedef {{ action: 'skip', message: string } | { action: 'build', target: Stamp, message: string }} Plan
 */

/** @param {string} path */
function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * The Electron binary the electron package would launch, the way its own
 * index.js finds it (path.txt names the executable under dist/), or null when
 * it was never downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD, offline install).
 * Reading path.txt here instead of `require('electron')` matters: requiring
 * the package starts a download when the binary is missing.
 * @param {string} root
 * @returns {ElectronInstall | null}
 */
export function findElectron(root) {
  const pkgDir = join(root, 'node_modules', 'electron');
  try {
    const name = readFileSync(join(pkgDir, 'path.txt'), 'utf8').trim();
    if (name === '') return null;
    const executable = join(pkgDir, 'dist', name);
    if (!existsSync(executable)) return null;
    const version = readJson(join(pkgDir, 'package.json')).version;
    return typeof version === 'string' && version !== '' ? { version, executable } : null;
  } catch {
    return null;
  }
}

/**
 * @param {string} root
 * @returns {string | null}
 */
export function installedModuleVersion(root) {
  try {
    const version = readJson(join(root, 'node_modules', MODULE, 'package.json')).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

/**
 * @param {string | undefined} text
 * @returns {Stamp | null}
 */
export function parseStamp(text) {
  if (text === undefined) return null;
  try {
    const raw = JSON.parse(text);
    const fields = ['electron', 'module', 'platform', 'arch'];
    if (typeof raw !== 'object' || raw === null || !fields.every((f) => typeof raw[f] === 'string'))
      return null;
    return { electron: raw.electron, module: raw.module, platform: raw.platform, arch: raw.arch };
  } catch {
    return null;
  }
}

/**
 * What to do, decided from facts only so it can be tested without Electron,
 * a compiler or a network.
 * @param {{
 *   electron: ElectronInstall | null,
 *   moduleVersion: string | null,
 *   stamp: Stamp | null,
 *   bindingExists: boolean,
 *   platform: string,
 *   arch: string,
 *   env: Record<string, string | undefined>,
 * }} facts
 * @returns {Plan}
 */
export function planNativeBuild({ electron, moduleVersion, stamp, bindingExists, platform, arch, env }) {
  if (env.PARLEY_SKIP_ELECTRON_NATIVE === '1') {
    return {
      action: 'skip',
      message: `${PREFIX} PARLEY_SKIP_ELECTRON_NATIVE=1; skipped the Electron native build.`,
    };
  }
  if (electron === null) {
    return {
      action: 'skip',
      message: `${PREFIX} the Electron binary is not installed; skipped the Electron native build of ${MODULE}.`,
    };
  }
  if (moduleVersion === null) {
    return {
      action: 'skip',
      message: `${PREFIX} ${MODULE} is not installed; skipped the Electron native build.`,
    };
  }
  const target = { electron: electron.version, module: moduleVersion, platform, arch };
  const current =
    bindingExists &&
    stamp !== null &&
    stamp.electron === target.electron &&
    stamp.module === target.module &&
    stamp.platform === target.platform &&
    stamp.arch === target.arch;
  if (current) {
    return {
      action: 'skip',
      message: `${PREFIX} ${MODULE} ${moduleVersion} for Electron ${electron.version} is up to date in ${OUT_DIR}.`,
    };
  }
  return {
    action: 'build',
    target,
    message: `${PREFIX} building ${MODULE} ${moduleVersion} for Electron ${electron.version} into ${OUT_DIR}…`,
  };
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
 * Copies the package without its Node build and without nested node_modules,
 * so whatever ends up in build/Release was made for Electron.
 * @param {string} from
 * @param {string} to
 */
function copyPackage(from, to) {
  const skipped = [join(from, 'build'), join(from, 'node_modules')];
  cpSync(from, to, {
    recursive: true,
    dereference: true,
    filter: (src) => !skipped.some((s) => src === s || src.startsWith(s + sep)),
  });
}

/**
 * A prebuilt binary for Electron's ABI from the package's GitHub releases:
 * no compiler needed.
 * @param {string} root
 * @param {string} packageDir
 * @param {Stamp} target
 * @returns {{ ok: true } | { ok: false, why: string }}
 */
function downloadPrebuilt(root, packageDir, target) {
  const bin = join(root, 'node_modules', 'prebuild-install', 'bin.js');
  if (!existsSync(bin)) return { ok: false, why: 'prebuild-install is not installed' };
  const result = spawnSync(
    process.execPath,
    [
      bin,
      '--runtime=electron',
      `--target=${target.electron}`,
      `--arch=${target.arch}`,
      `--platform=${target.platform}`,
    ],
    { cwd: packageDir, encoding: 'utf8', timeout: PREBUILD_TIMEOUT_MS },
  );
  if (result.status === 0) return { ok: true };
  return { ok: false, why: lastLine(result.stderr) || result.error?.message || `exit ${result.status}` };
}

/**
 * Compiles from source against Electron's headers with @electron/rebuild.
 * @param {string} buildPath
 * @param {Stamp} target
 */
async function compile(buildPath, target) {
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({
    buildPath,
    electronVersion: target.electron,
    arch: target.arch,
    force: true,
    onlyModules: [MODULE],
    mode: 'sequential',
  });
}

/**
 * @param {string} root
 * @param {Stamp} target
 * @returns {Promise<string>} how the binary was obtained
 */
async function buildForElectron(root, target) {
  const work = mkdtempSync(join(tmpdir(), 'parley-native-'));
  try {
    const packageDir = join(work, 'node_modules', MODULE);
    copyPackage(join(root, 'node_modules', MODULE), packageDir);
    // @electron/rebuild finds modules through the project's package.json.
    writeFileSync(
      join(work, 'package.json'),
      JSON.stringify({
        name: 'parley-native-build',
        private: true,
        dependencies: { [MODULE]: target.module },
      }),
    );
    const built = join(packageDir, 'build', 'Release', BINDING_FILE);

    let how = 'downloaded a prebuilt binary';
    const prebuilt = downloadPrebuilt(root, packageDir, target);
    if (!prebuilt.ok || !existsSync(built)) {
      how = `compiled it (no prebuilt binary: ${prebuilt.ok ? 'download produced no file' : prebuilt.why})`;
      await compile(work, target);
    }
    if (!existsSync(built)) throw new Error(`the build finished without producing ${BINDING_FILE}`);

    // Replace the old binary in one rename so the app never sees half a file.
    const outDir = join(root, OUT_DIR);
    mkdirSync(outDir, { recursive: true });
    const partial = join(outDir, `${BINDING_FILE}.partial`);
    copyFileSync(built, partial);
    renameSync(partial, join(outDir, BINDING_FILE));
    writeFileSync(join(outDir, STAMP_FILE), `${JSON.stringify(target, null, 2)}\n`);
    return how;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** @param {string} root */
export async function main(root) {
  const outDir = join(root, OUT_DIR);
  let stampText;
  try {
    stampText = readFileSync(join(outDir, STAMP_FILE), 'utf8');
  } catch {
    stampText = undefined;
  }
  const plan = planNativeBuild({
    electron: findElectron(root),
    moduleVersion: installedModuleVersion(root),
    stamp: parseStamp(stampText),
    bindingExists: existsSync(join(outDir, BINDING_FILE)),
    platform: process.platform,
    arch: process.arch,
    env: process.env,
  });
  console.log(plan.message);
  if (plan.action === 'skip') return;
  try {
    const how = await buildForElectron(root, plan.target);
    console.log(`${PREFIX} ${how}; the Electron build is in ${relative(root, join(outDir, BINDING_FILE))}.`);
  } catch (err) {
    const why = lastLine(err instanceof Error ? err.message : String(err)) || 'unknown error';
    console.log(
      `${PREFIX} could not build ${MODULE} for Electron (${why}). Tests and the CLI are unaffected; ` +
        'the desktop app needs it to open its database: run "node scripts/postinstall.mjs" again.',
    );
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(fileURLToPath(new URL('..', import.meta.url)))
    .catch((err) => {
      console.log(`${PREFIX} skipped the Electron native build after an unexpected error (${String(err)}).`);
    })
    .finally(() => {
      process.exitCode = 0;
    });
}
