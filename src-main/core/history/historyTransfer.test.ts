import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_KDF } from '../backup/testing/sampleProfile';
import { befriend, makePeer, type TestPeer } from '../net/testing/netHarness';
import { ProfileService } from '../profile/profileService';
import type { Db } from '../store/encryptedDatabase';
import { ProfileRepositories } from '../store/profileRepositories';
import { silentLogger } from '../util/logger';
import { HistoryReceiver, type HistoryFetch, type HistoryProgress } from './historyReceiver';
import { HistorySender, HISTORY_OFFER_TTL_MS } from './historySender';
import { historyStreamPath } from './historySnapshot';
import { seedHistory } from './testing/seedHistory';

/**
 * /parley/history/1.0.0 end to end between two real nodes on 127.0.0.1 and
 * two real profiles (docs/protocol.md §13.7): transfer, interruptions and
 * resume, a damaged chunk, refusals. Chunks are 8 KiB and progress is made
 * durable every 64 KiB here (1 MiB and 16 MiB in the product): the same
 * rules at a scale a test can cross many times.
 */

const CHUNK = 8 * 1024;
const SYNC_EVERY = 64 * 1024;
const PASS = 'unlock passphrase 1';

let root: string;
let e: ProfileService;
let eNode: TestPeer;
let n: TestPeer;
let clockOffset = 0;
const clock = () => Date.now() + clockOffset;
let sender: HistorySender;
/** Chunk bytes N's onChunk saw per transfer (hex id → bytes), to bound what was fetched twice. */
const receivedBytes = new Map<string, number>();
let onChunkHook: ((transfer: string, index: number) => void | Promise<void>) | null = null;
let corruptOnce: Set<string> = new Set();

async function profile(name: string): Promise<ProfileService> {
  const p = new ProfileService({ dir: join(root, name), logger: silentLogger, kdfCost: FAST_KDF });
  await p.create('Ann', PASS);
  dirs.set(p, join(root, name));
  return p;
}

/** N's fetch through its node, with test hooks: count bytes, flip a bit once, cut the line. */
function fetchOf(peer: TestPeer): HistoryFetch {
  return (target, request, onHeader, onChunk, options) =>
    peer.node.services.history.fetch(
      target,
      request,
      onHeader,
      async (index, data) => {
        const id = Buffer.from(request.transferId).toString('hex');
        receivedBytes.set(id, (receivedBytes.get(id) ?? 0) + data.length);
        await onChunkHook?.(id, index);
        const key = `${id}:${index}`;
        if (corruptOnce.has(key)) {
          corruptOnce.delete(key);
          const bad = Uint8Array.from(data);
          bad[5] = (bad[5] as number) ^ 0x40;
          return onChunk(index, bad);
        }
        return onChunk(index, data);
      },
      options,
    );
}

interface NSide {
  profile: ProfileService;
  receiver: HistoryReceiver;
  progress: HistoryProgress[];
}

const dirs = new Map<ProfileService, string>();

function receiverFor(p: ProfileService, progress: HistoryProgress[], peer: TestPeer = n): HistoryReceiver {
  return new HistoryReceiver({
    transfers: new ProfileRepositories(p.database()).historyTransfers,
    profileDir: dirs.get(p) ?? '',
    connection: () => p.secondConnection(),
    fetch: fetchOf(peer),
    clock,
    logger: silentLogger,
    onProgress: (x) => progress.push(x),
    retryMs: 100,
    notReadyMs: 50,
    syncEveryBytes: SYNC_EVERY,
  });
}

async function newDevice(name: string): Promise<NSide> {
  const p = await profile(name);
  const progress: HistoryProgress[] = [];
  return { profile: p, receiver: receiverFor(p, progress), progress };
}

function messageRows(db: Db): unknown[] {
  return db
    .prepare(
      `SELECT m.uid, hex(c.group_id) AS g, m.body, m.sent_at, m.edited_at, m.deleted_at, m.state
       FROM messages m JOIN conversations c ON c.id = m.conversation_id ORDER BY m.uid`,
    )
    .all();
}

function offer(peerId: string) {
  const kHistory = randomBytes(32);
  const transferId = randomBytes(16);
  const ready = sender.offerHistory({ kHistory, transferId, peerId });
  return { kHistory, transferId, ready, id: transferId.toString('hex') };
}

