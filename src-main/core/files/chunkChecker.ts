import { Worker } from 'node:worker_threads';
import type { Uint8ArrayList } from 'uint8arraylist';
import { workerEntry } from '../workers/runWorker';
import type { CheckLayout, CheckReply, CheckRequest } from './chunkCheck';
import { GCM_TAG_BYTES, plainChunkLength } from './fileCrypto';

/** Sealed bytes gathered into one message to the worker. */
const RUN_BYTES = 1024 * 1024;
/** Bytes handed to the worker and not answered yet, before submitters should wait (room()). */
const MAX_IN_FLIGHT_BYTES = 16 * 1024 * 1024;

/** The chunk-check worker stopped (it crashed, was terminated, or could not start). */
export class CheckerStopped extends Error {
  override name = 'CheckerStopped';
}

/** A sealed chunk as it came off the network. */
export type SealedChunk = Uint8Array | Uint8ArrayList;

/**
 * The chunks of a run that passed, as the check saw them: laid end to end in
 * the run's own buffer (back from the worker). `release()` once they are
 * written hands the buffer back for a later run; a run never released is
 * simply dropped (and a new buffer allocated).
 */
export interface CheckedRun {
  bytes: Uint8Array;
  /** Each passed chunk's sealed length, in order. */
  lengths: number[];
  release(): void;
}

/** Chunks [first, first + passed.lengths.length) passed; if `bad`, the one after them did not. */
export type OnChecked = (first: number, passed: CheckedRun, bad: boolean) => void;

interface Thread {
  worker: Worker;
  sessions: Map<number, CheckSession>;
}

let thread: Thread | null = null;
let lastSession = 0;

function startThread(): Thread {
  const entry = workerEntry('chunkCheck');
  const worker = new Worker(entry.script, { eval: entry.eval });
  const started: Thread = { worker, sessions: new Map() };
  const stopped = (why: string): void => {
    if (thread === started) thread = null;
    const error = new CheckerStopped(`the file check stopped (${why}); the download goes on later`);
    for (const session of started.sessions.values()) session.fail(error);
    started.sessions.clear();
  };
  worker.on('message', (reply: CheckReply) => started.sessions.get(reply.session)?.answer(reply));
  worker.on('error', (err) => stopped(err.message));
  worker.on('exit', (code) => stopped(`exit ${code}`));
  return started;
}

/** Ends the shared worker (tests: a worker that dies mid-download). */
export async function terminateChunkChecker(): Promise<void> {
  await thread?.worker.terminate();
}

/**
 * One download's handle on the chunk-check worker (chunkCheck.ts holds the
 * work): every process has one such thread, started on first use and not
 * keeping the process alive while no download runs.
 *
 * submit() copies a chunk's pieces (views into network buffers that other
 * streams' bytes share, so they cannot be transferred) into a run of about
 * 1 MiB, whose buffer is transferred to the worker and back; `onChecked`
 * gets the chunks that passed as that buffer, in order, ready to be written
 * in one piece, and the buffer is reused for a later run once released
 * (written). So the network's buffers are free as soon as they are copied,
 * nothing is allocated per run once the pool is warm, and what is written is
 * exactly what was checked. room()
 * bounds what waits for the worker, idle() waits until every chunk submitted
 * has its answer. When the worker dies, every session fails with
 * CheckerStopped: its waiters reject, and submit() throws.
 */
export class CheckSession {
  private readonly id = ++lastSession;
  private readonly thread: Thread;
  private run: {
    first: number;
    buffer: Uint8Array;
    lengths: number[];
    bytes: number;
  } | null = null;
  /** The chunk lengths of each run with the worker, oldest first (its answers come in this order). */
  private sent: { lengths: number[]; bytes: number }[] = [];
  /** Run buffers back from the worker and released (written), for the next runs. */
  private free: ArrayBuffer[] = [];
  private readonly capacity: number;
  private inFlight = 0;
  private waiters: { ready: () => boolean; resolve: () => void; reject: (err: Error) => void }[] = [];
  private answers: { op: 'prefix' | 'digest'; resolve: (reply: CheckReply) => void }[] = [];
  private ended = false;
  failure: Error | null = null;

  constructor(
    private readonly file: CheckLayout,
    from: number,
    private readonly onChecked: OnChecked,
  ) {
    try {
      thread ??= startThread();
    } catch (err) {
      throw new CheckerStopped('the file check could not start', { cause: err });
    }
    this.thread = thread;
    const whole = sealedLength(file, 0);
    this.capacity = Math.min(Math.max(1, Math.floor(RUN_BYTES / whole)), file.chunkCount) * whole;
    this.thread.sessions.set(this.id, this);
    this.thread.worker.ref();
    this.post({ op: 'begin', session: this.id, file, from });
  }

