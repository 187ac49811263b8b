// @ts-check
/**
 * `npm start`: builds if the build is missing or older than the sources, then
 * runs the desktop app. Without the Electron binary it fetches it once (the
 * way Electron 45 documents, electronBinary.mjs); when that cannot happen
 * (ELECTRON_SKIP_BINARY_DOWNLOAD, offline) it starts the web shell
 * (`parley web`) with a one-line reason and the command to retry. Extra
 * arguments (`--profile DIR`) go to whichever runs. Never opens a browser.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectron, fetchElectron } from './electronBinary.mjs';

/** What `npm run build` produces; all of it must exist and be newer than every source. */
export const BUILD_OUTPUTS = [
  'out/main/index.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
  'out/cli/parley.mjs',
];
export const BUILD_INPUTS = [
  'src-main',
  'src-preload',
  'src-shared',
  'src-renderer',
  'electron.vite.config.ts',
  'vite.cli.config.ts',
  'package.json',
];

/**
 * The default profile folder of the web shell: the same folder the desktop app
 * uses (`<appData>/Parley/profile`), so both open the same profile.
 * @param {string} platform
 * @param {Record<string, string | undefined>} env
 * @param {string} home
 */
export function defaultProfileDir(platform, env, home) {
  let appData;
  if (platform === 'win32') appData = env.APPDATA || join(home, 'AppData', 'Roaming');
  else if (platform === 'darwin') appData = join(home, 'Library', 'Application Support');
  else appData = env.XDG_CONFIG_HOME || join(home, '.config');
  return join(appData, 'Parley', 'profile');
}

/**
 * Newest modification time under a file or folder (0 when absent). Tests do
 * not go into the build, so they do not force one.
 * @param {string} path
 * @returns {number}
 */
function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/**
 * @param {string} root
 * @returns {boolean}
 */
export function needsBuild(root) {
  let oldestOutput = Infinity;
  for (const output of BUILD_OUTPUTS) {
    try {
      oldestOutput = Math.min(oldestOutput, statSync(join(root, output)).mtimeMs);
    } catch {
      return true;
    }
  }
  return BUILD_INPUTS.some((input) => newestMtime(join(root, input)) > oldestOutput);
}

/**
 * npm runs scripts from the package root; a relative `--profile` means the
 * folder the user typed it in (npm's INIT_CWD), so make it absolute here.
 * @param {readonly string[]} args
 * @param {string} cwd
 */
export function absoluteProfileArgs(args, cwd) {
  return args.map((arg, i) => {
    if (arg.startsWith('--profile=')) return `--profile=${resolve(cwd, arg.slice('--profile='.length))}`;
    if (args[i - 1] === '--profile' && !arg.startsWith('--')) return resolve(cwd, arg);
    return arg;
  });
}

/**
 * The web shell's arguments: the default profile unless the caller chose one.
 * @param {readonly string[]} args
 * @param {string} profileDir
 */
export function webArgs(args, profileDir) {
  const chosen = args.some((a) => a === '--profile' || a.startsWith('--profile='));
  return ['web', ...(chosen ? [] : ['--profile', profileDir]), ...args];
}

/**
 * Runs a child with our stdio, forwards SIGINT and SIGTERM to it, and resolves
 * with the exit status to pass on.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {string} cwd
 * @returns {Promise<number>}
 */
function run(command, args, cwd) {
  return new Promise((resolveStatus) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit' });
    /** @param {NodeJS.Signals} signal */
    const forward = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    // `npm start` runs us through `sh -c`, and npm's SIGTERM stops at sh: we are left
    // orphaned (re-parented) with the child still running. Treat that as a stop request.
    const parentAtStart = process.ppid;
    const orphanWatch = setInterval(() => {
      if (process.ppid !== parentAtStart) forward('SIGTERM');
    }, 500);
    orphanWatch.unref();
    const done = (/** @type {number} */ status) => {
      clearInterval(orphanWatch);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolveStatus(status);
    };
    child.on('error', (err) => {
      console.error(`parley start: could not run ${command}: ${err.message}`);
      done(1);
    });
    // A child killed by a signal reports no code; 128 + n is the shell's convention.
    child.on('exit', (code, signal) =>
      done(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1)),
    );
  });
}

/** `npm run build` through the npm that started us when there is one (npm.cmd needs a shell on Windows). */
function npmRunBuild(/** @type {string} */ root) {
  const npmCli = process.env.npm_execpath;
  if (npmCli && /\.c?js$/.test(npmCli)) return run(process.execPath, [npmCli, 'run', 'build'], root);
  return run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], root);
}

/**
 * Which shell `npm start` runs, decided from the Electron install state:
 * fetched at most once, and a one-line reason when it falls back.
 * @param {{ root: string, env: Record<string, string | undefined>, fetch: import('./electronBinary.mjs').Fetcher, log: (line: string) => void, find?: (root: string) => import('./electronBinary.mjs').ElectronInstall | null }} deps
 * @returns {Promise<{ kind: 'electron' } | { kind: 'web', reason: string }>}
 */
export async function chooseShell({ root, env, fetch, log, find }) {
  const fetcher = /** @type {import('./electronBinary.mjs').Fetcher} */ (
    async (at) => {
      log('parley start: fetching the Electron binary (about 100 MB, once)…');
      return fetch(at);
    }
  );
  const outcome = await ensureElectron({ root, env, fetch: fetcher, ...(find ? { find } : {}) });
  if (outcome.electron) return { kind: 'electron' };
  return {
    kind: 'web',
    reason: `parley start: no Electron binary (${outcome.why}); starting the web shell instead. For the desktop app, ${outcome.hint}.`,
  };
}

/**
 * @param {string} root
 * @param {readonly string[]} args
 * @param {{ env?: Record<string, string | undefined>, fetch?: import('./electronBinary.mjs').Fetcher }} [deps]
 * @returns {Promise<number>}
 */
export async function start(root, args, { env = process.env, fetch = fetchElectron } = {}) {
  if (needsBuild(root)) {
    const status = await npmRunBuild(root);
    if (status !== 0) return status;
  }
  const shell = await chooseShell({ root, env, fetch, log: (line) => console.log(line) });
  if (shell.kind === 'electron') {
    const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
    // Already built above, so skip electron-vite's own build; arguments after `--` reach Electron.
    return run(
      process.execPath,
      [cli, 'preview', '--skipBuild', ...(args.length ? ['--', ...args] : [])],
      root,
    );
  }
  console.log(shell.reason);
  const parley = join(root, 'bin', 'parley.mjs');
  if (!existsSync(parley)) {
    console.error(`parley start: ${parley} is missing; run "npm run build" and check the checkout.`);
    return 1;
  }
  const profileDir = defaultProfileDir(process.platform, env, homedir());
  return run(process.execPath, [parley, ...webArgs(args, profileDir)], root);
}

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const args = absoluteProfileArgs(process.argv.slice(2), process.env.INIT_CWD || process.cwd());
  start(fileURLToPath(new URL('..', import.meta.url)), args).then(
    (status) => {
      process.exitCode = status;
    },
    (err) => {
      console.error(`parley start: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
