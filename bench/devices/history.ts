import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HistoryReceiver, type HistoryProgress } from '../../src-main/core/history/historyReceiver';
import { HistorySender } from '../../src-main/core/history/historySender';
import type { FileOpen } from '../../src-main/core/net/fileProtocol';
import { befriend, makePeer } from '../../src-main/core/net/testing/netHarness';
import { ProfileService } from '../../src-main/core/profile/profileService';
import { ProfileRepositories } from '../../src-main/core/store/profileRepositories';
import { silentLogger } from '../../src-main/core/util/logger';
import { rawStreamMs } from '../files/rawStream';
import { round, timer, type BenchContext, type BenchResult } from '../harness';

/**
 * Issue 18 (docs/protocol.md §13.13): `history.total`, the history of
 * 100,000 messages and 100 MB of files to a newly linked device (budget
 * ≤ 15 s, DESIGN.md §5), between two real profiles and two real nodes in one
 * process on 127.0.0.1, with production code and production chunk sizes:
 *
 * - the database part: HistorySender makes the allowlisted snapshot on a
 *   worker and seals it into the stream file; HistoryReceiver pulls it over
 *   /parley/history/1.0.0 (1 MiB chunks, fsync every 16 MiB) and imports it on
 *   a worker (bulk SQL, FTS by the triggers);
 * - the files, in parallel as §13.7 says: 100 files of 1 MB pulled over
 *   /parley/file/1.0.0 (sealed 256 KiB chunks read from disk on E, written to
 *   disk on N), four at a time. What this leaves out of the files part: the
 *   file service's tag check, hashing and attachment rows (FileTransfers),
 *   measured by the files bench; the linking exchange itself (§13.5).
 *
 * history.total is from the offer to both parts done. Also: each phase, and
 * a 100 MB raw libp2p stream in the same run as the machine's baseline
 * (history.total_vs_raw_100mb). The load average is recorded beside them.
 */

const MB = 1024 * 1024;
const MESSAGES = Number(process.env.PARLEY_BENCH_HISTORY_MESSAGES ?? 100_000);
const FILES = 100;
const FILE_BYTES = 1 * MB;
const FILE_CHUNK = 256 * 1024;
const PASS = 'bench unlock passphrase';

async function profile(ctx: BenchContext, name: string): Promise<ProfileService> {
  const p = new ProfileService({
    dir: join(ctx.tmpDir, name),
    logger: silentLogger,
    kdfCost: { memoryKiB: 1024, iterations: 1, parallelism: 1 },
  });
  ctx.defer(() => p.lock());
  await p.create('Bench', PASS);
  return p;
}

