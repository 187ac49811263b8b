import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttachmentRepository, AttachmentRow } from '../store/repositories/attachmentRepository';
import { silentLogger } from '../util/logger';
import { GCM_TAG_BYTES } from './fileCrypto';
import type { FileEvents } from './fileEvents';
import { FileServer } from './fileServer';
import type { SealedFiles } from './sealedFiles';

/**
 * The file server's read buffers (issue 16 item 8): a download's requests come
 * one after the other, and for a moment between two of them no file is open.
 * The buffers handed back must survive that moment, or every request starts
 * with fresh allocations (30 of 100 runs of a 100 MB transfer did); they are
 * dropped once nothing was served for a while, so an idle app holds none.
 */

const CHUNK = 1024;
const CHUNKS = 8;
let dir = '';

afterEach(() => {
  vi.useRealTimers();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function server(): { source: FileServer['source']; fileId: Uint8Array } {
  dir = mkdtempSync(join(tmpdir(), 'parley-fileserver-'));
  writeFileSync(join(dir, 'f.pfe'), Buffer.alloc(CHUNKS * (CHUNK + GCM_TAG_BYTES), 7));
  const row = {
    id: 1,
    conversation_id: 1,
    uid: '00'.repeat(16),
    outgoing: 0,
    state: 'complete',
    path: 'f.pfe',
    size: CHUNKS * CHUNK,
    chunk_size: CHUNK,
    chunk_count: CHUNKS,
  } as AttachmentRow;
  const rows = { byUid: () => row, isMemberDevice: () => true } as unknown as AttachmentRepository;
  const files = { pathOf: (name: string) => join(dir, name) } as unknown as SealedFiles;
  const events = { served: () => undefined } as unknown as FileEvents;
  const fileServer = new FileServer({ rows, files, events, logger: silentLogger });
  return { source: fileServer.source, fileId: new Uint8Array(16) };
}

/** One request: opens the file, reads a run, hands it back, closes; the run's memory. */
async function request(source: FileServer['source'], fileId: Uint8Array): Promise<ArrayBufferLike> {
  const opened = await source('peer', fileId);
  if (opened.status !== 'ok') throw new Error(opened.status);
  const run = await opened.read(0, 4);
  const memory = run[0]!.buffer;
  opened.recycle?.(run);
  await opened.close();
  return memory;
}

describe('file server read buffers', () => {
  it('are reused by the next request of a download, though no file was open in between', async () => {
    const { source, fileId } = server();
    const first = await request(source, fileId);
    expect(await request(source, fileId)).toBe(first);
  });

  it('are dropped once nothing was served for a while', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { source, fileId } = server();
    const first = await request(source, fileId);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await request(source, fileId)).not.toBe(first);
  });
});