/** Sealed bytes of all chunks of a stream file (without the header and length prefixes). */
function sealedBytes(transferId: Uint8Array, chunks: number): number {
  return statSync(historyStreamPath(join(root, 'e'), transferId)).size - 51 - 4 * chunks;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'parley-history-net-'));
  e = await profile('e');
  seedHistory(e.database(), 2_000, { text: (i) => `message ${i} ${randomBytes(24).toString('base64')}` });
  [eNode, n] = await Promise.all([makePeer(), makePeer()]);
  sender = new HistorySender({
    transfers: new ProfileRepositories(e.database()).historyTransfers,
    profileDir: join(root, 'e'),
    connection: () => e.secondConnection(),
    selfPeerId: eNode.id,
    clock,
    logger: silentLogger,
    chunkBytes: CHUNK,
  });
  eNode.node.services.history.handle(sender.source);
  await Promise.all([eNode.node.start(), n.node.start()]);
  await befriend(eNode, n);
}, 120_000);

afterAll(async () => {
  await Promise.all([eNode.node.stop(), n.node.stop()]);
  e.lock();
  rmSync(root, { recursive: true, force: true });
});

describe('history over /parley/history/1.0.0 (docs/protocol.md §13.7)', () => {
  it('transfers the whole history to the granted device, with progress at most every 100 ms', async () => {
    const dev = await newDevice('n1');
    const t = offer(n.id);
    // N may ask before the stream is ready: NOT_READY, then it asks again.
    await dev.receiver.startHistoryTransfer({
      kHistory: t.kHistory,
      transferId: t.transferId,
      peer: eNode.id,
    });
    const row = new ProfileRepositories(dev.profile.database()).historyTransfers.get(t.transferId);
    expect(row?.state).toBe('done');
    expect(messageRows(dev.profile.database())).toEqual(messageRows(e.database()));
    const phases = [...new Set(dev.progress.map((p) => p.phase))];
    expect(phases).toEqual(expect.arrayContaining(['database', 'import', 'done']));
    expect(dev.progress.at(-1)).toMatchObject({ phase: 'done', messagesDone: 2000, messagesTotal: 2000 });
    const db = dev.progress.filter((p) => p.phase === 'database');
    for (let i = 1; i < db.length; i++) expect(db[i]?.bytesDone).toBeGreaterThan(db[i - 1]?.bytesDone ?? 0);
    // Nothing of the transfer is left on N's disk but the imported rows.
    expect(readdirSync(join(root, 'n1')).filter((f) => f.startsWith('.history-'))).toEqual([]);
    dev.profile.lock();
  }, 60_000);

  it('resumes after the connection is cut at 40 % and N is killed at 70 %, fetching again at most 64 KiB + one chunk', async () => {
    const dev = await newDevice('n2');
    const t = offer(n.id);
    await t.ready;
    const header = new ProfileRepositories(e.database()).historyTransfers.get(t.transferId)?.header;
    const chunks = header?.readUInt32BE(39) ?? 0;
    expect(chunks).toBeGreaterThan(40);
    let cut = false;
    let killed: Promise<void> | null = null;
    onChunkHook = async (id, index) => {
      if (id !== t.id) return;
      if (!cut && index >= Math.floor(chunks * 0.4)) {
        cut = true;
        await eNode.node.hangUp(n.id);
      }
      if (cut && killed === null && index >= Math.floor(chunks * 0.7)) killed = dev.receiver.stop();
    };
    const first = dev.receiver.startHistoryTransfer({
      kHistory: t.kHistory,
      transferId: t.transferId,
      peer: eNode.id,
    });
    await first;
    await killed;
    expect(cut).toBe(true);
    expect(killed).not.toBeNull();
    const repo = new ProfileRepositories(dev.profile.database()).historyTransfers;
    const stopped = repo.get(t.transferId);
    expect(stopped?.state).toBe('receiving');
    // Progress recorded before the kill is durable and behind where N was, by at most 64 KiB.
    expect(stopped?.nextChunk).toBeGreaterThanOrEqual(Math.floor(chunks * 0.7) - SYNC_EVERY / CHUNK);
    onChunkHook = null;
    // N starts again: a new receiver over the same profile resumes from next_chunk.
    const restarted = receiverFor(dev.profile, dev.progress);
    await Promise.all(restarted.resume());
    expect(repo.get(t.transferId)?.state).toBe('done');
    expect(messageRows(dev.profile.database())).toEqual(messageRows(e.database()));
    const refetched = (receivedBytes.get(t.id) ?? 0) - sealedBytes(t.transferId, chunks);
    expect(refetched).toBeGreaterThanOrEqual(0);
    expect(refetched).toBeLessThanOrEqual(SYNC_EVERY + CHUNK + 16);
    dev.profile.lock();
  }, 60_000);

  it('fetches a chunk with a flipped bit again, once', async () => {
    const dev = await newDevice('n3');
    const t = offer(n.id);
    await t.ready;
    corruptOnce = new Set([`${t.id}:3`]);
    await dev.receiver.startHistoryTransfer({
      kHistory: t.kHistory,
      transferId: t.transferId,
      peer: eNode.id,
    });
    expect(new ProfileRepositories(dev.profile.database()).historyTransfers.get(t.transferId)?.state).toBe(
      'done',
    );
    expect(messageRows(dev.profile.database())).toEqual(messageRows(e.database()));
    dev.profile.lock();
  }, 60_000);

  it('fails clearly when the same chunk is damaged twice, and loses nothing', async () => {
    const dev = await newDevice('n4');
    const t = offer(n.id);
    await t.ready;
    corruptOnce = new Set([`${t.id}:5`]);
    onChunkHook = (id, index) => {
      if (id === t.id && index === 5) corruptOnce.add(`${t.id}:5`);
    };
    await dev.receiver.startHistoryTransfer({
      kHistory: t.kHistory,
      transferId: t.transferId,
      peer: eNode.id,
    });
    onChunkHook = null;
    const row = new ProfileRepositories(dev.profile.database()).historyTransfers.get(t.transferId);
    expect(row?.state).toBe('failed');
    expect(row?.error).toMatch(/damaged in transit; try again/);
    expect(dev.progress.at(-1)).toMatchObject({ phase: 'failed', error: expect.stringMatching(/damaged/) });
    expect(messageRows(dev.profile.database())).toEqual([]);
    expect(existsSync(join(root, 'n4', `.history-${t.id}.db`))).toBe(false);
    dev.profile.lock();
  }, 60_000);

  it('DENIED for a wrong MAC (wrong k_history) and for another PeerId', async () => {
    const t = offer(n.id);
    await t.ready;
    const wrongKey = await newDevice('n5');
    await wrongKey.receiver.startHistoryTransfer({
      kHistory: randomBytes(32),
      transferId: t.transferId,
      peer: eNode.id,
    });
    const row = new ProfileRepositories(wrongKey.profile.database()).historyTransfers.get(t.transferId);
    expect(row?.state).toBe('failed');
    expect(row?.error).toMatch(/refused/);
    wrongKey.profile.lock();
    // Another device with the right key is refused all the same: the transfer is granted to n only.
    const other = await makePeer();
    await other.node.start();
    await befriend(eNode, other);
    const otherDev = await profile('n6');
    const progress: HistoryProgress[] = [];
    await receiverFor(otherDev, progress, other).startHistoryTransfer({
      kHistory: t.kHistory,
      transferId: t.transferId,
      peer: eNode.id,
    });
    expect(new ProfileRepositories(otherDev.database()).historyTransfers.get(t.transferId)?.state).toBe(
      'failed',
    );
    expect(progress.at(-1)?.error).toMatch(/refused/);
    otherDev.lock();
    await other.node.stop();
  }, 60_000);

  it('GONE after 24 hours: the stream file is dropped and N is told', async () => {
    const t = offer(n.id);
    await t.ready;
    expect(existsSync(historyStreamPath(join(root, 'e'), t.transferId))).toBe(true);
    clockOffset = HISTORY_OFFER_TTL_MS + 1000;
    try {
      const dev = await newDevice('n7');
      await dev.receiver.startHistoryTransfer({
        kHistory: t.kHistory,
        transferId: t.transferId,
        peer: eNode.id,
      });
      const row = new ProfileRepositories(dev.profile.database()).historyTransfers.get(t.transferId);
      expect(row?.state).toBe('failed');
      expect(row?.error).toMatch(/no longer offers/);
      expect(existsSync(historyStreamPath(join(root, 'e'), t.transferId))).toBe(false);
      dev.profile.lock();
    } finally {
      clockOffset = 0;
    }
  }, 60_000);
});
