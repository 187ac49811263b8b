import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/**
 * Types and helpers for benchmarks. A benchmark is a file `bench/NAME.bench.ts`
 * whose default export is `run(ctx)`; `npm run bench [NAME...]` (scripts/bench.mjs)
 * runs each in its own Node process and writes `bench/results/NAME.json`
 * (DESIGN.md §4). Budgets (DESIGN.md §5) are checked by reading those files,
 * never by timed assertions in tests.
 */

/** One figure. `metric` names what and which statistic, e.g. `unlock.p95`. */
export interface BenchResult {
  metric: string;
  value: number;
  unit: string;
}

export interface BenchContext {
  /** The benchmark's name (its file name without `.bench.ts`). */
  name: string;
  /** Absolute path of the repository root (the working directory). */
  root: string;
  /** A fresh private folder, removed after the run. */
  tmpDir: string;
  /** Progress on stderr; results go only in the returned array. */
  log(message: string): void;
  /**
   * Registers cleanup (kill a spawned process, close a browser). Runs after
   * `run` settles, in reverse order, and also when the runner is interrupted.
   */
  defer(cleanup: () => unknown): void;
}

export type Bench = (ctx: BenchContext) => Promise<BenchResult[]>;

/** Starts a stopwatch; calling the result returns milliseconds since the start. */
export function timer(): () => number {
  const start = performance.now();
  return () => performance.now() - start;
}

/** Runs `fn` `n` times one after another and returns each duration in milliseconds. */
export async function measure(n: number, fn: (i: number) => unknown): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const elapsed = timer();
    await fn(i);
    samples.push(elapsed());
  }
  return samples;
}

/**
 * Nearest-rank percentile (p in 0..100): the smallest sample with at least p% of
 * the samples at or below it. Always one of the samples, never interpolated.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile out of range: ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export type Stat = 'p50' | 'p95' | 'p99' | 'max' | 'min' | 'mean';

/** Rounds to a fixed number of decimals so results files stay readable. */
export function round(value: number, decimals = 2): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** `[{ metric: 'unlock.p50', value, unit }, …]` for the requested statistics of some samples. */
export function summarize(
  metric: string,
  samples: readonly number[],
  stats: readonly Stat[] = ['p50', 'p95', 'max'],
  unit = 'ms',
): BenchResult[] {
  return stats.map((stat) => ({ metric: `${metric}.${stat}`, value: round(statistic(samples, stat)), unit }));
}

function statistic(samples: readonly number[], stat: Stat): number {
  switch (stat) {
    case 'p50':
      return percentile(samples, 50);
    case 'p95':
      return percentile(samples, 95);
    case 'p99':
      return percentile(samples, 99);
    case 'max':
      return Math.max(...samples);
    case 'min':
      return Math.min(...samples);
    case 'mean':
      return samples.reduce((a, b) => a + b, 0) / samples.length;
  }
}

/** Stops a child this bench started: SIGTERM (a shell closes its profile), SIGKILL after 5 s. Only that pid. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
