import { Worker } from 'node:worker_threads';
import type { FromWorker, OpName, Params, PeerInit, Response, Result, ToWorker } from './protocol';

/**
 * The main thread's side of one peer worker (bench/net/peerWorker.ts): typed
 * requests with ids, the peer's commit stamps, and failure that reaches every
 * waiter. A worker that throws, exits or cannot be reached makes every pending
 * and later request reject with its error, so the bench fails clearly instead
 * of waiting out its limits.
 */

/**
 * A worker thread does not get tsx from the parent's `--import tsx` on Node 20
 * (ESM loader hooks do not reach a worker's entry; see
 * src-main/core/workers/runWorker.ts), so the entry is a small bootstrap that
 * registers tsx's ESM hooks in the worker and then imports the TypeScript
 * source as ESM, the way the main thread loads the bench.
 */
function bootstrap(): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./peerWorker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
}

const READY_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 30_000;

export class PeerWorker {
  readonly name: string;
  /** The peer's identity public key, hex. */
  readonly identityKey: string;
  /** Set by online(). */
  peerId = '';
  /** Incoming texts committed at this peer, by tag → clock() after COMMIT. */
  readonly committed = new Map<string, number>();
  /** While set, every commit here is also reported to that worker (its sender loop waits on them). */
  forwardTo: PeerWorker | null = null;

  private readonly worker: Worker;
  private readonly pending = new Map<number, { op: OpName; settle: (r: Response | Error) => void }>();
  private readonly waiters = new Map<string, () => void>();
  private readonly onFailure = new Set<(err: Error) => void>();
  private failure: Error | null = null;
  private closing = false;
  private nextId = 1;

  private constructor(worker: Worker, name: string, identityKey: string, log: (message: string) => void) {
    this.worker = worker;
    this.name = name;
    this.identityKey = identityKey;
    worker.on('message', (message: FromWorker) => this.receive(message, log));
  }

  /**
   * Starts a worker and waits until its database and identity exist.
   * `track` gets the way to stop it at once (before `ready` too), so the
   * bench's cleanup ends every thread it started even when start-up fails.
   */
  static start(
    init: PeerInit,
    log: (message: string) => void,
    track: (stop: () => Promise<void>) => void,
  ): Promise<PeerWorker> {
    const worker = new Worker(bootstrap(), { eval: true, workerData: init });
    let peer: PeerWorker | null = null;
    track(async () => {
      if (peer) await peer.close();
      else await worker.terminate();
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        fail(new Error(`peer ${init.name}: worker not ready within ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        if (peer) peer.fail(err);
        else reject(err);
      };
      worker.on('error', (err) =>
        fail(new Error(`peer ${init.name}: worker error: ${err.stack ?? err.message}`)),
      );
      worker.on('messageerror', (err) =>
        fail(new Error(`peer ${init.name}: unreadable message: ${err.message}`)),
      );
      worker.on('exit', (code) => {
        if (!peer?.closing) fail(new Error(`peer ${init.name}: worker exited (code ${code})`));
      });
      worker.once('message', (message: FromWorker) => {
        if (message.kind !== 'ready') {
          fail(new Error(`peer ${init.name}: expected 'ready' first, got '${message.kind}'`));
          return;
        }
        clearTimeout(timer);
        peer = new PeerWorker(worker, init.name, message.identityKey, log);
        resolve(peer);
      });
    });
  }

  /** One request; rejects with the worker's error, on worker failure, or after `timeoutMs`. */
  call<K extends OpName>(op: K, params: Params<K>, timeoutMs = 60_000): Promise<Result<K>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Result<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`peer ${this.name}: ${op} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        op,
        settle: (r) => {
          clearTimeout(timer);
          this.pending.delete(id);
          if (r instanceof Error) reject(r);
          else if (!r.ok) reject(new Error(r.error));
          else if (r.op !== op) reject(new Error(`peer ${this.name}: answer to ${r.op} for a ${op} request`));
          // The response union is keyed by op and was checked to be this op's.
          else resolve(r.value as Result<K>);
        },
      });
      this.post({ kind: 'request', id, op, params } as ToWorker);
    });
  }

  /** Resolves with the commit time of `tag` here; rejects after `ms` or when the worker fails. */
  committedAt(tag: string, ms: number): Promise<number> {
    const at = this.committed.get(tag);
    if (at !== undefined) return Promise.resolve(at);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(t);
        this.waiters.delete(tag);
        this.onFailure.delete(failed);
      };
      const failed = (err: Error): void => {
        done();
        reject(err);
      };
      const t = setTimeout(
        () => failed(new Error(`${tag} not committed at ${this.name} within ${ms} ms`)),
        ms,
      );
      this.onFailure.add(failed);
      this.waiters.set(tag, () => {
        done();
        resolve(this.committed.get(tag) ?? Number.NaN);
      });
    });
  }

  /** Stops the peer, closes its database, then ends the thread; bounded, never throws. */
  async close(): Promise<void> {
    if (!this.failure && !this.closing) {
      try {
        await this.call('close', {}, CLOSE_TIMEOUT_MS);
      } catch {
        // Terminated below either way; the bench's own error is the one to report.
      }
    }
    this.closing = true;
    await this.worker.terminate();
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromWorker, log: (message: string) => void): void {
    switch (message.kind) {
      case 'ready':
        return;
      case 'log':
        log(`${this.name}: ${message.message}`);
        return;
      case 'committed': {
        this.committed.set(message.tag, message.at);
        this.forwardTo?.post({ kind: 'remoteCommit', tag: message.tag });
        const wake = this.waiters.get(message.tag);
        wake?.();
        return;
      }
      case 'response':
        this.pending.get(message.id)?.settle(message);
        return;
    }
  }

  private fail(err: Error): void {
    if (this.failure || this.closing) return;
    this.failure = err;
    for (const p of [...this.pending.values()]) p.settle(err);
    for (const f of [...this.onFailure]) f(err);
  }
}

/** Polls an async condition until it holds; bounded in time (and so in count). */
export async function until(
  what: () => Promise<boolean>,
  ms: number,
  label: string,
  everyMs = 10,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
