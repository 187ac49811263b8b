import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, BenchResult } from './harness';
import { build } from './store/buildStore';
import { measure } from './store/measureStore';
import { MEASURE_TIMEOUT_MS, MESSAGES, type Workload } from './store/storeWorkload';

/**
 * The store at scale (DESIGN.md §5): 1,000,000 messages across 200
 * conversations, built through the real write path, then measured.
 *
 * Build (this process): a real profile (ProfileService, production Argon2id
 * cost), contacts, 200 conversations (DMs and groups, ~3 senders each), then
 * messages through MessageRepository.insert in transactions of 5,000, so every
 * FTS and bookkeeping trigger fires: the insert rate is what a bulk import or a
 * large catch-up gets. Text is synthetic but shaped like chat: 3–30 words from a
 * 20,000-word vocabulary with Zipf frequencies, some accented words so the
 * diacritic folding of the index is exercised. Everything comes from one
 * seeded generator, so every run builds the same database.
 *
 * Measure (a fresh child process): unlock, searches, page loads and memory.
 * A fresh process because building leaves hundreds of MB of garbage-collected
 * heap in RSS that a real app that unlocks an existing profile never has; the
 * child is that app's headless core: unlock, search, scroll, nothing else.
 *
 * PARLEY_BENCH_MESSAGES (default 1,000,000) scales the run for development.
 */
/** Runs the measuring half in a fresh Node process; its results come back as JSON on stdout. */
function measureInChild(ctx: BenchContext, workloadFile: string): Promise<BenchResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--measure', workloadFile],
      { cwd: ctx.root, stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
    );
    let killed = false;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        killed = true;
        process.kill(child.pid, 'SIGKILL');
      }
    };
    ctx.defer(kill);
    const timeout = setTimeout(kill, MEASURE_TIMEOUT_MS);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timeout);
      if (code !== 0 || killed) {
        reject(new Error(`measuring process ${killed ? 'timed out' : `exited ${code}`}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as BenchResult[]);
    });
  });
}

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  if (!Number.isInteger(MESSAGES) || MESSAGES < 1000) {
    throw new Error('PARLEY_BENCH_MESSAGES must be an integer ≥ 1000');
  }
  const profileDir = join(ctx.tmpDir, 'profile');
  const built = await build(ctx, profileDir);
  const workloadFile = join(ctx.tmpDir, 'workload.json');
  writeFileSync(workloadFile, JSON.stringify(built.workload));
  ctx.log('measuring in a fresh process: unlock, search, page loads, memory');
  const measured = await measureInChild(ctx, workloadFile);
  return [...built.results, ...measured];
}

// ---------------------------------------------------------------------------
// Direct runs: `node --import tsx bench/store.bench.ts` (standalone, prints the
// results as JSON) and the `--measure WORKLOAD` child above.

async function main(argv: string[]): Promise<void> {
  const log = (message: string) => process.stderr.write(`  [store] ${message}\n`);
  if (argv[0] === '--measure' && argv[1]) {
    const workload = JSON.parse(readFileSync(argv[1], 'utf8')) as Workload;
    process.stdout.write(`${JSON.stringify(await measure(workload, log))}\n`);
    return;
  }
  const cleanups: Array<() => unknown> = [];
  const tmpDir = mkdtempSync(join(tmpdir(), 'parley-bench-store-'));
  cleanups.push(() => rmSync(tmpDir, { recursive: true, force: true }));
  try {
    const results = await run({
      name: 'store',
      root: fileURLToPath(new URL('..', import.meta.url)),
      tmpDir,
      log,
      defer: (fn) => void cleanups.push(fn),
    });
    const out = { bench: 'store', node: process.version, cpus: availableParallelism(), results };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    // Explicit exit: the database handle of a failed run must not keep the process alive.
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
