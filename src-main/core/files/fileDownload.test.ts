import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Uint8ArrayList } from 'uint8arraylist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NetError } from '../net/netError';
import { AttachmentRepository } from '../store/repositories/attachmentRepository';
import { ConversationRepository } from '../store/repositories/conversationRepository';
import { FileSettingsRepository } from '../store/repositories/fileSettingsRepository';
import { MessageRepository } from '../store/repositories/messageRepository';
import { ADA, BOB, insertIdentity, tempDatabase, type TempDatabase } from '../store/testing/tempDatabase';
import { silentLogger, type Logger } from '../util/logger';
import { CheckerStopped, terminateChunkChecker } from './chunkChecker';
import { ChunkSealer, newFileKey, sealedOffset } from './fileCrypto';
import { downloadFile, type DownloadDeps, type FileNet } from './fileDownload';
import { FileEvents, type FileEvent } from './fileEvents';
import { SealedFiles } from './sealedFiles';

/**
 * One download against a scripted source (no network): pipelined requests,
 * short answers, tampered chunks, interruptions and resumes, cancel. The
 * end-to-end paths over real nodes are in files.test.ts.
 */

const CHUNK = 16 * 1024;
const SOURCE = 'peer-source';
const OTHER = 'peer-other';

let t: TempDatabase;
let dir: string;
let rows: AttachmentRepository;
let seen: FileEvent[];
let logged: string[];
let conversation: number;

beforeEach(() => {
  t = tempDatabase();
  insertIdentity(t.db);
  dir = mkdtempSync(join(tmpdir(), 'parley-download-'));
  rows = new AttachmentRepository(t.db);
  seen = [];
  logged = [];
  conversation = new ConversationRepository(t.db).create({ kind: 'group', name: 'Team', createdAt: 0 });
});
afterEach(() => {
  t.dispose();
  rmSync(dir, { recursive: true, force: true });
});

interface TestFile {
  id: number;
  uid: string;
  plain: Buffer;
  chunks: Buffer[];
  sealed: Buffer;
}

/**
 * An incoming file of `size` bytes from SOURCE, sealed in 16 KiB chunks. `outgoing`: one this
 * person sent from another of their devices, as a history import leaves it (issue 18, §13.7).
 */
function incomingFile(size: number, outgoing = false): TestFile {
  const uid = randomBytes(16).toString('hex');
  const plain = randomBytes(size);
  const key = newFileKey();
  const chunks: Buffer[] = [];
  const sealer = new ChunkSealer(key, Buffer.from(uid, 'hex'), size, CHUNK, (c) => chunks.push(c));
  sealer.push(plain);
  const sha = sealer.finish();
  const { id: messageId } = new MessageRepository(t.db).insert({
    conversationId: conversation,
    uid,
    senderKey: ADA,
    outgoing,
    kind: 'file',
    body: 'data.bin',
    sentAt: 0,
    receivedAt: 0,
    state: outgoing ? 'sent' : 'received',
    hasFile: true,
  });
  const id = rows.insert({
    messageId,
    name: 'data.bin',
    mime: 'application/octet-stream',
    size,
    sha256: sha,
    key,
    path: null,
    state: 'pending',
    transferred: 0,
    thumbnail: null,
    chunkSize: CHUNK,
    chunkCount: chunks.length,
    sourcePeer: SOURCE,
    error: null,
    createdAt: 0,
  });
  return { id, uid, plain, chunks, sealed: Buffer.concat(chunks) };
}

/** OTHER is a device of a member of the conversation: a second source. */
function addOtherSource(): void {
  t.db.prepare('INSERT INTO devices (peer_id, identity_key, created_at) VALUES (?, ?, 0)').run(OTHER, BOB);
  t.db
    .prepare('INSERT INTO members (conversation_id, identity_key, joined_at) VALUES (?, ?, 0)')
    .run(conversation, BOB);
}

/** What a scripted source does for chunk `index`: send these bytes, reset, or end the answer early. */
type Script = (peer: string, index: number, chunk: Buffer, first: number) => Uint8Array | 'reset' | 'end';

function scriptedNet(file: TestFile, script: Script = (_p, _i, c) => c) {
  const requests: { peer: string; first: number; count: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const net: FileNet = {
    isConnected: () => true,
    onPeer: () => () => undefined,
    services: {
      files: {
        fetch: async (peer, _fileId, first, count, onChunk, options) => {
          requests.push({ peer, first, count });
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            if (first >= file.chunks.length) return 'out-of-range';
            const end = Math.min(file.chunks.length, first + count);
            for (let i = first; i < end; i++) {
              await new Promise((r) => setImmediate(r));
              if (options?.signal?.aborted) throw new NetError('timeout', 'request aborted');
              const what = script(peer, i, file.chunks[i] as Buffer, first);
              if (what === 'reset') throw new NetError('reset', 'stream reset');
              if (what === 'end') {
                if (i === first) throw new NetError('protocol', 'no chunk and no refusal');
                break;
              }
              // In pieces, as chunks come off the network.
              await onChunk(i, new Uint8ArrayList(what.subarray(0, 7), what.subarray(7)));
            }
            return 'ok';
          } finally {
            inFlight--;
          }
        },
      },
    },
  };
  return { net, requests, maxInFlight: () => maxInFlight };
}

