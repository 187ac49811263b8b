import type { Uint8ArrayList } from 'uint8arraylist';
import { closeSync, ftruncateSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { MAX_CHUNKS_PER_REQUEST, type FileProtocol, type FileRefusal } from '../net/fileProtocol';
import { isNetError } from '../net/netError';
import { peerTag } from '../net/protocolService';
import type { AttachmentRepository, AttachmentRow } from '../store/repositories/attachmentRepository';
import type { FileSettingsRepository } from '../store/repositories/fileSettingsRepository';
import { errorFields, type Logger } from '../util/logger';
import { CheckSession, type CheckedRun } from './chunkChecker';
import { ChunkWriter } from './chunkWriter';
import { GCM_TAG_BYTES, plainChunkLength, sealedOffset } from './fileCrypto';
import type { FileEvents } from './fileEvents';
import { attachmentOf } from './attachmentLookup';
import { sealedFileName, type SealedFiles } from './sealedFiles';

/**
 * One download (docs/protocol.md §12, "Receiving, resuming, checking").
 *
 * Chunks are pulled over /parley/file/1.0.0 from the sender's device first,
 * then from any other connected member device that has the file. Every
 * chunk's length and AES-GCM tag are checked before anything is done with it;
 * its plaintext goes into a running SHA-256 and its sealed bytes to the disk.
 * When the last chunk is in, the hash must equal the message's or the bytes
 * are discarded.
 *
 * Fast, with the same guarantees:
 * - requests are pipelined: the next one is sent as soon as the first chunk
 *   of the current one is in, so its stream is open, its source looked up
 *   and its first chunks read off the sender's disk long before the current
 *   one ends (sent only a megabyte before the end, a stream setup under load
 *   took longer than that megabyte and the link idled at every request).
 *   Its chunks are taken only once the current request ended, in order (an
 *   index that does not follow ends that request), so the hash sees the
 *   plaintext in order and never needs a second pass over the file; until
 *   then they wait in its stream (one frame and the muxer's window, then the
 *   stream is paused: frameStream.ts);
 * - a request asks for as many chunks as arrive in about 4 s at the rate seen
 *   so far (at most 64), so slow links stay inside the request deadline;
 * - the per-chunk check (AES-GCM tag and the running SHA-256, about as much
 *   CPU as the transport's own encryption) leaves the event loop: chunks go
 *   in runs of about 1 MiB to the chunk-check worker (chunkChecker.ts), which
 *   answers in order; only chunks that passed are written or counted, and a
 *   chunk that failed sends the fetch back to it, from another source;
 * - writes leave the event loop (ChunkWriter: runs of 1 MiB on the thread
 *   pool), and progress is recorded every 16 MiB, each time only after the
 *   bytes before it were fdatasync'ed, without waiting for the database's own
 *   sync (store/durability.ts): a crash loses at most the chunks since the
 *   last record, which are fetched again.
 * - A resume re-reads the recorded prefix from disk on the worker, checking
 *   each tag and feeding the hash, while the rest is already being fetched
 *   (checkPrefix); a chunk that fails there is cut off and fetched again.
 */

/** What downloads need of the network (the ParleyNode satisfies it). */
export interface FileNet {
  services: { files: Pick<FileProtocol, 'fetch'> };
  isConnected(peer: string): boolean;
  onPeer(listener: (e: { peerId: string; connected: boolean }) => void): () => void;
}

export interface DownloadDeps {
  rows: AttachmentRepository;
  settings: FileSettingsRepository;
  files: SealedFiles;
  events: FileEvents;
  net: FileNet;
  selfPeerId: string;
  logger: Logger;
  /** Most chunks asked for in one request (at most 64). */
  batchChunks: number;
}

/** Requests in flight at once per source: the one being taken and the next. */
const PIPELINE_DEPTH = 2;
/** The first request, before any rate is known. */
const FIRST_REQUEST_BYTES = 4 * 1024 * 1024;
/** Later requests: what arrives in this long at the last request's rate (the deadline is 30 s). */
const REQUEST_TARGET_MS = 4_000;
/** Progress is recorded (after an fdatasync) at least every this many bytes. */
const RECORD_BYTES = 16 * 1024 * 1024;

/** A chunk whose tag does not verify: the source is faulty or hostile. */
class BadChunk extends Error {
  override name = 'BadChunk';
}

/** A pipelined request's first chunk does not follow the last one taken (the one before ended short). */
class Superseded extends Error {
  override name = 'Superseded';
}

type Outcome = 'ok' | 'short' | 'bad' | 'net' | 'aborted' | 'error' | FileRefusal;

/**
 * Fetches what is missing of a file that is not here (incoming, or sent from another own device). `owns()` turns false once
 * the download was cancelled: from then on it records nothing.
 */
export async function downloadFile(
  deps: DownloadDeps,
  attachmentId: number,
  signal: AbortSignal,
  owns: () => boolean,
): Promise<void> {
  const { rows, events } = deps;
  let row = attachmentOf(rows, attachmentId);
  // Pending or interrupted only; that includes a file this person sent from another device, which
  // a history import leaves pending here (issue 18, §13.7): sent files of this device never are.
  if (row.state !== 'pending' && row.state !== 'transferring') return;
  if (row.size > deps.settings.get().maxReceiveBytes) return;
  if (row.state === 'pending' || row.error !== null) {
    rows.setState(row.id, 'transferring', { error: null });
    row = attachmentOf(rows, attachmentId);
    events.changed(row.id);
  }
  try {
    await new Download(deps, row, signal, owns).run();
  } catch (err) {
    // The disk refused the bytes (full, read-only, failing): say so on the
    // file; it stays interrupted at its last durable chunk and goes on later.
    const message = storageProblem(err);
    if (message !== null && owns()) {
      rows.setState(row.id, 'transferring', { error: message });
      events.changed(row.id);
    }
    throw err;
  }
}

/** The words for a file system error on a download's file, or null for anything else. */
function storageProblem(err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return null;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return 'There is not enough free disk space for this file. It will go on downloading once there is.';
  return 'This file could not be written to disk. It will go on downloading when it can.';
}

class Download {
  private readonly fileId: Buffer;
  private readonly total: number;
  /** The first chunk not taken off the network yet: [taken, next) are with the check (chunkChecker.ts). */
  private next = 0;
  /** [0, taken) passed the check (tag, then into the file's hash, in order) and went to the writer. */
  private taken = 0;
  /** The chunk the check refused from the current source; fetching goes on from it elsewhere. */
  private badAt: number | null = null;
  private check: CheckSession | null = null;
  /** Chunks recorded in the row as transferred. */
  private recorded = 0;
  /** Chunks known to be on disk. */
  private durableUpTo = 0;
  private recording: Promise<void> | null = null;
  /** Bytes per millisecond of the last whole request, once known. */
  private rate: number | null = null;
  private error: unknown = null;
  private fd = -1;
  private writer: ChunkWriter | null = null;
  /** Stops the current fetching (and only it) when the recorded prefix fails its re-check. */
  private pullStop = new AbortController();
  private prefixFailed = false;

  constructor(
    private readonly deps: DownloadDeps,
    private readonly row: AttachmentRow,
    private readonly signal: AbortSignal,
    private readonly owns: () => boolean,
  ) {
    this.fileId = Buffer.from(row.uid, 'hex');
    this.total = row.chunk_count;
  }

  async run(): Promise<void> {
    const { row, deps } = this;
    // Resume after the last chunk whose bytes and progress were both recorded; anything after it is cut off.
    const committed = Math.min(this.total, Math.floor(row.transferred / row.chunk_size));
    this.recorded = this.next = this.taken = this.durableUpTo = committed;
    this.fd = deps.files.openForResume(row.uid, sealedOffset(row.chunk_size, committed));
    const writer = new ChunkWriter(this.fd);
    this.writer = writer;
    let result: Awaited<ReturnType<Download['pullFromSources']>>;
    let sha256: Buffer | null = null;
    try {
      const check = new CheckSession(
        {
          uid: row.uid,
          size: row.size,
          chunkSize: row.chunk_size,
          chunkCount: this.total,
          key: row.file_key,
        },
        committed,
        (first, passed, bad) => this.checked(first, passed, bad),
      );
      this.check = check;
      const prefix = this.checkPrefix(check, committed);
      result = await this.pullFromSources(check);
      const firstBad = await prefix;
      if (typeof firstBad === 'number' && !this.signal.aborted) {
        // A recorded chunk no longer checks out on disk: cut the file there and fetch all from it again.
        await writer.settle();
        ftruncateSync(this.fd, sealedOffset(row.chunk_size, firstBad));
        if (this.owns()) deps.rows.setTransferred(row.id, firstBad * row.chunk_size);
        this.recorded = this.next = this.taken = this.durableUpTo = firstBad;
        this.prefixFailed = false;
        this.pullStop = new AbortController();
        result = await this.pullFromSources(check);
      }
      if (this.taken >= this.total && !this.signal.aborted) sha256 = await check.digest();
    } finally {
      this.check?.end();
      try {
        await this.settle(writer);
      } finally {
        closeSync(this.fd);
      }
    }
    if (this.signal.aborted) return;
    if (result.withdrawn) {
      this.fail('The sender withdrew this file.');
      return;
    }
    if (this.durableUpTo < this.total) {
      if (result.bad > 0 && result.bad === result.candidates)
        this.fail('Parts of this file failed their integrity check; it was discarded.');
      // Otherwise: interrupted. It resumes when a source connects.
      return;
    }
    if (sha256 === null || !sha256.equals(row.sha256)) {
      this.fail('This file did not match its checksum; it was discarded.');
      return;
    }
    deps.rows.setState(row.id, 'complete', {
      transferred: row.size,
      path: sealedFileName(row.uid),
      error: null,
    });
    deps.events.progress(row, row.size, 'receive', true);
    deps.events.changed(row.id);
    deps.logger.log('info', 'files.received', { conversation: row.conversation_id, bytes: row.size });
  }

  /**
   * Re-reads the `committed` chunks an interrupted download recorded, into
   * the hash, while the rest is already being fetched: the check does the
   * prefix before any fetched chunk (ChunkCheck.prefix), and what is fetched
   * meanwhile waits for it (at most what CheckSession.room() allows). When a
   * recorded chunk fails, the fetch is stopped, the check skips everything
   * fetched meanwhile, and this resolves with that chunk's index; 'stopped'
   * when the check itself stopped (its failure surfaces in the fetch).
   */
  private checkPrefix(check: CheckSession, committed: number): Promise<number | null | 'stopped'> {
    if (committed === 0) return Promise.resolve(null);
    return check.prefix(this.fd).then(
      (firstBad) => {
        if (firstBad !== null) {
          this.prefixFailed = true;
          this.pullStop.abort(new Error('a recorded chunk failed its check'));
        }
        return firstBad;
      },
      () => 'stopped' as const,
    );
  }

  private async pullFromSources(
    check: CheckSession,
  ): Promise<{ withdrawn: boolean; bad: number; candidates: number }> {
    const { row, deps } = this;
    const candidates = [
      ...(row.source_peer ? [row.source_peer] : []),
      ...deps.rows.memberDevices(row.conversation_id, deps.selfPeerId),
    ].filter((p, i, all) => all.indexOf(p) === i && p !== deps.selfPeerId);
    const bad = new Set<string>();
    let withdrawn = false;
    for (const peer of candidates) {
      // Others than the sender only when connected: a dial to each would stall the download.
      if (peer !== row.source_peer && !deps.net.isConnected(peer)) continue;
      while (this.next < this.total && !this.pullStopped) {
        let outcome = await this.pullFrom(peer);
        // Every chunk of this source answered by the check before judging it: one may have failed its tag.
        await check.idle().catch(() => undefined);
        if (check.failure) throw check.failure;
        if (this.badAt !== null) {
          outcome = 'bad';
          this.badAt = null;
        }
        if (outcome === 'error') throw this.error;
        if (outcome === 'bad') {
          bad.add(peer);
          deps.logger.log('warn', 'files.bad_chunk', { peer: peerTag(peer) });
        }
        if (outcome === 'cancelled') withdrawn = peer === row.source_peer;
        // A short answer is asked again from where it stopped; anything else tries the next source.
        if (outcome !== 'ok' && outcome !== 'short') break;
      }
      if (this.next >= this.total || this.pullStopped || withdrawn) break;
    }
    return { withdrawn, bad: bad.size, candidates: candidates.length };
  }

  /** The download stopped, or the current fetching must. */
  private get pullStopped(): boolean {
    return this.signal.aborted || this.pullStop.signal.aborted;
  }

  /** Requests from one source, up to PIPELINE_DEPTH in flight, until the file is in or a request fails. */
  private async pullFrom(peer: string): Promise<Outcome> {
    const stop = new AbortController();
    const signal = AbortSignal.any([this.signal, this.pullStop.signal, stop.signal]);
    const queue: { first: number; count: number; done: Promise<Outcome> }[] = [];
    let issued = this.next;
    const issue = (): void => {
      if (issued >= this.total || queue.length >= PIPELINE_DEPTH || signal.aborted) return;
      const first = issued;
      const count = Math.min(this.batch(), this.total - first);
      issued += count;
      const gate = queue.at(-1)?.done;
      queue.push({ first, count, done: this.fetchRange(peer, first, count, gate, signal, issue) });
    };
    issue();
    try {
      for (;;) {
        const head = queue[0];
        if (head === undefined) return 'ok';
        const outcome = await head.done;
        queue.shift();
        if (outcome !== 'ok') return outcome;
        if (this.next < head.first + head.count) return 'short';
        if (queue.length === 0) issue();
      }
    } finally {
      stop.abort(new Error('pull over'));
      await Promise.allSettled(queue.map((q) => q.done));
    }
  }

  /**
   * One request. Its chunks are taken only after `gate` (the request before
   * it) settled, and only if they follow the last chunk taken. Never throws.
   */
  private async fetchRange(
    peer: string,
    first: number,
    count: number,
    gate: Promise<Outcome> | undefined,
    signal: AbortSignal,
    started: () => void,
  ): Promise<Outcome> {
    let waited = gate === undefined;
    let startedAt = performance.now();
    try {
      const status = await this.deps.net.services.files.fetch(
        peer,
        this.fileId,
        first,
        count,
        async (index, sealed) => {
          if (!waited) {
            waited = true;
            await gate;
            startedAt = performance.now();
          }
          if (this.badAt !== null) throw new BadChunk(`chunk ${this.badAt} failed its check`);
          if (index !== this.next) throw new Superseded();
          this.take(index, sealed);
          if (index === first) started();
          await this.writer?.room();
          await this.check?.room();
        },
        { signal },
      );
      if (status === 'ok' && this.next === first + count)
        this.rate = (count * this.row.chunk_size) / Math.max(1, performance.now() - startedAt);
      return status;
    } catch (err) {
      if (err instanceof BadChunk || this.badAt !== null) return 'bad';
      if (err instanceof Superseded) return 'short';
      if (signal.aborted) return 'aborted';
      if (isNetError(err)) return 'net';
      this.error = err;
      return 'error';
    }
  }

  /** Chunks for the next request. */
  private batch(): number {
    const max = Math.max(1, Math.min(MAX_CHUNKS_PER_REQUEST, this.deps.batchChunks));
    const bytes = this.rate === null ? FIRST_REQUEST_BYTES : this.rate * REQUEST_TARGET_MS;
    return Math.max(1, Math.min(max, Math.floor(bytes / this.row.chunk_size)));
  }

  /**
   * Takes chunk `index` off the network: a wrong length fails at once; the
   * tag and the hash are the check's (checked(), in order, soon after).
   */
  private take(index: number, sealed: Uint8ArrayList): void {
    const { row } = this;
    const expected = plainChunkLength(row.size, row.chunk_size, index) + GCM_TAG_BYTES;
    if (sealed.byteLength !== expected) throw new BadChunk(`chunk ${index} failed its check`);
    if (this.prefixFailed) throw new Superseded();
    this.check?.submit(index, sealed);
    this.next = index + 1;
  }

  /**
   * The check's answer for chunks [first, first + passed.lengths.length):
   * they passed, so their sealed bytes (end to end, as they lie in the file:
   * sealedOffset) go to the disk in one write, and the run's buffer goes back
   * to the check once written. If `bad`, the one after them did not: fetching
   * goes back to it (from another source; pullFromSources).
   */
  private checked(first: number, passed: CheckedRun, bad: boolean): void {
    const { row } = this;
    const count = passed.lengths.length;
    if (count > 0 && first === this.taken && this.writer !== null) {
      try {
        this.writer.add(passed.bytes, sealedOffset(row.chunk_size, first), passed.release);
      } catch {
        // The disk failed earlier: the fetch stops at writer.room(), which throws that failure.
        return;
      }
      this.taken = first + count;
      this.deps.events.progress(row, Math.min(row.size, this.taken * row.chunk_size), 'receive', false);
      this.maybeRecord();
    } else passed.release();
    if (bad) {
      this.badAt = first + count;
      this.next = first + count;
      this.check?.discard();
    }
  }

  /** Every RECORD_BYTES: make what was taken durable, then record it (in the background). */
  private maybeRecord(): void {
    const writer = this.writer;
    if (writer === null || this.recording !== null) return;
    if ((this.taken - this.recorded) * this.row.chunk_size < RECORD_BYTES) return;
    const upTo = this.taken;
    this.recording = writer
      .durable()
      .then(
        () => this.record(upTo),
        // The write failure surfaces at the next chunk (ChunkWriter.add throws it).
        () => undefined,
      )
      .finally(() => {
        this.recording = null;
      });
  }

  private record(upTo: number): void {
    this.durableUpTo = Math.max(this.durableUpTo, upTo);
    if (!this.owns() || upTo <= this.recorded) return;
    this.deps.rows.setTransferred(this.row.id, Math.min(this.row.size, upTo * this.row.chunk_size));
    this.recorded = upTo;
  }

  /**
   * At the end, however it ended: every write finished, what was taken made
   * durable and recorded. A write that failed is thrown (after every other
   * write ended): nothing after the last durable record is trusted.
   */
  private async settle(writer: ChunkWriter): Promise<void> {
    await this.recording;
    const upTo = this.taken;
    try {
      await writer.durable();
    } catch (err) {
      await writer.settle();
      this.deps.logger.log('warn', 'files.write_failed', errorFields(err));
      throw err;
    }
    this.record(upTo);
  }

  private fail(error: string): void {
    const { deps, row } = this;
    deps.files.remove(row.uid);
    deps.rows.setState(row.id, 'failed', { transferred: 0, error, path: null });
    deps.events.changed(row.id);
  }
}
