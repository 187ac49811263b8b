import { fdatasync, writev } from 'node:fs';
import type { Uint8ArrayList } from 'uint8arraylist';

/** Bytes gathered into one write. */
const WRITE_RUN_BYTES = 1024 * 1024;
/** Bytes handed to writes that have not finished, before add() callers should wait (room()). */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

/**
 * Writes a download's verified sealed chunks at their offsets without
 * blocking the event loop that also serves the network and the bridge:
 * consecutive chunks are gathered into runs of about 1 MiB and each run is
 * one pwritev(2) on libuv's thread pool, one run after the other. Memory is
 * bounded by the caller waiting on room() while 16 MiB are queued.
 *
 * `durable()` resolves once everything added so far is written and
 * fdatasync(2)ed: only then may a download record those chunks as done, so a
 * resume never trusts bytes that were not on disk. The first write failure
 * (a full disk, an I/O error) is kept: later adds and durable() throw it, and
 * nothing after it is written.
 */
export class ChunkWriter {
  private run: Uint8Array[] = [];
  /** Called once the run being gathered was written. */
  private whenWritten: (() => void)[] = [];
  private runBytes = 0;
  private runAt = 0;
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private failure: Error | null = null;

  constructor(private readonly fd: number) {}

  /**
   * Queues `bytes` (one array, or the pieces it arrived in: written as they
   * are, never joined) to be written at file position `position`. `written`
   * is called once the write that holds them ended (done or failed), so the
   * caller may reuse the memory; it is not called if add() throws.
   */
  add(bytes: Uint8Array | Uint8ArrayList, position: number, written?: () => void): void {
    if (this.failure) throw this.failure;
    if (this.runBytes > 0 && position !== this.runAt + this.runBytes) this.flush();
    if (this.runBytes === 0) this.runAt = position;
    if (bytes instanceof Uint8Array) this.run.push(bytes);
    else for (const piece of bytes) this.run.push(piece);
    if (written) this.whenWritten.push(written);
    this.runBytes += bytes.byteLength;
    if (this.runBytes >= WRITE_RUN_BYTES) this.flush();
  }

  /** Waits while too much is queued (the disk is slower than the network). */
  async room(): Promise<void> {
    while (this.queued >= MAX_QUEUED_BYTES && this.failure === null) await this.tail;
    if (this.failure) throw this.failure;
  }

  /** Everything added so far, written and on disk. */
  async durable(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) => {
      fdatasync(this.fd, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Waits for every queued write to end (before the descriptor is closed). */
  async settle(): Promise<void> {
    this.flush();
    await this.tail;
  }

  private flush(): void {
    if (this.runBytes === 0) return;
    const buffers = this.run;
    const written = this.whenWritten;
    const at = this.runAt;
    const bytes = this.runBytes;
    this.run = [];
    this.whenWritten = [];
    this.runBytes = 0;
    this.queued += bytes;
    this.tail = this.tail.then(async () => {
      try {
        if (this.failure === null) await writeAllAt(this.fd, buffers, at);
      } catch (err) {
        this.failure = err instanceof Error ? err : new Error(String(err));
      } finally {
        this.queued -= bytes;
        for (const done of written) done();
      }
    });
  }
}

/** pwritev(2) until every byte is written (a short write continues where it stopped). */
async function writeAllAt(fd: number, buffers: Uint8Array[], position: number): Promise<void> {
  let rest = buffers.filter((b) => b.length > 0);
  let at = position;
  while (rest.length > 0) {
    const written = await new Promise<number>((resolve, reject) => {
      writev(fd, rest, at, (err, n) => (err ? reject(err) : resolve(n)));
    });
    if (written <= 0) throw new Error('the disk took no bytes');
    at += written;
    rest = dropBytes(rest, written);
  }
}

function dropBytes(buffers: Uint8Array[], count: number): Uint8Array[] {
  let left = count;
  const out: Uint8Array[] = [];
  for (const b of buffers) {
    if (left >= b.length) {
      left -= b.length;
      continue;
    }
    out.push(left > 0 ? b.subarray(left) : b);
    left = 0;
  }
  return out;
}
