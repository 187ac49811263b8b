#!/usr/bin/env node
// `npm run bench [NAME...]`: runs bench/NAME.bench.ts (all of them, or the named
// ones), each in its own Node process with tsx, and writes bench/results/NAME.json
// as DESIGN.md §4 says:
//   { "bench": NAME, "node": version, "cpus": n, "results": [ { "metric", "value", "unit" } ] }
// then prints one line per metric. A failing bench does not stop the others;
// the command exits non-zero at the end if any failed, and a failed bench
// leaves no results file behind (a stale one would pass a budget check).
//
// The same file is the per-bench child: `node --import tsx scripts/bench.mjs --child NAME`.

import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
const resultsDir = join(benchDir, 'results');
const SUFFIX = '.bench.ts';
/** Per-bench wall-clock limit; a hung bench is killed and counted as failed. */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 15 * 60_000);

let interrupted = false;

const resultsFile = (/** @type {string} */ name) => join(resultsDir, `${name}.json`);

function available() {
  return readdirSync(benchDir)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
}

function usage() {
  return [
    'usage: npm run bench [NAME...]',
    `  runs bench/NAME${SUFFIX} (default: all) and writes bench/results/NAME.json`,
    `  available: ${available().join(', ') || '(none)'}`,
    `  env BENCH_TIMEOUT_MS: per-bench limit (default ${TIMEOUT_MS})`,
  ].join('\n');
}

// ---------------------------------------------------------------------------
// Parent: pick benches, run each in a child, print the summary.

async function main(/** @type {string[]} */ args) {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage());
    return 0;
  }
  const all = available();
  const wanted = args.map((a) => a.replace(/^bench\//, '').replace(/\.bench\.ts$/, ''));
  const unknown = wanted.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    console.error(`bench: no such benchmark: ${unknown.join(', ')}\n${usage()}`);
    return 2;
  }
  const names = wanted.length > 0 ? [...new Set(wanted)] : all;
  if (names.length === 0) {
    console.error(`bench: nothing to run (no bench/*${SUFFIX})`);
    return 2;
  }

  /** @type {string[]} */
  const failed = [];
  for (const name of names) {
    if (interrupted) {
      console.error('bench: interrupted');
      return 130;
    }
    console.log(`\n▶ bench ${name}`);
    const started = Date.now();
    const code = await runChild(name);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (code !== 0 || !existsSync(resultsFile(name))) {
      failed.push(name);
      rmSync(resultsFile(name), { force: true });
      console.log(`✗ bench ${name} failed (${code === null ? 'killed' : `exit ${code}`}) after ${seconds} s`);
      continue;
    }
    /** @type {{ results: { metric: string, value: number, unit: string }[] }} */
    const file = JSON.parse(readFileSync(resultsFile(name), 'utf8'));
    const width = Math.max(...file.results.map((r) => r.metric.length));
    for (const r of file.results) console.log(`  ${name}  ${r.metric.padEnd(width)}  ${r.value} ${r.unit}`);
    console.log(`✓ bench ${name} (${seconds} s) → bench/results/${name}.json`);
  }
  if (failed.length > 0) {
    console.error(`\nbench: ${failed.length} of ${names.length} failed: ${failed.join(', ')}`);
    return 1;
  }
  return 0;
}

/** @returns {Promise<number | null>} the child's exit code, null when killed */
function runChild(/** @type {string} */ name) {
  return new Promise((resolveExit) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', name],
      {
        cwd: root,
        stdio: 'inherit',
        env: process.env,
      },
    );
    let killTimer;
    const timeout = setTimeout(() => {
      console.error(`bench ${name}: no result after ${TIMEOUT_MS} ms, stopping pid ${child.pid}`);
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    }, TIMEOUT_MS);
    // Ctrl-C reaches the child through the terminal; the parent waits for it to clean up, then stops.
    const onInterrupt = () => {
      interrupted = true;
    };
    process.on('SIGINT', onInterrupt);
    child.on('error', (err) => {
      console.error(`bench ${name}: could not start: ${err.message}`);
    });
    child.on('close', (code) => {
      clearTimeout(timeout);
      clearTimeout(killTimer);
      process.off('SIGINT', onInterrupt);
      resolveExit(code);
    });
  });
}

// ---------------------------------------------------------------------------
// Child: run one bench module and write its results file.

async function child(/** @type {string} */ name) {
  const file = join(benchDir, `${name}${SUFFIX}`);
  const log = (/** @type {string} */ message) => process.stderr.write(`  [${name}] ${message}\n`);
  /** @type {(() => unknown)[]} */
  const cleanups = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        log(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  const tmpDir = mkdtempSync(join(tmpdir(), `parley-bench-${name}-`));
  cleanups.push(() => rmSync(tmpDir, { recursive: true, force: true }));
  for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const mod = await import(pathToFileURL(file).href);
    if (typeof mod.default !== 'function') {
      throw new Error(`bench/${name}${SUFFIX} must default-export async function run(ctx)`);
    }
    const ctx = {
      name,
      root,
      tmpDir,
      log,
      defer: (/** @type {() => unknown} */ fn) => void cleanups.push(fn),
    };
    const results = validate(await mod.default(ctx));
    await cleanup();
    mkdirSync(resultsDir, { recursive: true });
    const out = { bench: name, node: process.version, cpus: availableParallelism(), results };
    writeFileSync(resultsFile(name), `${JSON.stringify(out, null, 2)}\n`);
    return 0;
  } catch (err) {
    await cleanup();
    console.error(`  [${name}] failed:`, err);
    return 1;
  }
}

/** @returns {{ metric: string, value: number, unit: string }[]} */
function validate(/** @type {unknown} */ results) {
  if (!Array.isArray(results) || results.length === 0) {
    throw new Error('run(ctx) must return a non-empty array of { metric, value, unit }');
  }
  return results.map((r, i) => {
    const ok =
      typeof r === 'object' &&
      r !== null &&
      typeof r.metric === 'string' &&
      r.metric.length > 0 &&
      typeof r.value === 'number' &&
      Number.isFinite(r.value) &&
      typeof r.unit === 'string' &&
      r.unit.length > 0;
    if (!ok) throw new Error(`result ${i} is not { metric: string, value: finite number, unit: string }`);
    return { metric: r.metric, value: r.value, unit: r.unit };
  });
}

// ---------------------------------------------------------------------------

const argv = process.argv.slice(2);
if (argv[0] === '--child' && argv[1]) {
  // Exit explicitly: a bench may leave a handle open (a worker pool, a socket) after cleanup.
  process.exit(await child(argv[1]));
} else {
  process.exitCode = await main(argv);
}