  /** Queues chunk `index` (which must follow the last one submitted since the last flush). */
  submit(index: number, sealed: Uint8Array | Uint8ArrayList): void {
    if (this.failure) throw this.failure;
    const length = sealed.byteLength;
    if (this.run !== null && this.run.bytes + length > this.run.buffer.length) this.flush();
    if (this.run === null) {
      // Unpooled (its own ArrayBuffer, so it can be transferred) and not zero-filled: every byte sent is set.
      const reused = this.free.pop();
      const buffer = reused
        ? new Uint8Array(reused)
        : Buffer.allocUnsafeSlow(Math.max(length, this.capacity));
      this.run = { first: index, buffer, lengths: [], bytes: 0 };
    }
    const run = this.run;
    if (sealed instanceof Uint8Array) run.buffer.set(sealed, run.bytes);
    else {
      let at = run.bytes;
      for (const piece of sealed) {
        run.buffer.set(piece, at);
        at += piece.length;
      }
    }
    run.lengths.push(length);
    run.bytes += length;
    if (run.bytes + sealedLength(this.file, 0) > run.buffer.length || index === this.file.chunkCount - 1)
      this.flush();
  }

  /** Hands the run being gathered to the worker. */
  flush(): void {
    const run = this.run;
    if (run === null || this.failure) return;
    this.run = null;
    // The whole allocation travels (transferred, not copied); the lengths say what of it is used.
    const buffer = run.buffer.buffer as ArrayBuffer;
    this.inFlight += run.bytes;
    this.sent.push({ lengths: run.lengths, bytes: run.bytes });
    this.thread.worker.postMessage(
      { op: 'run', session: this.id, first: run.first, buffer, lengths: run.lengths } satisfies CheckRequest,
      [buffer],
    );
  }

  /** Drops what was gathered and not sent (its chunks will be fetched again). */
  discard(): void {
    this.run = null;
  }

  /** Waits while too much waits for the worker. */
  room(): Promise<void> {
    if (this.inFlight + (this.run?.bytes ?? 0) < MAX_IN_FLIGHT_BYTES) return this.failed();
    this.flush();
    return this.until(() => this.inFlight < MAX_IN_FLIGHT_BYTES);
  }

  /** Waits until every chunk submitted was answered (and given to onChecked). */
  idle(): Promise<void> {
    this.flush();
    return this.until(() => this.inFlight === 0);
  }

  /** Re-checks the recorded prefix [0, from) from `fd` before any run (ChunkCheck.prefix). */
  prefix(fd: number): Promise<number | null> {
    return this.ask({ op: 'prefix', session: this.id, fd }).then((r) =>
      r.op === 'prefix' ? r.firstBad : null,
    );
  }

  /** The SHA-256 of the whole plaintext, once every chunk passed. */
  async digest(): Promise<Buffer> {
    await this.idle();
    const reply = await this.ask({ op: 'digest', session: this.id });
    return Buffer.from(reply.op === 'digest' ? reply.sha256 : new Uint8Array());
  }

  /** Lets the worker forget this download. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.run = null;
    if (this.failure === null) this.post({ op: 'end', session: this.id });
    this.thread.sessions.delete(this.id);
    if (this.thread.sessions.size === 0) this.thread.worker.unref();
    this.fail(new CheckerStopped('the download ended'), false);
  }

  /** A reply from the worker for this session. */
  answer(reply: CheckReply): void {
    if (reply.op === 'failed') {
      this.fail(new CheckerStopped(`the file check failed: ${reply.message}`));
      return;
    }
    if (reply.op === 'run') {
      const run = this.sent.shift() ?? { lengths: [], bytes: 0 };
      this.inFlight -= run.bytes;
      const { buffer, verdict } = reply;
      let released = false;
      const release = (): void => {
        if (released || this.failure !== null) return;
        released = true;
        if (buffer.byteLength >= this.capacity) this.free.push(buffer);
      };
      if (verdict === 'skipped') release();
      else {
        const lengths = run.lengths.slice(0, verdict.ok);
        const bytes = lengths.reduce((sum, n) => sum + n, 0);
        this.onChecked(
          reply.first,
          { bytes: new Uint8Array(buffer, 0, bytes), lengths, release },
          verdict.bad,
        );
      }
      this.wake();
      return;
    }
    const next = this.answers.shift();
    next?.resolve(reply);
  }

  /** The worker is gone (or this session ended): every waiter learns it. */
  fail(error: Error, keep = true): void {
    if (this.failure === null && keep) this.failure = error;
    for (const w of this.waiters.splice(0)) w.reject(error);
    for (const a of this.answers.splice(0))
      a.resolve({ op: 'failed', session: this.id, message: error.message });
    this.inFlight = 0;
    this.sent = [];
    this.free = [];
  }

  private ask(request: CheckRequest): Promise<CheckReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<CheckReply>((resolve) => {
      this.answers.push({ op: request.op === 'prefix' ? 'prefix' : 'digest', resolve });
      this.post(request);
    }).then((reply) => {
      if (reply.op === 'failed') throw this.failure ?? new CheckerStopped(reply.message);
      return reply;
    });
  }

  private post(request: CheckRequest): void {
    this.thread.worker.postMessage(request);
  }

  private failed(): Promise<void> {
    return this.failure ? Promise.reject(this.failure) : Promise.resolve();
  }

  private until(ready: () => boolean): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ ready, resolve, reject }));
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (w.ready()) w.resolve();
      else this.waiters.push(w);
    }
  }
}

/** Bytes of sealed chunk `index` (chunk 0's is the largest a chunk has). */
function sealedLength(file: CheckLayout, index: number): number {
  return plainChunkLength(file.size, file.chunkSize, index) + GCM_TAG_BYTES;
}