/** 100,000 messages over 10 DMs and 10 groups, every 10th edited, every 7th with a reaction (bulk SQL). */
function seed(p: ProfileService): void {
  const db = p.database();
  const me = (db.prepare('SELECT public_key FROM identity').get() as { public_key: Buffer }).public_key;
  const now = Date.now() - 86_400_000;
  db.transaction(() => {
    for (let c = 0; c < 20; c++) {
      const other = randomBytes(32);
      const contact = Number(
        db
          .prepare(
            'INSERT INTO contacts (identity_key, display_name, created_at, updated_at) VALUES (?, ?, ?, ?)',
          )
          .run(other, `Contact ${c}`, now, now).lastInsertRowid,
      );
      const conv = Number(
        db
          .prepare(
            'INSERT INTO conversations (kind, name, contact_id, group_id, created_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(
            c < 10 ? 'dm' : 'group',
            c < 10 ? null : `Group ${c}`,
            c < 10 ? contact : null,
            randomBytes(16),
            now,
            now,
          ).lastInsertRowid,
      );
      db.prepare(
        'INSERT INTO members (conversation_id, identity_key, joined_at) VALUES (?, ?, ?), (?, ?, ?)',
      ).run(conv, me, now, conv, other, now);
    }
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
       INSERT INTO messages (conversation_id, uid, sender_key, outgoing, kind, body, sent_at, received_at, state)
       SELECT c.id, 'bench-' || i,
              CASE WHEN i % 2 = 0 THEN ? ELSE randomblob(32) END, (i % 2 = 0), 'text',
              'message ' || i || ' about ' || hex(randomblob(8)) || ' and the plan for week ' || (i % 52)
                || ' with some more words to reach a realistic length for a chat line',
              ? + i, ? + i, CASE WHEN i % 2 = 0 THEN 'delivered' ELSE 'received' END
       FROM n JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM conversations) c ON c.k = n.i % 20
       ORDER BY i`,
    ).run(MESSAGES, me, now, now);
    db.prepare(
      `INSERT INTO message_edits (message_id, replaced_at, body)
       SELECT id, sent_at + 1, 'the first version' FROM messages WHERE id % 10 = 0`,
    ).run();
    db.prepare(
      `INSERT INTO reactions (message_id, reactor_key, emoji, created_at)
       SELECT id, randomblob(32), '👍', sent_at + 2 FROM messages WHERE id % 7 = 0`,
    ).run();
    for (let f = 0; f < FILES; f++) {
      const mid = Number(
        db
          .prepare(
            `INSERT INTO messages (conversation_id, uid, sender_key, outgoing, kind, body, sent_at, received_at, state, has_file)
             VALUES ((SELECT id FROM conversations ORDER BY id LIMIT 1), ?, ?, 1, 'file', ?, ?, ?, 'delivered', 1)`,
          )
          .run(`bench-file-${f}`, me, `file-${f}.bin`, now + MESSAGES + f, now + MESSAGES + f)
          .lastInsertRowid,
      );
      db.prepare(
        `INSERT INTO attachments (message_id, name, mime, size, sha256, file_key, path, state, created_at, chunk_size, chunk_count)
         VALUES (?, ?, 'application/octet-stream', ?, randomblob(32), randomblob(32), ?, 'complete', ?, ?, ?)`,
      ).run(mid, `file-${f}.bin`, FILE_BYTES, `sealed-${f}`, now, FILE_CHUNK, FILE_BYTES / FILE_CHUNK);
    }
  })();
}

/** The `history` part of bench/devices.bench.ts. */
export async function historyBench(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const e = await profile(ctx, 'e');
  const n = await profile(ctx, 'n');
  ctx.log(`seeding ${MESSAGES} messages and ${FILES} files of 1 MB`);
  seed(e);
  // E's files, sealed at rest as 256 KiB chunks (+ 16-byte tags): one 100 MB store on disk.
  const filesPath = join(ctx.tmpDir, 'e-files.bin');
  const sealedChunk = FILE_CHUNK + 16;
  const chunksPerFile = FILE_BYTES / FILE_CHUNK;
  {
    const fd = openSync(filesPath, 'w');
    const block = randomBytes(sealedChunk);
    for (let i = 0; i < FILES * chunksPerFile; i++) writeSync(fd, block);
    closeSync(fd);
  }
  const [eNode, nNode] = await Promise.all([makePeer(), makePeer({})]);
  ctx.defer(() => Promise.all([eNode.node.stop(), nNode.node.stop()]));
  const sender = new HistorySender({
    transfers: new ProfileRepositories(e.database()).historyTransfers,
    profileDir: join(ctx.tmpDir, 'e'),
    connection: () => e.secondConnection(),
    selfPeerId: eNode.id,
    clock: Date.now,
    logger: silentLogger,
  });
  eNode.node.services.history.handle(sender.source);
  const filesFd = openSync(filesPath, 'r');
  ctx.defer(() => closeSync(filesFd));
  eNode.node.services.files.handle(async (_peer, fileId): Promise<FileOpen> => {
    const f = Buffer.from(fileId).readUInt32BE(0);
    return {
      status: 'ok',
      chunkCount: chunksPerFile,
      read: async (first, count) =>
        Array.from({ length: count }, (_, i) => {
          const b = Buffer.allocUnsafe(sealedChunk);
          readSync(filesFd, b, 0, sealedChunk, (f * chunksPerFile + first + i) * sealedChunk);
          return b;
        }),
      close: async () => undefined,
    };
  });
  await Promise.all([eNode.node.start(), nNode.node.start()]);
  await befriend(eNode, nNode);

  ctx.log('history: snapshot, stream, import, and files in parallel');
  const kHistory = randomBytes(32);
  const transferId = randomBytes(16);
  const total = timer();
  let snapshotMs = 0;
  let databaseMs = 0;
  let historyMs = 0;
  let filesMs = 0;
  const history = (async () => {
    const ready = sender
      .offerHistory({ kHistory, transferId, peerId: nNode.id })
      .then(() => (snapshotMs = total()));
    const r = new HistoryReceiver({
      transfers: new ProfileRepositories(n.database()).historyTransfers,
      profileDir: join(ctx.tmpDir, 'n'),
      connection: () => n.secondConnection(),
      fetch: (peer, request, onHeader, onChunk, options) =>
        nNode.node.services.history.fetch(peer, request, onHeader, onChunk, options),
      clock: Date.now,
      logger: silentLogger,
      notReadyMs: 20,
      onProgress: (p: HistoryProgress) => {
        if (p.phase === 'import' && databaseMs === 0) databaseMs = total();
      },
    });
    await r.startHistoryTransfer({ kHistory, transferId, peer: eNode.id });
    await ready;
    historyMs = total();
    const row = new ProfileRepositories(n.database()).historyTransfers.get(transferId);
    if (row?.state !== 'done') throw new Error(`history transfer ended ${row?.state}: ${row?.error}`);
  })();
  const files = (async () => {
    const out = openSync(join(ctx.tmpDir, 'n-files.bin'), 'w');
    try {
      let next = 0;
      const worker = async () => {
        for (;;) {
          const f = next++;
          if (f >= FILES) return;
          const id = Buffer.alloc(16);
          id.writeUInt32BE(f, 0);
          const status = await nNode.node.services.files.fetch(
            eNode.id,
            id,
            0,
            chunksPerFile,
            (index, data) => {
              const bytes = data.subarray();
              writeSync(out, bytes, 0, bytes.length, (f * chunksPerFile + index) * sealedChunk);
            },
          );
          if (status !== 'ok') throw new Error(`file ${f}: ${status}`);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    } finally {
      closeSync(out);
    }
    filesMs = total();
  })();
  await Promise.all([history, files]);
  const totalMs = total();
  const imported = (n.database().prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  if (imported !== MESSAGES + FILES) throw new Error(`imported ${imported} messages`);
  ctx.log('baseline: 100 MB over one raw libp2p stream');
  const rawMs = await rawStreamMs(100 * MB, FILE_CHUNK);
  results.push(
    { metric: 'history.total', value: round(totalMs / 1000, 2), unit: 's' },
    { metric: 'history.snapshot_ready_ms', value: round(snapshotMs), unit: 'ms' },
    { metric: 'history.database_received_ms', value: round(databaseMs), unit: 'ms' },
    { metric: 'history.imported_ms', value: round(historyMs), unit: 'ms' },
    { metric: 'history.import_only_ms', value: round(historyMs - databaseMs), unit: 'ms' },
    { metric: 'history.files_ms', value: round(filesMs), unit: 'ms' },
    { metric: 'history.messages', value: imported, unit: 'messages' },
    { metric: 'raw_stream_100mb_ms', value: round(rawMs), unit: 'ms' },
    { metric: 'history.total_vs_raw_100mb', value: round(totalMs / rawMs, 2), unit: 'ratio' },
  );
  return results;
}