function deps(net: FileNet): DownloadDeps {
  const events = new FileEvents(rows, silentLogger);
  events.onEvent((e) => seen.push(e));
  const logger: Logger = { log: (_level, event) => void logged.push(event) };
  return {
    rows,
    settings: new FileSettingsRepository(t.db),
    files: new SealedFiles(dir, silentLogger),
    events,
    net,
    selfPeerId: 'peer-self',
    logger,
    batchChunks: 64,
  };
}

const run = (d: DownloadDeps, file: TestFile, signal = new AbortController().signal, owns = () => true) =>
  downloadFile(d, file.id, signal, owns);

const stored = (file: TestFile): Buffer => readFileSync(join(dir, `${file.uid}.pfe`));

function received(): number[] {
  return seen.flatMap((e) =>
    e.event === 'files.progress' && e.payload.direction === 'receive' ? [e.payload.bytesDone] : [],
  );
}

describe('downloadFile', () => {
  it('pulls a file in pipelined requests, checks every chunk and the hash, and stores it sealed', async () => {
    const file = incomingFile(3 * 1024 * 1024 + 5);
    const { net, requests, maxInFlight } = scriptedNet(file);
    await run(deps(net), file);
    expect(rows.get(file.id)).toMatchObject({ state: 'complete', transferred: file.plain.length });
    expect(stored(file).equals(file.sealed)).toBe(true);
    // The requests cover the file once, in order, and the next one went out before the current one ended.
    let next = 0;
    for (const r of requests) {
      expect(r).toMatchObject({ peer: SOURCE, first: next });
      next += r.count;
    }
    expect(next).toBe(file.chunks.length);
    expect(maxInFlight()).toBe(2);
    const progress = received();
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(file.plain.length);
    expect(seen.some((e) => e.event === 'files.changed' && e.payload.state === 'complete')).toBe(true);
  });

  it('fetches a file this person sent from another device (history on a new device): it is not here yet', async () => {
    const file = incomingFile(5 * CHUNK + 3, true);
    // The sweep that resumes downloads lists it (auto-download size allowing), as it lists incoming ones.
    expect(rows.resumable(1024 * 1024).map((r) => r.id)).toContain(file.id);
    const { net } = scriptedNet(file);
    await run(deps(net), file);
    expect(rows.get(file.id)).toMatchObject({ state: 'complete', transferred: file.plain.length });
    expect(stored(file).equals(file.sealed)).toBe(true);
    // Once here it is an ordinary sent file again: nothing more to fetch.
    expect(rows.resumable(1024 * 1024).map((r) => r.id)).not.toContain(file.id);
  });

  it('asks again from where a short answer stopped', async () => {
    const file = incomingFile(40 * CHUNK);
    // Every answer ends after five chunks.
    const { net, requests } = scriptedNet(file, (_p, index, chunk, first) =>
      index - first >= 5 ? 'end' : chunk,
    );
    await run(deps(net), file);
    expect(rows.get(file.id)?.state).toBe('complete');
    expect(stored(file).equals(file.sealed)).toBe(true);
    expect(requests.length).toBeGreaterThanOrEqual(8);
  });

  it('drops a source whose chunk fails its tag and completes from another member device', async () => {
    addOtherSource();
    const file = incomingFile(200 * CHUNK);
    const { net, requests } = scriptedNet(file, (peer, index, chunk) => {
      if (peer !== SOURCE || index !== 150) return chunk;
      const bad = Buffer.from(chunk);
      bad[100] = (bad[100] ?? 0) ^ 1;
      return bad;
    });
    await run(deps(net), file);
    expect(rows.get(file.id)?.state).toBe('complete');
    expect(stored(file).equals(file.sealed)).toBe(true);
    expect(logged).toContain('files.bad_chunk');
    // The other device was asked from the tampered chunk on.
    expect(requests.find((r) => r.peer === OTHER)?.first).toBe(150);
  });

  it('fails the file, bytes gone, when its only source sends a tampered or cut chunk', async () => {
    for (const tamper of [
      (c: Buffer) => c.subarray(0, c.length - 1),
      (c: Buffer) => Buffer.concat([c.subarray(0, 20), Buffer.from([(c[20] ?? 0) ^ 0xff]), c.subarray(21)]),
    ]) {
      const file = incomingFile(100 * CHUNK);
      const { net } = scriptedNet(file, (_p, index, chunk) => (index === 70 ? tamper(chunk) : chunk));
      await run(deps(net), file);
      expect(rows.get(file.id)).toMatchObject({ state: 'failed', transferred: 0 });
      expect(rows.get(file.id)?.error).toMatch(/integrity/);
      expect(existsSync(join(dir, `${file.uid}.pfe`))).toBe(false);
    }
  });

  it('records only what is on disk when interrupted, and resumes from there', async () => {
    const file = incomingFile(200 * CHUNK);
    const first = scriptedNet(file, (_p, index, chunk) => (index >= 150 ? 'reset' : chunk));
    await run(deps(first.net), file);
    expect(rows.get(file.id)).toMatchObject({ state: 'transferring', transferred: 150 * CHUNK });
    expect(stored(file).equals(file.sealed.subarray(0, sealedOffset(CHUNK, 150)))).toBe(true);

    const second = scriptedNet(file);
    seen.length = 0;
    await run(deps(second.net), file);
    expect(second.requests[0]?.first).toBe(150);
    expect(received()[0]).toBeGreaterThan(150 * CHUNK);
    expect(rows.get(file.id)?.state).toBe('complete');
    expect(stored(file).equals(file.sealed)).toBe(true);
  });

  it('re-checks the recorded prefix on resume: a chunk damaged on disk is cut off and fetched again', async () => {
    const file = incomingFile(120 * CHUNK);
    await run(deps(scriptedNet(file, (_p, i, c) => (i >= 100 ? 'reset' : c)).net), file);
    expect(rows.get(file.id)?.transferred).toBe(100 * CHUNK);
    const path = join(dir, `${file.uid}.pfe`);
    const onDisk = readFileSync(path);
    const at = sealedOffset(CHUNK, 30) + 5;
    onDisk[at] = (onDisk[at] ?? 0) ^ 1;
    writeFileSync(path, onDisk);

    const again = scriptedNet(file);
    await run(deps(again.net), file);
    // Fetching went on from the recorded end while the prefix was re-read; then from the damaged chunk.
    expect(again.requests[0]?.first).toBe(100);
    expect(again.requests.some((r) => r.first === 30)).toBe(true);
    expect(rows.get(file.id)?.state).toBe('complete');
    expect(stored(file).equals(file.sealed)).toBe(true);
    expect(
      createHash('sha256')
        .update(file.plain)
        .digest()
        .equals(rows.get(file.id)?.sha256 ?? Buffer.alloc(0)),
    ).toBe(true);
  });

  it('records progress while a long download runs, never past what was made durable', async () => {
    const file = incomingFile(1100 * CHUNK);
    const marks: number[] = [];
    const recordingRows = Object.create(rows) as AttachmentRepository;
    recordingRows.setTransferred = (id, transferred) => {
      marks.push(transferred);
      rows.setTransferred(id, transferred);
    };
    const d = { ...deps(scriptedNet(file).net), rows: recordingRows };
    await run(d, file);
    expect(rows.get(file.id)?.state).toBe('complete');
    // At least one mark (every 16 MiB) before the end, each a whole number of chunks.
    expect(marks.some((m) => m >= 16 * 1024 * 1024 && m < file.plain.length)).toBe(true);
    expect(marks.every((m) => m % CHUNK === 0)).toBe(true);
    expect(marks).toEqual([...marks].sort((a, b) => a - b));
  });

  it('says so on the file when the disk is full, keeps nothing it could not write, and goes on later', async () => {
    const file = incomingFile(100 * CHUNK);
    const full = deps(scriptedNet(file).net);
    // Every write to /dev/full fails with ENOSPC.
    full.files.openForResume = () => openSync('/dev/full', 'w');
    await expect(run(full, file)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(rows.get(file.id)).toMatchObject({ state: 'transferring', transferred: 0 });
    expect(rows.get(file.id)?.error).toMatch(/not enough free disk space/);

    await run(deps(scriptedNet(file).net), file);
    expect(rows.get(file.id)).toMatchObject({ state: 'complete', error: null });
    expect(stored(file).equals(file.sealed)).toBe(true);
  });

  it('a chunk-check worker that dies stops the download as interrupted, keeping what was checked; a new one goes on', async () => {
    const file = incomingFile(300 * CHUNK);
    const { net } = scriptedNet(file, (_p, index, chunk) => {
      if (index === 200) void terminateChunkChecker();
      return chunk;
    });
    await expect(run(deps(net), file)).rejects.toBeInstanceOf(CheckerStopped);
    const row = rows.get(file.id);
    expect(row?.state).toBe('transferring');
    // Whatever was recorded is on disk, checked, and the start of the file.
    const kept = row?.transferred ?? -1;
    expect(kept % CHUNK).toBe(0);
    const chunks = kept / CHUNK;
    expect(
      stored(file)
        .subarray(0, sealedOffset(CHUNK, chunks))
        .equals(file.sealed.subarray(0, sealedOffset(CHUNK, chunks))),
    ).toBe(true);

    await run(deps(scriptedNet(file).net), file);
    expect(rows.get(file.id)?.state).toBe('complete');
    expect(stored(file).equals(file.sealed)).toBe(true);
  });

  it('records nothing once cancelled', async () => {
    const file = incomingFile(200 * CHUNK);
    const controller = new AbortController();
    let owned = true;
    const { net } = scriptedNet(file, (_p, index, chunk) => {
      if (index === 120) {
        owned = false;
        controller.abort(new Error('cancelled'));
      }
      return chunk;
    });
    await run(deps(net), file, controller.signal, () => owned);
    expect(rows.get(file.id)).toMatchObject({ state: 'transferring', transferred: 0 });
  });
});
