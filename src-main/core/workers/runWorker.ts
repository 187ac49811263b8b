import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Long store work (integrity check, later backup snapshots and bulk imports)
 * runs on a worker thread with its own SQLite connection, so the event loop
 * that serves the bridge and the network never waits on it (DESIGN.md §2).
 *
 * Each worker is its own bundle entry (`NAME.worker.mjs` beside out/cli/parley.mjs,
 * `NAME.worker.js` beside out/main/index.js); under vitest the TypeScript
 * source beside this file runs through tsx.
 */
export type WorkerName =
  | 'integrityCheck'
  | 'backupSnapshot'
  | 'walCheckpoint'
  | 'vacuumConvert'
  | 'historySnapshot'
  | 'historyImport'
  // Long-lived: files/chunkChecker.ts starts it and talks to it, runWorker is not used.
  | 'chunkCheck';

export function workerEntry(
  name: WorkerName,
  from: string = fileURLToPath(import.meta.url),
): { script: string; eval: boolean } {
  const dir = dirname(from);
  // A packaged app runs from resources/app.asar, which a worker thread cannot read;
  // electron-builder.yml unpacks the workers (and what they import) beside it.
  const unpacked = dir.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked');
  for (const base of unpacked === dir ? [dir] : [unpacked, dir]) {
    for (const ext of ['mjs', 'js']) {
      const built = join(base, `${name}.worker.${ext}`);
      if (existsSync(built)) return { script: built, eval: false };
    }
  }
  const source = join(dir, `${name}.worker.ts`);
  if (existsSync(source)) {
    // Running from source (tests). ESM loader hooks (`--import tsx`, module.register) do not
    // reach a worker's entry on Node 20, so a CommonJS bootstrap installs tsx's require hook
    // and requires the TypeScript source, which tsx compiles to CommonJS.
    const tsxCjs = createRequire(import.meta.url).resolve('tsx/cjs/api');
    return {
      script: `require(${JSON.stringify(tsxCjs)}).register(); require(${JSON.stringify(source)});`,
      eval: true,
    };
  }
  throw new Error(`worker ${name} not found next to ${from}`);
}

/** Runs a worker to completion and resolves with the one message it posts. */
export function runWorker<T>(name: WorkerName, data: unknown, timeoutMs = 10 * 60_000): Promise<T> {
  const entry = workerEntry(name);
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(entry.script, { workerData: data, eval: entry.eval });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`worker ${name} timed out`)));
      void worker.terminate();
    }, timeoutMs);
    timer.unref();
    worker.once('message', (value: T) => {
      settle(() => resolve(value));
      void worker.terminate();
    });
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) => settle(() => reject(new Error(`worker ${name} exited with ${code}`))));
  });
}
